import json

from django.http import HttpResponse, JsonResponse
from django.urls import include, path
from flowrra.ui.django import get_urls

from demo import LIVE, MOUNT_EXCLUDE, SECRET, flowrra, submit, submit_many, token


async def test_submit(request):
    return JsonResponse(await submit(json.loads(request.body)))


async def test_submit_many(request):
    return JsonResponse(await submit_many(json.loads(request.body)))


def test_token(request):
    return HttpResponse(token(request.GET), content_type="text/plain")


urlpatterns = [
    path("flowrra/", include(get_urls(flowrra))),
    path("test/submit", test_submit),
    path("test/submit_many", test_submit_many),
]

if LIVE:
    import flowrra_live.django

    urlpatterns.insert(0, path("flowrra/", include(flowrra_live.django.get_urls(flowrra))))
    urlpatterns += [
        path("live/", include(flowrra_live.django.get_urls(flowrra, secret=SECRET, exclude=MOUNT_EXCLUDE))),
        path("test/token", test_token),
    ]
