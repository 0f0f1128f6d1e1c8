"""Django: ``path("flowrra/", include(flowrra_live.django.get_urls(flowrra)))``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from asgiref.sync import async_to_sync
from django.http import HttpRequest, HttpResponse
from django.urls import path

from .endpoint import DEFAULT_LIMIT, ResultsEndpoint, Token


def get_urls(
    flowrra: Any,
    *,
    token: Token = None,
    limit: int = DEFAULT_LIMIT,
    exclude: Iterable[str] = (),
) -> list:
    """URL patterns serving ``GET api/results`` and ``api/results/`` under the include's prefix.

    ``token`` is a string expected as ``Authorization: Bearer``, or a callable given the
    ``HttpRequest`` that returns whether it may read. ``limit`` is the default page size,
    ``exclude`` task keys never served.

    The view is synchronous on purpose: Django 3.2's decorators (``login_required``...) wrap only
    sync views correctly, and ``async_to_sync`` runs the backend read on the server's event loop
    under ASGI (where Flowrra runs), or on a loop of its own under WSGI.
    """
    endpoint = ResultsEndpoint(flowrra, token=token, limit=limit, exclude=exclude)
    respond = async_to_sync(endpoint.respond)

    def results(request: HttpRequest) -> HttpResponse:
        if request.method not in ("GET", "HEAD"):
            return HttpResponse(status=405, headers={"Allow": "GET, HEAD"})
        reply = respond(
            request,
            authorization=request.headers.get("Authorization"),
            if_none_match=request.headers.get("If-None-Match"),
            limit=request.GET.getlist("limit"),
        )
        response = HttpResponse(reply.body, status=reply.status, content_type=reply.headers.get("Content-Type"))
        for name, value in reply.headers.items():
            response[name] = value
        return response

    return [
        path("api/results", results, name="flowrra_live_results"),
        path("api/results/", results),
    ]
