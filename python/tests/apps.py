"""Flowrra apps for the tests: real ones that ran tasks, and ones on a small fake backend."""

from __future__ import annotations

import datetime
from typing import Any

from flowrra import Flowrra
from flowrra.backends.base import BaseResultBackend
from flowrra.task import TaskResult, TaskStatus


class ListingBackend:
    """Holds TaskResults and lists them by status, as Flowrra's backends do."""

    def __init__(self, *results: TaskResult) -> None:
        self.results = list(results)

    async def list_by_status(self, status: TaskStatus, limit: int | None = None, offset: int = 0) -> list[TaskResult]:
        matching = [result for result in self.results if result.status == status]
        return matching[offset : None if limit is None else offset + limit]


class NoListingBackend:
    """A custom backend written before list_by_status existed."""

    async def get(self, task_id: str) -> None:
        return None


class BaseOnlyBackend(BaseResultBackend):
    """Flowrra's base class, whose list_by_status raises NotImplementedError."""

    async def store(self, task_id: str, result: TaskResult) -> None: ...

    async def get(self, task_id: str) -> None: ...

    async def wait_for(self, task_id: str, timeout: float | None) -> TaskResult:
        raise NotImplementedError


class DownBackend(ListingBackend):
    """A backend whose store is unreachable until `up` is set."""

    up = False

    async def list_by_status(self, status: TaskStatus, limit: int | None = None, offset: int = 0) -> list[TaskResult]:
        if not self.up:
            raise ConnectionError("Error 111 connecting to redis://:secret@127.0.0.1:1")
        return await super().list_by_status(status, limit, offset)


def at(minute: int, second: int = 0) -> datetime.datetime:
    return datetime.datetime(2026, 11, 30, 10, minute, second)


def result(task_id: str, status: str, **fields: Any) -> TaskResult:
    return TaskResult(task_id=task_id, status=TaskStatus(status), task_name="job", **fields)


def app_on(backend: Any, cpu_backend: Any = None) -> Flowrra:
    """A Flowrra app whose executors read the given backends (never started)."""
    flowrra = Flowrra()

    @flowrra.task()
    async def job() -> None: ...

    flowrra._io_executor.results = backend
    if cpu_backend is not None:
        # A CPU executor needs a Redis backend URL to be built; only its `results` is read.
        flowrra._cpu_executor = type("CPUExecutorStub", (), {"results": cpu_backend})()
    return flowrra


def ran(*calls: tuple[str, tuple]) -> tuple[Flowrra, list[str]]:
    """A real Flowrra app that ran `calls` one after another to their end; its task ids in order."""
    import asyncio

    flowrra = Flowrra()

    @flowrra.task(max_retries=0)
    async def add(a: int, b: int) -> int:
        return a + b

    @flowrra.task(max_retries=1, retry_delay=0)
    async def fail(message: str) -> None:
        raise RuntimeError(message)

    @flowrra.task(max_retries=0)
    async def moment(year: int) -> datetime.datetime:
        return datetime.datetime(year, 1, 2, 3, 4, 5)

    tasks = {"add": add, "fail": fail, "moment": moment}

    async def main() -> list[str]:
        await flowrra.start()
        ids = []
        for name, args in calls:
            task_id = await flowrra.submit(tasks[name], *args)
            await flowrra.wait_for_result(task_id, timeout=10)
            ids.append(task_id)
        await flowrra.stop()
        return ids

    return flowrra, asyncio.run(main())


def cpu_job() -> None:
    """A CPU-bound task must be module-level (Flowrra pickles it for its process pool)."""
