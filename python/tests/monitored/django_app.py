"""Django + Channels + Flowrra's consumer + flowrra_live, sockets counted: ``daphne django_app:asgi``."""

import asyncio

import django
from django.conf import settings

settings.configure(
    SECRET_KEY="test-only",
    ALLOWED_HOSTS=["127.0.0.1"],
    ROOT_URLCONF=__name__,
    INSTALLED_APPS=["channels"],
    CHANNEL_LAYERS={"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}},
    # No CSRF middleware: on Django 3.2, @csrf_exempt breaks an async view (the test-only submit route).
    MIDDLEWARE=[],
    TIME_ZONE="UTC",
    USE_TZ=False,
)
django.setup()

import flowrra_live.django  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.core.asgi import get_asgi_application  # noqa: E402
from django.http import JsonResponse  # noqa: E402
from django.urls import include, path  # noqa: E402
from flowrra.ui.django_websocket import websocket_urlpatterns  # noqa: E402
from flowrra_live.metrics import SocketCounter  # noqa: E402

from common import TOKEN, Lifecycle, flowrra, submit  # noqa: E402
from worker_pid import tag_sockets  # noqa: E402


async def submit_view(request):
    return JsonResponse({"task_ids": await submit(request.GET["name"], int(request.GET["count"]))})


urlpatterns = [
    path("flowrra/", include(flowrra_live.django.get_urls(flowrra, token=TOKEN))),
    path("test/submit", submit_view),
]
router = ProtocolTypeRouter({"http": get_asgi_application(), "websocket": URLRouter(websocket_urlpatterns)})
_started = None


async def started_router(scope, receive, send):
    # daphne has no lifespan: Flowrra starts on daphne's loop before the first scope is served.
    global _started
    if _started is None:
        _started = asyncio.ensure_future(Lifecycle().start())
    await asyncio.shield(_started)
    await router(scope, receive, send)


application = SocketCounter(started_router)
asgi = tag_sockets(application)
