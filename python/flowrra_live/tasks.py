"""What flowrra_live reads of Flowrra's task results: the backends, a result as a dict, and which state is newer."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from functools import partial
from typing import Any

from flowrra.task import TaskResult

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
#: Keys the SDK's task schema requires (``src/schema.ts``): a task without them is rejected.
REQUIRED_KEYS = frozenset({"task_id", "status"})
#: Keys ``exclude=`` accepts. Checked so that a typo (``"arg"``) cannot leave ``args`` exposed.
EXCLUDABLE_KEYS = frozenset(TASK_KEYS) - REQUIRED_KEYS
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
    """The result backends of ``flowrra``'s executors, each store once.

    The IO and CPU executors may hold two backend objects for one store (two ``RedisBackend``s for
    one URL when a CPU task is registered): they are told apart by URL, not by object, so that one
    store is read once. Flowrra's own ``FlowrraManager`` reads only the IO executor's.
    """
    backends: dict[Any, Any] = {}
    for name in ("_io_executor", "_cpu_executor"):
        backend = getattr(getattr(flowrra, name, None), "results", None)
        if backend is not None:
            backends.setdefault(store_key(backend), backend)
    return list(backends.values())


def store_key(backend: Any) -> Any:
    """What identifies the store a backend reads: its URL when it has one (Redis), else the object."""
    url = getattr(backend, "_url", None)
    return ("url", url) if isinstance(url, str) else ("object", id(backend))


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


def recency(result: Any) -> tuple[str | None, tuple, datetime.datetime]:
    """``(task_id, order, latest)`` of a stored result or a task dict, read without ``to_dict``.

    ``order`` ranks two states of one task as the SDK does (retries, then phase, then time): the
    index never replaces a state with an older one. ``latest`` is the latest of the three
    timestamps, what the seed sorts by. Runs for every stored result at startup, hence the direct
    attribute path for TaskResult.
    """
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
    if not isinstance(task_id, str) or not task_id:
        task_id = None
    return task_id, (retries if type(retries) is int else 0, phase, latest), latest


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


def checked_exclude(exclude: Iterable[str]) -> frozenset[str]:
    """``exclude`` as a set of task keys, or ``TypeError``/``ValueError`` for what it cannot be."""
    if isinstance(exclude, str):
        raise TypeError(f"exclude takes a collection of keys, e.g. {{{exclude!r}}}, not a string")
    keys = frozenset(exclude)
    required = sorted(keys & REQUIRED_KEYS)
    if required:
        raise ValueError(f"exclude cannot remove {', '.join(required)}: the SDK needs them to know the task")
    unknown = sorted(map(str, keys - EXCLUDABLE_KEYS))
    if unknown:
        raise ValueError(f"exclude got unknown keys {unknown}; it takes {sorted(EXCLUDABLE_KEYS)}")
    return keys
