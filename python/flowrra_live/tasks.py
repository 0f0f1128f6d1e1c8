"""Reading task runs from a Flowrra app's result backends, most recently changed first."""

from __future__ import annotations

import datetime
import heapq
import logging
from collections.abc import Mapping
from functools import partial
from typing import Any

from flowrra.task import TaskResult, TaskStatus

logger = logging.getLogger("flowrra_live")

#: The keys of Flowrra's ``TaskResult.to_dict``, in its order.
TASK_KEYS = (
    "task_id",
    "status",
    "task_name",
    "result",
    "error",
    "submitted_at",
    "started_at",
    "finished_at",
    "retries",
    "args",
    "kwargs",
)
TIMESTAMP_KEYS = ("submitted_at", "started_at", "finished_at")
_NEVER = datetime.datetime.min

# The SDK's rule for which of two states of one task is newer (docs/reference.md, "Ordering").
_PHASE = {"pending": 0, "retrying": 1, "running": 2, "success": 3, "failed": 3}


class ListingUnsupported(Exception):
    """No result backend of the app can list task runs (none has a working ``list_by_status``)."""

    def __init__(self, backends: list[Any]) -> None:
        self.backend_names = [type(backend).__name__ for backend in backends]
        super().__init__(", ".join(self.backend_names))


def result_backends(flowrra: Any) -> list[Any]:
    """The result backends of ``flowrra``'s executors, each once.

    Read at every request, not at mount time: an executor exists only once a task of its kind is
    registered, which may happen after the endpoint is created. Flowrra's own ``FlowrraManager``
    reaches the backend the same way, but reads only one executor; CPU-bound tasks may be stored
    in another backend, so both are read here.
    """
    backends: list[Any] = []
    for name in ("_io_executor", "_cpu_executor"):
        backend = getattr(getattr(flowrra, name, None), "results", None)
        if backend is not None and all(backend is not seen for seen in backends):
            backends.append(backend)
    return backends


async def read_tasks(flowrra: Any, limit: int) -> list[dict[str, Any]]:
    """The ``limit`` most recently changed task runs of the app's backends, as ``TaskResult.to_dict``
    dicts, newest change first.

    ``list_by_status`` is asked without a limit: it sorts by ``submitted_at``, which Flowrra
    stores only on pending results, so a limit there would cut an arbitrary subset of the others.
    Only the runs served are turned into dicts, so a large store costs one pass, not one
    ``to_dict`` per stored run. Raises :class:`ListingUnsupported` when backends exist and none
    can list; an app with no backend yet (no task registered) has no runs.
    """
    backends = result_backends(flowrra)
    by_id: dict[str, _Run] = {}
    listed = False
    for backend in backends:
        list_by_status = getattr(backend, "list_by_status", None)
        if list_by_status is None:
            continue
        try:
            for status in TaskStatus:
                for result in await list_by_status(status):
                    _keep_newer(by_id, _Run(result))
        except NotImplementedError:  # BaseResultBackend's default
            continue
        listed = True
    if backends and not listed:
        raise ListingUnsupported(backends)
    # Ties fall back to task_id so that every process orders the same data the same way.
    newest = heapq.nlargest(limit, by_id.values(), key=lambda run: (run.latest, run.task_id))
    return [task_dict(run.result) for run in newest]


def task_dict(result: Any) -> dict[str, Any]:
    """``result.to_dict`` (a property in Flowrra 0.1.8), or its fields if that fails; keys as strings."""
    if isinstance(result, Mapping):
        fields = result
    else:
        try:
            to_dict = result.to_dict
            fields = to_dict() if callable(to_dict) else to_dict
        except Exception:  # e.g. a timestamp stored as a string has no isoformat()
            fields = {key: getattr(result, key, None) for key in TASK_KEYS}
    return {str(key): value for key, value in fields.items()}


class _Run:
    """One stored result with what ordering needs, read from its fields without ``to_dict``.

    Built for every stored run at every poll, hence the direct attribute path for TaskResult.
    """

    __slots__ = ("result", "task_id", "latest", "order")

    def __init__(self, result: Any) -> None:
        if type(result) is TaskResult:
            task_id, status, retries = result.task_id, result.status, result.retries
            stamps = (result.submitted_at, result.started_at, result.finished_at)
        else:
            get = result.get if isinstance(result, Mapping) else partial(getattr, result)
            task_id, status, retries = get("task_id", None), get("status", None), get("retries", None)
            stamps = tuple(get(key, None) for key in TIMESTAMP_KEYS)
        latest = _NEVER
        for stamp in stamps:
            if stamp is not None:
                moment = _moment(stamp)
                if moment is not None and moment > latest:
                    latest = moment
        status = getattr(status, "value", status)
        phase = _PHASE.get(status) if isinstance(status, str) else None
        if phase is None:  # a status this version does not know: as the SDK ranks it
            phase = 3 if stamps[2] else 2
        self.result = result
        self.task_id = task_id
        self.latest = latest
        self.order = (retries if type(retries) is int else 0, phase, latest)


def _keep_newer(by_id: dict[str, _Run], run: _Run) -> None:
    # A task can be listed twice: under two statuses when it changed between two listings, or
    # by two executors sharing one Redis store.
    if not isinstance(run.task_id, str) or not run.task_id:
        logger.debug("flowrra_live: skipped a stored result without a task_id")
        return
    known = by_id.get(run.task_id)
    if known is None or run.order > known.order:
        by_id[run.task_id] = run


def _moment(value: Any) -> datetime.datetime | None:
    """A timestamp as a naive local datetime, Flowrra's own form, so that all compare."""
    if type(value) is datetime.datetime and value.tzinfo is None:
        return value  # the common case, kept cheap: this runs for every stored run at every poll
    try:
        if isinstance(value, str):
            value = datetime.datetime.fromisoformat(value)
        if isinstance(value, datetime.datetime):
            return value.astimezone().replace(tzinfo=None) if value.tzinfo is not None else value
    except (ValueError, OverflowError, OSError):
        pass
    return None
