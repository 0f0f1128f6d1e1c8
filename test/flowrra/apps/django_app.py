"""Flowrra's Django Channels setup from its guide: run with daphne (`django_app:application`), or with
uvicorn for several workers."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "django_settings")

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.core.asgi import get_asgi_application  # noqa: E402

django_http = get_asgi_application()

from flowrra.ui.django_websocket import websocket_urlpatterns  # noqa: E402

from demo import LIVE, MOUNT_EXCLUDE, SECRET, flowrra, start_links  # noqa: E402
from first_scope import started_first  # noqa: E402

if LIVE:
    import flowrra_live.django

    websocket_urlpatterns = websocket_urlpatterns + flowrra_live.django.get_websocket_urls(flowrra, secret=SECRET, exclude=MOUNT_EXCLUDE)
router = ProtocolTypeRouter({"http": django_http, "websocket": URLRouter(websocket_urlpatterns)})


async def start() -> None:
    await flowrra.start()
    # With REDIS_URL, the fan-out; it runs as long as the process (nothing here is told of a shutdown).
    await start_links()


# daphne has no lifespan: Flowrra starts on daphne's loop before the first scope is served.
application = started_first(router, start)
