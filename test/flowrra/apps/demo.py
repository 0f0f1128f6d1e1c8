"""The Flowrra app, demo tasks and test-only submit logic shared by the three framework test apps.

FLOWRRA_LIVE=0 leaves flowrra_live out, so a test can face plain Flowrra.
"""

import asyncio
import os

from flowrra import Flowrra

LIVE = os.environ.get("FLOWRRA_LIVE", "1") != "0"

flowrra = Flowrra.from_urls()


@flowrra.task()
async def quick(n: int = 1):
    return {"double": n * 2}


@flowrra.task()
async def slow(seconds: float = 0.3):
    await asyncio.sleep(seconds)
    return f"slept {seconds}s"


# One retry, then failed: pending, running, retrying, running, failed.
@flowrra.task(max_retries=1, retry_delay=0.1)
async def fail(message: str = "boom"):
    raise RuntimeError(message)


TASKS = {"quick": quick, "slow": slow, "fail": fail}


async def submit(body: dict) -> dict:
    """`{"task": "slow", "args": [0.5]}` -> `{"task_id": "..."}`."""
    task_id = await flowrra.submit(TASKS[body["task"]], *body.get("args", []))
    return {"task_id": task_id}


async def submit_many(body: dict) -> dict:
    """`{"task": "quick", "count": 1000}` -> `{"task_ids": [...]}`, task i given the argument i:
    one request for a burst, so the burst is not paced by the test's round trips."""
    task = TASKS[body["task"]]
    return {"task_ids": [await flowrra.submit(task, index) for index in range(body["count"])]}
