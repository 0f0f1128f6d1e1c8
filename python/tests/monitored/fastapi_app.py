"""FastAPI + Flowrra's socket + flowrra_live, sockets counted: ``uvicorn fastapi_app:app``."""

import flowrra_live.fastapi
from fastapi import FastAPI
from flowrra.ui.fastapi import create_router
from flowrra_live.metrics import SocketCounter

from common import TOKEN, Lifecycle, flowrra, submit
from worker_pid import tag_sockets

app = FastAPI()
app.include_router(create_router(flowrra), prefix="/flowrra")
app.include_router(flowrra_live.fastapi.create_router(flowrra, token=TOKEN), prefix="/flowrra")
app.add_middleware(SocketCounter)
lifecycle = Lifecycle()
app.on_event("startup")(lifecycle.start)
app.on_event("shutdown")(lifecycle.stop)


@app.post("/test/submit")
async def submit_route(name: str, count: int):
    return {"task_ids": await submit(name, count)}


asgi = tag_sockets(app)
