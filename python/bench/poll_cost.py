"""What one poll of /api/results costs the server, against Flowrra's own listing in the same run.

Each poll reads the whole result store (see python/README.md, "Order"), so its cost grows with the
store. The baseline is FlowrraManager listing all five statuses, what Flowrra's own UI reads.

    /usr/bin/python3 python/bench/poll_cost.py [stored runs ...]   # default 1000 10000 50000

Flowrra is found as for the tests: installed, else $FLOWRRA_SRC, else ../shared/flowrra-0.1.8/src.
"""

from __future__ import annotations

import asyncio
import datetime
import os
import sys
import time
from pathlib import Path

PYTHON_DIR = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(PYTHON_DIR), os.environ.get("FLOWRRA_SRC") or str(PYTHON_DIR.parents[1] / "shared" / "flowrra-0.1.8" / "src")]

from flowrra import Flowrra  # noqa: E402
from flowrra.management import FlowrraManager  # noqa: E402
from flowrra.task import TaskResult, TaskStatus  # noqa: E402

from flowrra_live import ResultsEndpoint  # noqa: E402


async def best_of(runs: int, action) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        await action()
        best = min(best, time.perf_counter() - start)
    return best * 1000


async def measure(stored: int) -> None:
    flowrra = Flowrra()

    @flowrra.task()
    async def job(n: int) -> dict:
        return {"n": n}

    backend = flowrra._io_executor.results
    statuses = list(TaskStatus)
    start = datetime.datetime(2026, 1, 1)
    for n in range(stored):
        moment = start + datetime.timedelta(seconds=n)
        result = TaskResult(task_id=f"task-{n}", status=statuses[n % 5], task_name="job", result={"n": n}, started_at=moment, finished_at=moment)
        await backend.store(result.task_id, result)

    endpoint = ResultsEndpoint(flowrra)

    async def poll(if_none_match: str | None = None):
        return await endpoint.respond(None, {"If-None-Match": if_none_match} if if_none_match else {}, [])

    etag = (await poll()).headers["ETag"]
    full = await best_of(9, poll)
    not_modified = await best_of(9, lambda: poll(etag))
    manager = FlowrraManager(flowrra)

    async def flowrra_listing():
        for status in statuses:
            await manager._list_tasks_by_status(status, None)

    baseline = await best_of(9, flowrra_listing)
    print(
        f"{stored:>7} stored runs: 200 poll {full:7.1f} ms, 304 poll {not_modified:7.1f} ms; "
        f"FlowrraManager over all statuses {baseline:7.1f} ms; 304 poll / Flowrra listing = {not_modified / baseline:.2f}"
    )


async def main() -> None:
    for stored in [int(arg) for arg in sys.argv[1:]] or [1_000, 10_000, 50_000]:
        await measure(stored)


if __name__ == "__main__":
    asyncio.run(main())
