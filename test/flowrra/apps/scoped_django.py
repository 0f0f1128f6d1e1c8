"""Django Channels app for end-user pages (see scoped_demo): run with daphne (`scoped_django:application`)."""

import asyncio
import json
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "django_settings")

from django.conf import settings  # noqa: E402

settings.ROOT_URLCONF = "scoped_django"

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.core.asgi import get_asgi_application  # noqa: E402
from django.http import HttpResponse, JsonResponse  # noqa: E402
from django.urls import include, path  # noqa: E402

django_http = get_asgi_application()

import flowrra_live.django  # noqa: E402
from flowrra.ui.django_websocket import websocket_urlpatterns  # noqa: E402

from scoped_demo import MOUNT_EXCLUDE, OPERATOR_TOKEN, SECRET, flowrra, submit, token  # noqa: E402


async def test_submit(request):
    return JsonResponse(await submit(json.loads(request.body)))


def test_token(request):
    return HttpResponse(token(request.GET), content_type="text/plain")


urlpatterns = [
    path("flowrra/", include(flowrra_live.django.get_urls(flowrra, token=OPERATOR_TOKEN))),
    path("live/", include(flowrra_live.django.get_urls(flowrra, secret=SECRET, exclude=MOUNT_EXCLUDE))),
    path("test/submit", test_submit),
    path("test/token", test_token),
]

router = ProtocolTypeRouter(
    {
        "http": django_http,
        "websocket": URLRouter(websocket_urlpatterns + flowrra_live.django.get_websocket_urls(flowrra, secret=SECRET, exclude=MOUNT_EXCLUDE)),
    }
)
_started = None


async def application(scope, receive, send):
    # daphne has no lifespan: Flowrra starts on daphne's loop before the first scope is served.
    global _started
    if _started is None:
        _started = asyncio.ensure_future(flowrra.start())
    await asyncio.shield(_started)
    await router(scope, receive, send)
