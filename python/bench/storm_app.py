"""The app the reconnect-storm bench (storm.py) serves with uvicorn: FastAPI, Flowrra's in-memory
backend holding STORED runs, the results endpoint of VARIANT (``before``: the whole-store read,
``after``: the run index), a static body of the same size, and the server's own figures.
"""

import asyncio
import datetime
import os
import sys
import time
from pathlib import Path

from fastapi import FastAPI, Response
from flowrra import Flowrra
from flowrra.task import TaskResult, TaskStatus

sys.path.insert(0, str(Path(__file__).resolve().parent))
if os.environ["VARIANT"] == "before":
    import before

    before.install()
    import flowrra_live_before.fastapi as live
else:
    import flowrra_live.fastapi as live

flowrra = Flowrra()


@flowrra.task()
async def job(n: int) -> dict:
    return {"n": n}


_start = datetime.datetime(2026, 1, 1)
_results = flowrra._io_executor.results._results
for _n in range(int(os.environ["STORED"])):
    _moment = _start + datetime.timedelta(seconds=_n)
    _results[f"task-{_n}"] = TaskResult(task_id=f"task-{_n}", status=list(TaskStatus)[_n % 5], task_name="job", result={"n": _n}, started_at=_moment, finished_at=_moment)

app = FastAPI()
app.include_router(live.create_router(flowrra), prefix="/flowrra")
state = {"gap": 0.0, "step": 0.0, "static": b""}
_run_handle = asyncio.events.Handle._run


def _timed_run(handle) -> None:
    # The longest single step of the loop (one callback, or one task step): the ticker's gap also
    # counts the loop's pass over 200 connections ready at once, which no handler can shorten.
    start = time.perf_counter()
    _run_handle(handle)
    state["step"] = max(state["step"], time.perf_counter() - start)


asyncio.events.Handle._run = _timed_run


async def tick() -> None:
    # The event loop's longest stall: a 1 ms sleep that woke late.
    while True:
        before_sleep = time.perf_counter()
        await asyncio.sleep(0.001)
        state["gap"] = max(state["gap"], time.perf_counter() - before_sleep - 0.001)


@app.on_event("startup")
async def startup() -> None:
    app.state.ticker = asyncio.create_task(tick())


@app.post("/bench/reset")
async def reset(static_size: int = 0) -> dict:
    state["gap"] = state["step"] = 0.0
    if static_size:
        state["static"] = b"[" + b" " * (static_size - 2) + b"]"
    return {"cpu": time.process_time()}


@app.get("/bench/stats")
async def stats() -> dict:
    return {"cpu": time.process_time(), "gap_ms": state["gap"] * 1000, "step_ms": state["step"] * 1000}


@app.get("/bench/static")
async def static() -> Response:
    return Response(state["static"], media_type="application/json", headers={"Cache-Control": "no-cache"})
