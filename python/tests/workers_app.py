"""FastAPI + Flowrra on Redis with the fan-out, for ``uvicorn --workers 2`` (served as ``workers_app:app``).

Environment: REDIS (``redis://127.0.0.1:PORT``). Every answer says which worker gave it (``X-Worker-Pid``).
"""

import os

from fastapi import FastAPI, Request
from flowrra import Flowrra

import flowrra_live
from flowrra_live.fanout import start_fanout

REDIS = os.environ["REDIS"]
flowrra = Flowrra.from_urls(broker=f"{REDIS}/0", backend=f"{REDIS}/1")


@flowrra.task(max_retries=0)
async def job(n: int) -> int:
    return n


app = FastAPI()
app.include_router(flowrra_live.fastapi.create_router(flowrra), prefix="/flowrra")


@app.middleware("http")
async def say_which_worker(request: Request, call_next):
    response = await call_next(request)
    response.headers["X-Worker-Pid"] = str(os.getpid())
    return response


@app.on_event("startup")
async def startup() -> None:
    await flowrra.start()
    app.state.fanout = await start_fanout(f"{REDIS}/0", channel="test:workers")


@app.on_event("shutdown")
async def shutdown() -> None:
    await app.state.fanout.stop()
    await flowrra.stop(wait=False)


@app.post("/test/submit")
async def submit(start: int, count: int) -> dict:
    return {"task_ids": [await flowrra.submit(job, n) for n in range(start, start + count)]}
