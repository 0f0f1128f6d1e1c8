"""Quart: ``app.register_blueprint(flowrra_live.quart.create_blueprint(flowrra), url_prefix="/flowrra")``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from quart import Blueprint, Response, request, websocket

from .endpoint import DEFAULT_LIMIT, ResultsEndpoint, Token, blueprint_name
from .index import DEFAULT_MAX_RUNS
from .monitor import ROUTES, MonitorEndpoint
from .read_tokens import Secrets
from .scoped import ScopedMount


def create_blueprint(
    flowrra: Any,
    *,
    token: Token = None,
    limit: int = DEFAULT_LIMIT,
    exclude: Iterable[str] = (),
    max_runs: int = DEFAULT_MAX_RUNS,
    secret: Secrets | None = None,
    name: str | None = None,
) -> Blueprint:
    """A blueprint serving ``GET``/``HEAD /api/results`` (and ``/api/results/``).

    ``token`` is a string expected as ``Authorization: Bearer``, or a callable given Quart's
    ``request`` that returns (or awaits to) whether it may read. ``limit`` is the default page size,
    ``exclude`` task keys never served, ``max_runs`` the bound of the app's run index. ``secret``
    (one, or a list for rotation) makes it a mount for end users: read tokens signed with it read
    their scope from ``/api/results`` and from the scoped socket ``/ws?token=``. ``name`` is the
    blueprint's (default ``flowrra_live``, then ``flowrra_live_2``... so that an app can mount it twice).
    """
    endpoint = ResultsEndpoint(flowrra, token=token, limit=limit, exclude=exclude, max_runs=max_runs, secret=secret)
    blueprint = Blueprint(name or blueprint_name(), __name__)

    async def results() -> Response:
        reply = await endpoint.respond(request, request.headers, request.args.getlist, request.method)
        response = Response(reply.body, status=reply.status, headers=reply.headers)
        if "Content-Type" not in reply.headers:
            del response.headers["Content-Type"]  # Quart would label an empty 304 text/html
        return response

    blueprint.add_url_rule("/api/results", "results", results, methods=["GET"])
    blueprint.add_url_rule("/api/results/", "results", results, methods=["GET"])
    if endpoint.verifier is not None:
        scoped = ScopedMount(endpoint.app_index.index, endpoint.verifier, exclude=exclude)

        async def socket() -> None:
            # Quart cancels this handler when the client leaves; the session unregisters then.
            await scoped.session(websocket.accept, websocket.send, websocket.close).run(websocket.args.get("token"))

        blueprint.add_websocket("/ws", "socket", socket)
    add_monitor_routes(blueprint, MonitorEndpoint(endpoint.authorize))
    return blueprint


def add_monitor_routes(blueprint: Blueprint, monitor: MonitorEndpoint) -> None:
    """``GET /metrics`` (Prometheus text) and ``GET /api/metrics`` (JSON) under the blueprint's prefix."""
    for path, kind in ROUTES.items():

        async def serve(kind: str = kind) -> Response:
            reply = await monitor.respond(request, request.headers, kind)
            return Response(reply.body, status=reply.status, headers=reply.headers)

        blueprint.add_url_rule(f"/{path}", f"monitor_{kind}", serve, methods=["GET"])
