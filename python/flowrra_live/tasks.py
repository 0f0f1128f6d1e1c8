"""Reading task runs from a Flowrra app's result backends, most recently changed first."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Mapping
from typing import Any

from flowrra.task import TaskStatus

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


async def read_tasks(flowrra: Any) -> list[dict[str, Any]]:
    """Every task run the app's backends hold, as ``TaskResult.to_dict`` dicts, newest change first.

    ``list_by_status`` is asked without a limit: it sorts by ``submitted_at``, which Flowrra
    stores only on pending results, so a limit there would cut an arbitrary subset of the others.
    Raises :class:`ListingUnsupported` when backends exist and none can list; an app with no
    backend yet (no task registered) has no runs.
    """
    backends = result_backends(flowrra)
    by_id: dict[str, dict[str, Any]] = {}
    listed = False
    for backend in backends:
        list_by_status = getattr(backend, "list_by_status", None)
        if list_by_status is None:
            continue
        try:
            for status in TaskStatus:
                for result in await list_by_status(status):
                    _keep_newer(by_id, task_dict(result))
        except NotImplementedError:  # BaseResultBackend's default
            continue
        listed = True
    if backends and not listed:
        raise ListingUnsupported(backends)
    # Ties fall back to task_id so that every process orders the same data the same way.
    return sorted(by_id.values(), key=lambda task: (_latest(task), str(task["task_id"])), reverse=True)


def task_dict(result: Any) -> dict[str, Any]:
    """``result.to_dict`` (a property in Flowrra 0.1.8), or its fields if that fails."""
    if isinstance(result, Mapping):
        return dict(result)
    try:
        to_dict = result.to_dict
        return dict(to_dict() if callable(to_dict) else to_dict)
    except Exception:  # e.g. a timestamp stored as a string has no isoformat()
        return {key: getattr(result, key, None) for key in TASK_KEYS}


def _keep_newer(by_id: dict[str, dict[str, Any]], task: dict[str, Any]) -> None:
    # A task can be listed twice: under two statuses when it changed between two listings, or
    # by two executors sharing one Redis store.
    task_id = task.get("task_id")
    if not isinstance(task_id, str) or not task_id:
        logger.debug("flowrra_live: skipped a stored result without a task_id")
        return
    known = by_id.get(task_id)
    if known is None or _order(task) > _order(known):
        by_id[task_id] = task


def _order(task: dict[str, Any]) -> tuple[int, int, float]:
    retries = task.get("retries")
    status = getattr(task.get("status"), "value", task.get("status"))
    phase = _PHASE.get(status, 3 if task.get("finished_at") else 2)  # type: ignore[arg-type]
    return (retries if type(retries) is int else 0, phase, _latest(task))


def _latest(task: dict[str, Any]) -> float:
    moments = [_moment(task.get(key)) for key in TIMESTAMP_KEYS]
    return max((moment for moment in moments if moment is not None), default=float("-inf"))


def _moment(value: Any) -> float | None:
    try:
        if isinstance(value, str):
            value = datetime.datetime.fromisoformat(value)
        if isinstance(value, datetime.datetime):
            return value.timestamp()  # naive means local time, as Flowrra writes them
    except (ValueError, OverflowError, OSError):
        pass
    return None
