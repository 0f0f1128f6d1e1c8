"""Keeps a Flowrra app's task workers running across Redis restarts.

Flowrra 0.1.8's worker coroutines catch only timeouts: when the broker connection drops (Redis
restarted, a failover), each one ends for good and that process runs no task again, while its web
side goes on serving. ``keep_workers_alive`` replaces every ended worker, so the process takes
tasks again as soon as Redis is back. It reads the executors' worker lists, an internal of
Flowrra 0.1.8: drop it once Flowrra restarts its own workers.
"""

from __future__ import annotations

import asyncio
import logging

__all__ = ["keep_workers_alive"]

logger = logging.getLogger("flowrra_live.workers")


def keep_workers_alive(flowrra, interval: float = 0.5) -> asyncio.Task:
    """Starts a watchdog on the running loop; cancel the returned task at shutdown (before ``flowrra.stop()``)."""
    return asyncio.create_task(_watch(flowrra, interval))


async def _watch(flowrra, interval: float) -> None:
    reported = False
    while True:
        await asyncio.sleep(interval)
        errors = replace_ended_workers(flowrra)
        if errors and not reported:
            # Once per outage (replaced workers may end again until Redis is back), with the
            # error that ended the first one: the cause is in it (a dropped link, or a bug).
            error = next((error for error in errors if error is not None), None)
            logger.warning(
                "flowrra_live: %d Flowrra workers ended (Redis dropped?); restarting them until they stay up. The first ended on: %r",
                len(errors), error, exc_info=error,
            )
        reported = bool(errors)


def replace_ended_workers(flowrra) -> list[BaseException | None]:
    """Starts a fresh worker in place of each one that ended; returns the error that ended each
    (``None`` for one that returned or was cancelled)."""
    if not flowrra.is_running:
        return []
    errors: list[BaseException | None] = []
    for executor in (flowrra._io_executor, flowrra._cpu_executor):
        if executor is None or not executor.is_running:
            continue
        for index, worker in enumerate(executor._workers):
            if worker.done():
                # Retrieved here, so asyncio does not log it again at collection.
                errors.append(None if worker.cancelled() else worker.exception())
                executor._workers[index] = asyncio.create_task(executor._worker(index))
    return errors
