"""Quart: ``app.register_blueprint(flowrra_live.quart.create_blueprint(flowrra), url_prefix="/flowrra")``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from quart import Blueprint, Response, request

from .endpoint import DEFAULT_LIMIT, ResultsEndpoint, Token


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
    return blueprint
