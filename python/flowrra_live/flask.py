"""Flask (sync, WSGI): ``app.register_blueprint(flowrra_live.flask.create_blueprint(flowrra), url_prefix="/flowrra")``.

A WSGI app holds no socket and cannot run Flowrra's asyncio workers: tasks run in a separate
Flowrra worker process (``await flowrra.start()`` in a small script), with a Redis broker and
backend. The web process queues tasks with :func:`submit` and serves the results endpoint; the SDK
polls it (``wsUrl: false``). Both read and write Redis through one event loop in a daemon thread.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from flask import Blueprint, Response, request

from .background_loop import run_in_background_loop
from .endpoint import DEFAULT_LIMIT, ResultsEndpoint, Token
from .monitor import ROUTES, MonitorEndpoint

__all__ = ["create_blueprint", "submit"]


def create_blueprint(
    flowrra: Any,
    *,
    token: Token = None,
    limit: int = DEFAULT_LIMIT,
    exclude: Iterable[str] = (),
) -> Blueprint:
    """A blueprint named ``flowrra_live`` serving ``GET /api/results`` (and ``/api/results/``).

    ``token`` is a string expected as ``Authorization: Bearer``, or a callable given Flask's
    ``request`` that returns whether it may read. ``limit`` is the default page size, ``exclude``
    task keys never served.
    """
    endpoint = ResultsEndpoint(flowrra, token=token, limit=limit, exclude=exclude)
    blueprint = Blueprint("flowrra_live", __name__)

    def results() -> Response:
        # A token callable runs here, in the request thread (Flask's request and the app's
        # sessions are usable); only the backend is read on the loop.
        allowed = endpoint.authorize(request, request.headers)
        reply = run_in_background_loop(endpoint.answer(allowed, request.headers, request.args.getlist("limit")))
        return Response(reply.body, status=reply.status, headers=reply.headers)

    blueprint.add_url_rule("/api/results", "results", results, methods=["GET"])
    blueprint.add_url_rule("/api/results/", "results", results, methods=["GET"])
    add_monitor_routes(blueprint, MonitorEndpoint(endpoint.authorize))
    return blueprint


def add_monitor_routes(blueprint: Blueprint, monitor: MonitorEndpoint) -> None:
    """``GET /metrics`` (Prometheus text) and ``GET /api/metrics`` (JSON) under the blueprint's prefix."""
    for path, kind in ROUTES.items():

        def serve(kind: str = kind) -> Response:
            reply = monitor.respond_sync(request, request.headers, kind)
            return Response(reply.body, status=reply.status, headers=reply.headers)

        blueprint.add_url_rule(f"/{path}", f"monitor_{kind}", serve, methods=["GET"])


def submit(flowrra: Any, task_func: Callable, *args: Any, **kwargs: Any) -> str:
    """Queues ``task_func(*args, **kwargs)`` from a sync view; returns its task_id.

    The task is stored as pending in the backend and pushed to the broker, as ``flowrra.submit``
    does, for the worker process to run. This process starts no worker.
    """
    return run_in_background_loop(_submit(flowrra, task_func, args, kwargs))


async def _submit(flowrra: Any, task_func: Callable, args: tuple, kwargs: dict) -> str:
    executor = getattr(task_func, "_executor", None)
    if executor is None or executor.is_running:
        return await flowrra.submit(task_func, *args, **kwargs)
    # Flowrra 0.1.8 queues only through a started executor, though queueing needs no worker. Its
    # check runs before the first await, and every submit runs on this one loop, so the flag is
    # raised only for that check: nothing else of the executor ever sees it.
    executor._running = True
    try:
        return await flowrra.submit(task_func, *args, **kwargs)
    finally:
        executor._running = False
