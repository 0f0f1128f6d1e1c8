"""Quart: ``app.register_blueprint(flowrra_live.quart.create_blueprint(flowrra), url_prefix="/flowrra")``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from quart import Blueprint, Response, request

from .endpoint import DEFAULT_LIMIT, ResultsEndpoint, Token
from .monitor import ROUTES, MonitorEndpoint


def create_blueprint(
    flowrra: Any,
    *,
    token: Token = None,
    limit: int = DEFAULT_LIMIT,
    exclude: Iterable[str] = (),
) -> Blueprint:
    """A blueprint named ``flowrra_live`` serving ``GET /api/results`` (and ``/api/results/``).

    ``token`` is a string expected as ``Authorization: Bearer``, or a callable given Quart's
    ``request`` that returns (or awaits to) whether it may read. ``limit`` is the default page size,
    ``exclude`` task keys never served.
    """
    endpoint = ResultsEndpoint(flowrra, token=token, limit=limit, exclude=exclude)
    blueprint = Blueprint("flowrra_live", __name__)

    async def results() -> Response:
        reply = await endpoint.respond(request, request.headers, request.args.getlist("limit"))
        return Response(reply.body, status=reply.status, headers=reply.headers)

    blueprint.add_url_rule("/api/results", "results", results, methods=["GET"])
    blueprint.add_url_rule("/api/results/", "results", results, methods=["GET"])
    add_monitor_routes(blueprint, MonitorEndpoint(endpoint.authorize))
    return blueprint


def add_monitor_routes(blueprint: Blueprint, monitor: MonitorEndpoint) -> None:
    """``GET /metrics`` (Prometheus text) and ``GET /api/metrics`` (JSON) under the blueprint's prefix."""
    for path, kind in ROUTES.items():

        async def serve(kind: str = kind) -> Response:
            reply = await monitor.respond(request, request.headers, kind)
            return Response(reply.body, status=reply.status, headers=reply.headers)

        blueprint.add_url_rule(f"/{path}", f"monitor_{kind}", serve, methods=["GET"])
