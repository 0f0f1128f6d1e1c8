"""Django + Channels + Flowrra's consumer + flowrra_live, sockets counted: ``daphne django_app:asgi``."""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "monitored_settings")
django.setup()

import flowrra_live.django  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.core.asgi import get_asgi_application  # noqa: E402
from django.http import JsonResponse  # noqa: E402
from django.urls import include, path  # noqa: E402
from flowrra.ui.django_websocket import websocket_urlpatterns  # noqa: E402
from flowrra_live.metrics import SocketCounter  # noqa: E402

from common import TOKEN, Lifecycle, flowrra, submit  # noqa: E402
from first_scope import started_first  # noqa: E402
from worker_pid import tag_sockets  # noqa: E402


async def submit_view(request):
    return JsonResponse({"task_ids": await submit(request.GET["name"], int(request.GET["count"]))})


urlpatterns = [
    path("flowrra/", include(flowrra_live.django.get_urls(flowrra, token=TOKEN))),
    path("test/submit", submit_view),
]
router = ProtocolTypeRouter({"http": get_asgi_application(), "websocket": URLRouter(websocket_urlpatterns)})
application = SocketCounter(started_first(router, Lifecycle().start))
asgi = tag_sockets(application)
