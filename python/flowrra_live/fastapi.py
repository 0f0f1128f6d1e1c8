"""FastAPI: ``app.include_router(flowrra_live.fastapi.create_router(flowrra), prefix="/flowrra")``."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import Any

from fastapi import APIRouter, Request, Response, WebSocket

from .endpoint import DEFAULT_LIMIT, ResultsEndpoint, Token
from .index import DEFAULT_MAX_RUNS
from .monitor import ROUTES, MonitorEndpoint
from .read_tokens import Secrets
from .scoped import ScopedMount, until_disconnect


def create_router(
    flowrra: Any,
    *,
    token: Token = None,
    limit: int = DEFAULT_LIMIT,
    exclude: Iterable[str] = (),
    max_runs: int = DEFAULT_MAX_RUNS,
    secret: Secrets | None = None,
) -> APIRouter:
    """A router serving ``GET``/``HEAD /api/results`` (and ``/api/results/``) under its prefix.

    ``token`` is a string expected as ``Authorization: Bearer``, or a callable given the Starlette
    ``Request`` that returns (or awaits to) whether it may read. ``limit`` is the default page size,
    ``exclude`` task keys never served, ``max_runs`` the bound of the app's run index. ``secret``
    (one, or a list for rotation) makes it a mount for end users: read tokens signed with it read
    their scope from ``/api/results`` and from the scoped socket ``/ws?token=``.
    """
    endpoint = ResultsEndpoint(flowrra, token=token, limit=limit, exclude=exclude, max_runs=max_runs, secret=secret)
    router = APIRouter()

    async def results(request: Request) -> Response:
        reply = await endpoint.respond(request, request.headers, request.query_params.getlist, request.method)
        return Response(reply.body, status_code=reply.status, headers=reply.headers)

    router.add_api_route("/api/results", results, methods=["GET", "HEAD"], name="flowrra_live_results")
    router.add_api_route("/api/results/", results, methods=["GET", "HEAD"], include_in_schema=False)
    if endpoint.verifier is not None:
        scoped = ScopedMount(endpoint.app_index.index, endpoint.verifier, exclude=exclude)

        async def socket(websocket: WebSocket) -> None:
            session = scoped.session(websocket.accept, websocket.send_text, websocket.close)
            await session.run(websocket.query_params.get("token"), partial(until_disconnect, websocket.receive))

        router.add_api_websocket_route("/ws", socket, name="flowrra_live_socket")
    add_monitor_routes(router, MonitorEndpoint(endpoint.authorize))
    return router


def add_monitor_routes(router: APIRouter, monitor: MonitorEndpoint) -> None:
    """``GET /metrics`` (Prometheus text) and ``GET /api/metrics`` (JSON) under the router's prefix."""
    for path, kind in ROUTES.items():
        router.add_api_route(f"/{path}", _monitor_view(monitor, kind), methods=["GET"], include_in_schema=False)


def _monitor_view(monitor: MonitorEndpoint, kind: str):
    async def serve(request: Request) -> Response:
        reply = await monitor.respond(request, request.headers, kind)
        return Response(reply.body, status_code=reply.status, headers=reply.headers)

    return serve
