import json

from django.http import JsonResponse
from django.urls import include, path
from flowrra.ui.django import get_urls

from demo import LIVE, flowrra, submit, submit_many


async def test_submit(request):
    return JsonResponse(await submit(json.loads(request.body)))


async def test_submit_many(request):
    return JsonResponse(await submit_many(json.loads(request.body)))


urlpatterns = [
    path("flowrra/", include(get_urls(flowrra))),
    path("test/submit", test_submit),
    path("test/submit_many", test_submit_many),
]

if LIVE:
    import flowrra_live.django

    urlpatterns.insert(0, path("flowrra/", include(flowrra_live.django.get_urls(flowrra))))
