"""Django: ``path("flowrra/", include(flowrra_live.django.get_urls(flowrra)))``; for end users, the
scoped socket is a Channels consumer routed with :func:`get_websocket_urls`."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from functools import partial
from typing import Any
from urllib.parse import parse_qs

from asgiref.sync import async_to_sync
from django.core.handlers.asgi import ASGIRequest
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.http import require_safe

from .background_loop import run_in_background_loop
from .endpoint import DEFAULT_LIMIT, ResultsEndpoint, Token
from .index import DEFAULT_MAX_RUNS
from .monitor import ROUTES, MonitorEndpoint
from .read_tokens import ReadTokenVerifier, Secrets
from .scoped import ScopedMount
from .seeding import index_of


def get_urls(
    flowrra: Any,
    *,
    token: Token = None,
    limit: int = DEFAULT_LIMIT,
    exclude: Iterable[str] = (),
    max_runs: int = DEFAULT_MAX_RUNS,
    secret: Secrets | None = None,
) -> list:
    """URL patterns serving ``GET api/results`` and ``api/results/`` under the include's prefix.

    ``token`` is a string expected as ``Authorization: Bearer``, or a callable given the
    ``HttpRequest`` that returns whether it may read; a sync one is called in the request thread,
    so it may use ``request.user`` and the ORM. ``limit`` is the default page size,
    ``exclude`` task keys never served, ``max_runs`` the bound of the app's run index. ``secret``
    (one, or a list for rotation): read tokens signed with it read their scope (the scoped socket
    is routed apart, with :func:`get_websocket_urls`).

    The view is synchronous on purpose: Django 3.2's decorators (``login_required``...) wrap only
    sync views correctly. The backend is read on the server's event loop under ASGI (daphne,
    uvicorn: where Flowrra runs and its Redis client is bound), and under WSGI on one loop shared
    by all requests (see ``background_loop``).
    """
    endpoint = ResultsEndpoint(flowrra, token=token, limit=limit, exclude=exclude, max_runs=max_runs, secret=secret)

    @require_safe
    def results(request: HttpRequest) -> HttpResponse:
        # A sync token callable runs here, in the request thread, where the ORM may be used.
        allowed = endpoint.authorize(request, request.headers)
        answer = partial(endpoint.answer, allowed, request.headers, request.GET.getlist, request.method)
        if isinstance(request, ASGIRequest):
            # Built per request: async_to_sync finds the server's loop when it is created.
            reply = async_to_sync(answer)()
        else:
            reply = run_in_background_loop(answer())
        response = HttpResponse(reply.body, status=reply.status)
        if "Content-Type" not in reply.headers:
            del response["Content-Type"]  # Django would label an empty 304 text/html
        for name, value in reply.headers.items():
            response[name] = value
        return response

    return [
        path("api/results", results, name="flowrra_live_results"),
        path("api/results/", results),
        *monitor_urls(MonitorEndpoint(endpoint.authorize)),
    ]


def monitor_urls(monitor: MonitorEndpoint) -> list:
    """``GET metrics`` (Prometheus text) and ``GET api/metrics`` (JSON) under the include's prefix."""

    def view(kind: str):
        @require_safe
        def serve(request: HttpRequest) -> HttpResponse:
            reply = monitor.respond_sync(request, request.headers, kind)
            response = HttpResponse(reply.body, status=reply.status, content_type=reply.headers.get("Content-Type"))
            for name, value in reply.headers.items():
                response[name] = value
            return response

        return serve

    return [path(route, view(kind)) for route, kind in ROUTES.items()]


def get_websocket_urls(
    flowrra: Any,
    *,
    secret: Secrets,
    exclude: Iterable[str] = (),
    max_runs: int = DEFAULT_MAX_RUNS,
    prefix: str = "live/",
) -> list:
    """Channels routes for the scoped socket at ``{prefix}ws``, beside Flowrra's ``websocket_urlpatterns``::

        "websocket": URLRouter(websocket_urlpatterns + flowrra_live.django.get_websocket_urls(flowrra, secret=SECRET))

    Give the same ``secret`` and ``exclude`` as the ``get_urls`` mount at that prefix.
    """
    from channels.generic.websocket import AsyncWebsocketConsumer

    scoped = ScopedMount(index_of(flowrra, max_runs).index, ReadTokenVerifier(secret), exclude=exclude)

    class ScopedSocket(AsyncWebsocketConsumer):
        async def connect(self) -> None:
            values = parse_qs(self.scope.get("query_string", b"").decode("latin-1")).get("token")
            self.session = scoped.session(self.accept, self._send_text, self._close)
            # Runs beside the consumer: Channels handles the client's messages (and its disconnect)
            # only once connect() has returned.
            self.running = asyncio.ensure_future(self.session.run(values[0] if values else None))

        async def disconnect(self, code: int) -> None:
            self.session.stop()

        async def _send_text(self, text: str) -> None:
            await self.send(text_data=text)

        async def _close(self, code: int, reason: str) -> None:
            await self.close(code)

    return [path(f"{prefix}ws", ScopedSocket.as_asgi(), name="flowrra_live_socket")]
