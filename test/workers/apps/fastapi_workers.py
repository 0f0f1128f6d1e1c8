"""FastAPI + Flowrra on Redis for ``uvicorn --workers 2`` (served as ``fastapi_workers:asgi``)."""

import os

import flowrra_live.fastapi
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from flowrra.ui.fastapi import create_router as flowrra_ui_router

from workload import Lifecycle, emit_synthetic, flowrra, ready_pids, submit, tag_sockets

app = FastAPI()
app.include_router(flowrra_ui_router(flowrra), prefix="/flowrra")
app.include_router(flowrra_live.fastapi.create_router(flowrra), prefix="/flowrra")
lifecycle = Lifecycle()
app.on_event("startup")(lifecycle.start)
app.on_event("shutdown")(lifecycle.stop)


@app.post("/test/submit")
async def submit_route(start: int, count: int):
    return {"task_ids": await submit(start, count), "pid": os.getpid()}


@app.post("/test/emit")
async def emit_route(run: str, count: int, pid: int):
    # The bench picks the emitting worker: a request that landed on the other one emits nothing.
    if pid != os.getpid():
        return JSONResponse({"pid": os.getpid()}, status_code=409)
    await emit_synthetic(run, count)
    return {"pid": pid}


@app.get("/test/ready")
async def ready_route():
    return {"pids": await ready_pids()}


asgi = tag_sockets(app)
