"""An app's run index: made once per Flowrra app, fed by the event bus, seeded once from the result backends.

The seed reads what the backends held before the index listened, without stalling the event loop
(a page of the store per chunk, the parsing in a thread): Flowrra's ``InMemoryBackend`` is copied
in one C-level step and sorted in a thread; a ``RedisBackend`` is scanned once per key, in a
thread, on a connection of its own (``list_by_status`` would scan it once per status); any other
backend is listed through ``list_by_status`` on the loop. Each store is read once even when two
executors hold it (see ``tasks.result_backends``).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import heapq
import json
import weakref
from collections.abc import Callable
from typing import Any

from flowrra.backends.memory import InMemoryBackend
from flowrra.events import event_bus
from flowrra.task import TaskStatus

from .changelog import feed_of, from_shared_log
from .index import RunIndex
from .tasks import ListingUnsupported, recency, result_backends, task_dict

__all__ = ["AppIndex", "held_runs", "index_of"]

# How many results the loop takes into the index before it lets others run.
_CHUNK = 500
_REDIS_KEYS = "flowrra:task:*"


class AppIndex:
    """A Flowrra app's :class:`RunIndex` and its one-time seed."""

    def __init__(self, flowrra: Any, max_runs: int, bus: Any = event_bus) -> None:
        self.index = RunIndex(max_runs)
        #: The event loop that feeds the index (Flowrra's, or the WSGI background loop), once seen:
        #: a change from another thread (a sync view) is handed to it.
        self.loop: asyncio.AbstractEventLoop | None = None
        self._flowrra = weakref.ref(flowrra)
        self._seeded: concurrent.futures.Future | None = None
        feed_of(bus).join(self.index)
        bus.subscribe(_listener(bus, self))

    async def ready(self) -> RunIndex:
        """The index, once seeded. The first caller seeds it (on its loop); others wait for that.
        A seed that failed (the backend was down) raises here and is tried again by the next call."""
        self.loop = asyncio.get_running_loop()
        seeded = self._seeded
        if seeded is None:
            seeded = self._seeded = concurrent.futures.Future()
            try:
                await seed(self.index, self._flowrra())
            except BaseException as error:
                self._seeded = None
                seeded.set_exception(error)
                raise
            seeded.set_result(None)
        elif not seeded.done():
            await asyncio.wrap_future(seeded)
        else:
            seeded.result()
        return self.index


_apps: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def index_of(flowrra: Any, max_runs: int) -> AppIndex:
    """The one :class:`AppIndex` of ``flowrra``, made (and subscribed to the bus) on first use."""
    app = _apps.get(flowrra)
    if app is None:
        app = _apps[flowrra] = AppIndex(flowrra, max_runs)
    elif app.index.max_runs != max_runs:
        raise ValueError(f"this Flowrra app's run index already keeps max_runs={app.index.max_runs}; every mount of one app must give the same")
    return app


def held_runs() -> int | None:
    """Runs held by this process's run indexes; None before a mount made one (metrics' ``flowrra_live_runs``)."""
    apps = list(_apps.values())
    return sum(len(app.index) for app in apps) if apps else None


def _listener(bus: Any, app: AppIndex) -> Callable:
    # Weak, and gone at the first event after its app: the bus has no sync unsubscribe, and a
    # mount made at import time has no shutdown hook to unsubscribe it.
    ref = weakref.ref(app)

    async def flowrra_live_index(event: dict) -> None:
        target = ref()
        if target is None:
            await bus.unsubscribe(flowrra_live_index)
            return
        target.loop = asyncio.get_running_loop()
        if from_shared_log.get() or not isinstance(event, dict):
            return
        task = event.get("task")
        if event.get("type") == "task.update" and isinstance(task, dict):
            target.index.record(task)

    return flowrra_live_index


async def seed(index: RunIndex, flowrra: Any) -> None:
    """Adds to ``index`` the newest ``max_runs`` runs the app's backends hold."""
    if flowrra is None:
        return
    backends = result_backends(flowrra)
    loop = asyncio.get_running_loop()
    results: list[Any] = []
    listed = not backends
    for backend in backends:
        reader = _thread_reader(backend)
        if reader is not None:
            results.extend(await loop.run_in_executor(None, reader))
            listed = True
            continue
        listing = await _list_on_loop(backend)
        if listing is not None:
            results.extend(listing)
            listed = True
    if not listed:
        raise ListingUnsupported(backends)
    newest = await loop.run_in_executor(None, _newest_tasks, results, index.max_runs)
    for start in range(0, len(newest), _CHUNK):
        index.seed(newest[start : start + _CHUNK])
        await asyncio.sleep(0)


def _thread_reader(backend: Any) -> Callable[[], list[Any]] | None:
    if type(backend) is InMemoryBackend:
        # One C call under the GIL: a consistent copy even while the loop stores results.
        return lambda: list(backend._results.values())
    if type(backend).__name__ == "RedisBackend" and isinstance(getattr(backend, "_url", None), str):
        return lambda: _scan_redis(backend._url, getattr(backend, "_kwargs", {}))
    return None


def _scan_redis(url: str, options: dict) -> list[dict]:
    """Every stored result of a Redis backend, each key read once (a thread's own connection)."""
    import redis

    client = redis.Redis.from_url(url, decode_responses=True, **options)
    try:
        tasks = []
        keys: list[str] = []
        for key in client.scan_iter(match=_REDIS_KEYS, count=1000):
            keys.append(key)
            if len(keys) == 1000:
                tasks.extend(_parsed(client.mget(keys)))
                keys = []
        if keys:
            tasks.extend(_parsed(client.mget(keys)))
        return tasks
    finally:
        client.close()


def _parsed(values: list[str | None]) -> list[dict]:
    tasks = []
    for value in values:
        if value is None:  # expired between SCAN and MGET
            continue
        try:
            task = json.loads(value)
        except ValueError:
            continue
        if isinstance(task, dict):
            tasks.append(task)
    return tasks


async def _list_on_loop(backend: Any) -> list[Any] | None:
    list_by_status = getattr(backend, "list_by_status", None)
    if list_by_status is None:
        return None
    results: list[Any] = []
    try:
        for status in TaskStatus:
            results.extend(await list_by_status(status))
    except NotImplementedError:  # BaseResultBackend's default
        return None
    return results


def _newest_tasks(results: list[Any], limit: int) -> list[dict[str, Any]]:
    """The ``limit`` most recently changed runs as task dicts, newest first, each once in its newest state.

    Runs in a thread: it touches every stored result. Ties fall back to task_id, so that every
    process orders the same data the same way.
    """
    by_id: dict[str, tuple] = {}
    for result in results:
        task_id, order, latest = recency(result)
        if task_id is None:
            continue
        known = by_id.get(task_id)
        # A task can be listed twice: by two stores, or under two statuses when it changed between two listings.
        if known is None or order > known[1]:
            by_id[task_id] = (latest, order, result)
    newest = heapq.nlargest(limit, by_id.items(), key=lambda item: (item[1][0], item[0]))
    return [task_dict(result) for _, (_, _, result) in newest]


def app_indexes() -> list[AppIndex]:
    """The :class:`AppIndex` of every Flowrra app mounted in this process."""
    return list(_apps.values())
