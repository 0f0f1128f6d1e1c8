"""Django + Channels + Flowrra on Redis for ``uvicorn --workers 2 --lifespan off`` (served as ``django_workers:asgi``).

As under daphne, which has no lifespan: each worker starts Flowrra and the fan-out on its first scope.
"""

import os

import django
from django.conf import settings

settings.configure(
    SECRET_KEY="test-only",
    ALLOWED_HOSTS=["127.0.0.1"],
    ROOT_URLCONF=__name__,
    INSTALLED_APPS=["channels"],
    # Flowrra's consumer names its channel in a log line: Channels needs a layer for that, any will do.
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

from first_scope import started_first  # noqa: E402
from workload import Lifecycle, flowrra, ready_pids, submit, tag_sockets  # noqa: E402


async def submit_view(request):
    start, count = int(request.GET["start"]), int(request.GET["count"])
    return JsonResponse({"task_ids": await submit(start, count), "pid": os.getpid()})


async def ready_view(request):
    return JsonResponse({"pids": await ready_pids()})


urlpatterns = [
    path("flowrra/", include(flowrra_live.django.get_urls(flowrra))),
    path("test/submit", submit_view),
    path("test/ready", ready_view),
]

router = ProtocolTypeRouter({"http": get_asgi_application(), "websocket": URLRouter(websocket_urlpatterns)})
# The documented Django setup (docs/many-workers.md): Flowrra and the fan-out start on the
# server's loop before the first scope is served.
application = started_first(router, Lifecycle().start)
asgi = tag_sockets(application)
