"""Events waiting for Redis: bounded, the oldest dropped first, and counted."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

__all__ = ["Backlog"]

_CLOSED = object()


class Backlog:
    """A queue of at most ``size`` events that never makes its producer wait.

    When it is full the oldest event goes: a later event of the same task supersedes it, and the
    ``dropped`` count tells the change log that cursors from before are no longer whole.
    """

    def __init__(self, size: int, on_drop: Callable[[], None] = lambda: None) -> None:
        # Bounded here rather than by the queue, so that close() always gets its marker in.
        self._queue: asyncio.Queue[Any] = asyncio.Queue()
        self.size = size
        self.dropped = 0
        self._on_drop = on_drop

    def put(self, event: Any) -> None:
        if self._queue.qsize() >= self.size:
            self._queue.get_nowait()
            self._queue.task_done()
            self.dropped += 1
            self._on_drop()
        self._queue.put_nowait(event)

    def close(self) -> None:
        """Ends the consumer's wait: :meth:`batch` returns ``None`` once what is queued is taken."""
        self._queue.put_nowait(_CLOSED)

    async def batch(self) -> list[Any] | None:
        """Waits for one event, then takes every one queued behind it; ``None`` once closed."""
        batch = [await self._queue.get()]
        while not self._queue.empty():
            batch.append(self._queue.get_nowait())
        if batch[-1] is _CLOSED:
            return None
        return batch

    def done(self, count: int) -> None:
        for _ in range(count):
            self._queue.task_done()

    async def drained(self) -> None:
        await self._queue.join()
