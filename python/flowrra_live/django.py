"""Django: ``path("flowrra/", include(flowrra_live.django.get_urls(flowrra)))``."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import Any

from asgiref.sync import async_to_sync
from django.core.handlers.asgi import ASGIRequest
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.http import require_safe

from .background_loop import run_in_background_loop
from .endpoint import DEFAULT_LIMIT, ResultsEndpoint, Token
from .index import DEFAULT_MAX_RUNS
from .monitor import ROUTES, MonitorEndpoint


def get_urls(
    flowrra: Any,
    *,
    token: Token = None,
    limit: int = DEFAULT_LIMIT,
    exclude: Iterable[str] = (),
    max_runs: int = DEFAULT_MAX_RUNS,
) -> list:
    """URL patterns serving ``GET api/results`` and ``api/results/`` under the include's prefix.

    ``token`` is a string expected as ``Authorization: Bearer``, or a callable given the
    ``HttpRequest`` that returns whether it may read; a sync one is called in the request thread,
    so it may use ``request.user`` and the ORM. ``limit`` is the default page size,
    ``exclude`` task keys never served, ``max_runs`` the bound of the app's run index.

    The view is synchronous on purpose: Django 3.2's decorators (``login_required``...) wrap only
    sync views correctly. The backend is read on the server's event loop under ASGI (daphne,
    uvicorn: where Flowrra runs and its Redis client is bound), and under WSGI on one loop shared
    by all requests (see ``background_loop``).
    """
    endpoint = ResultsEndpoint(flowrra, token=token, limit=limit, exclude=exclude, max_runs=max_runs)

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
