"""Flask (sync, WSGI): ``app.register_blueprint(flowrra_live.flask.create_blueprint(flowrra), url_prefix="/flowrra")``.

A WSGI app holds no socket and cannot run Flowrra's asyncio workers: tasks run in a separate
Flowrra worker process (``await flowrra.start()`` in a small script), with a Redis broker and
backend. The web process queues tasks with :func:`submit` and serves the results endpoint; the SDK
polls it (``wsUrl: false``). Both read and write Redis through one event loop in a daemon thread.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from flask import Blueprint, Response, request

from .background_loop import run_in_background_loop
from .endpoint import DEFAULT_LIMIT, ResultsEndpoint, Token, blueprint_name
from .index import DEFAULT_MAX_RUNS
from .monitor import ROUTES, MonitorEndpoint
from .read_tokens import Secrets

if TYPE_CHECKING:
    from .fanout import Fanout

__all__ = ["SUBMIT_TIMEOUT", "create_blueprint", "start_fanout", "submit"]

#: How long :func:`submit` may hold a request thread: a Redis that stopped answering must not hang it for good.
SUBMIT_TIMEOUT = 10.0


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

    ``token`` is a string expected as ``Authorization: Bearer``, or a callable given Flask's
    ``request`` that returns whether it may read. ``limit`` is the default page size, ``exclude``
    task keys never served, ``max_runs`` the bound of the app's run index. ``secret`` (one, or a
    list for rotation): read tokens signed with it read their scope (WSGI holds no socket: the SDK
    polls, ``wsUrl: false``). ``name`` is the
    blueprint's (default ``flowrra_live``, then ``flowrra_live_2``... so that an app can mount it twice).
    """
    endpoint = ResultsEndpoint(flowrra, token=token, limit=limit, exclude=exclude, max_runs=max_runs, secret=secret)
    blueprint = Blueprint(name or blueprint_name(), __name__)

    def results() -> Response:
        # A token callable runs here, in the request thread (Flask's request and the app's
        # sessions are usable); only the backend is read on the loop.
        allowed = endpoint.authorize(request, request.headers)
        reply = run_in_background_loop(endpoint.answer(allowed, request.headers, request.args.getlist, request.method))
        response = Response(reply.body, status=reply.status, headers=reply.headers)
        if "Content-Type" not in reply.headers:
            del response.headers["Content-Type"]  # Flask would label an empty 304 text/html
        return response

    blueprint.add_url_rule("/api/results", "results", results, methods=["GET"])
    blueprint.add_url_rule("/api/results/", "results", results, methods=["GET"])
    add_monitor_routes(blueprint, MonitorEndpoint(endpoint.authorize))
    return blueprint


def start_fanout(redis_url: str, channel: str = "flowrra:events", **options: Any) -> "Fanout":
    """Joins the fan-out (``flowrra_live.fanout``) from this WSGI process, on its background loop.

    The tasks run in the worker process: its changes reach this process's run index, and so the
    results endpoint and its cursors, only through the fan-out. Call it once at startup, in this
    process and (``await start_fanout(...)``) in the worker process. Stop it with
    ``run_in_background_loop(fanout.stop())`` if the process needs a clean exit.
    """
    from .fanout import start_fanout as start  # imports redis: only for apps that use the fan-out

    return run_in_background_loop(start(redis_url, channel, **options))


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
    does, for the worker process to run. This process starts no worker. Raises ``RuntimeError``
    when the app has no broker (Flowrra's in-process queue), where no other process could run it,
    and ``TimeoutError`` when the broker or backend has not answered within ``SUBMIT_TIMEOUT`` s.
    """
    return run_in_background_loop(_submit(flowrra, task_func, args, kwargs), SUBMIT_TIMEOUT)


async def _submit(flowrra: Any, task_func: Callable, args: tuple, kwargs: dict) -> str:
    executor = getattr(task_func, "_executor", None)
    if executor is not None and getattr(executor, "broker", None) is None:
        # Flowrra's in-process queue: nothing in another process would ever take the task (it
        # would stay pending), and once the queue is full put() would block this thread for good.
        raise RuntimeError(
            "flowrra_live.flask.submit needs a Flowrra app with a broker (Flowrra.from_urls(broker='redis://…', "
            "backend='redis://…')): with the in-process queue no worker process can run the task"
        )
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
