"""FastAPI: ``app.include_router(flowrra_live.fastapi.create_router(flowrra), prefix="/flowrra")``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from fastapi import APIRouter, Request, Response

from .endpoint import DEFAULT_LIMIT, ResultsEndpoint, Token


def create_router(
    flowrra: Any,
    *,
    token: Token = None,
    limit: int = DEFAULT_LIMIT,
    exclude: Iterable[str] = (),
) -> APIRouter:
    """A router serving ``GET /api/results`` (and ``/api/results/``) under its prefix.

    ``token`` is a string expected as ``Authorization: Bearer``, or a callable given the Starlette
    ``Request`` that returns (or awaits to) whether it may read. ``limit`` is the default page size,
    ``exclude`` task keys never served.
    """
    endpoint = ResultsEndpoint(flowrra, token=token, limit=limit, exclude=exclude)
    router = APIRouter()

    async def results(request: Request) -> Response:
        reply = await endpoint.respond(request, request.headers, request.query_params.getlist("limit"))
        return Response(reply.body, status_code=reply.status, headers=reply.headers)

    router.add_api_route("/api/results", results, methods=["GET"], name="flowrra_live_results")
    router.add_api_route("/api/results/", results, methods=["GET"], include_in_schema=False)
    return router
