"""What every multi-worker test app shares: Flowrra on Redis, the test task, and the test-only routes' logic.

Environment: REDIS (``redis://127.0.0.1:PORT``), FANOUT=1 to start flowrra_live's fan-out.
"""

from __future__ import annotations

import asyncio
import os
import time

import redis.asyncio as aioredis
from flowrra import Flowrra
from flowrra.events import event_bus
from worker_pid import tag_sockets  # noqa: F401  (re-exported for the apps)

REDIS = os.environ["REDIS"]
# Redis databases: 0 broker, 1 result backend, 2 this app's bookkeeping (attempts, ready pids).
flowrra = Flowrra.from_urls(broker=f"{REDIS}/0", backend=f"{REDIS}/1")
_books = aioredis.Redis.from_url(f"{REDIS}/2")


def kind_of(index: int) -> str:
    """Every 10th task always fails (after its one retry), every 10th+1 fails once then succeeds."""
    return {0: "fail", 1: "flaky"}.get(index % 10, "ok")


@flowrra.task(max_retries=1, retry_delay=0.02)
async def job(index: int, kind: str) -> dict:
    # Counted in Redis: a retry may run in the other process.
    attempt = await _books.incr(f"attempts:{index}")
    await asyncio.sleep(0.002 * (index % 5))
    if kind == "fail" or (kind == "flaky" and attempt == 1):
        raise RuntimeError(f"job {index} failed on attempt {attempt}")
    return {"index": index, "pid": os.getpid()}


class Lifecycle:
    """Starts Flowrra, the fan-out (with FANOUT=1) and the worker watchdog; says when this process is ready."""

    def __init__(self) -> None:
        self.fanout = None
        self.watchdog = None

    async def start(self) -> None:
        from flowrra_live.workers import keep_workers_alive

        await flowrra.start()
        self.watchdog = keep_workers_alive(flowrra, interval=0.1)
        if os.environ.get("FANOUT") == "1":
            from flowrra_live.fanout import start_fanout

            self.fanout = await start_fanout(f"{REDIS}/0")
        await _books.sadd("ready", os.getpid())

    async def stop(self) -> None:
        if self.fanout is not None:
            await self.fanout.stop()
        self.watchdog.cancel()
        await flowrra.stop(wait=False)


async def submit(start: int, count: int) -> list[str]:
    return [await flowrra.submit(job, index, kind_of(index)) for index in range(start, start + count)]


async def emit_synthetic(run: str, count: int) -> None:
    """For the fan-out bench: `count` task frames straight onto this process's event_bus, each
    stamped with the wall-clock time of its emit (`emitted_at`, s) and the emitting pid."""
    pid = os.getpid()
    for index in range(count):
        task = {"task_id": f"{run}-{pid}-{index}", "status": "running", "task_name": "bench", "retries": 0}
        await event_bus.emit({"type": "task.update", "task": {**task, "pid": pid, "emitted_at": time.time()}})


async def ready_pids() -> list[int]:
    return sorted(int(pid) for pid in await _books.smembers("ready"))
