"""FastAPI app for end-user pages (see scoped_demo): run with uvicorn."""

import os

import flowrra_live
from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse
from flowrra.ui.fastapi import create_router

from scoped_demo import MOUNT_EXCLUDE, OPERATOR_TOKEN, SECRET, flowrra, start_fanout, submit, token

app = FastAPI()
app.include_router(create_router(flowrra), prefix="/flowrra")
app.include_router(flowrra_live.fastapi.create_router(flowrra, token=OPERATOR_TOKEN), prefix="/flowrra")
app.include_router(flowrra_live.fastapi.create_router(flowrra, secret=SECRET, exclude=MOUNT_EXCLUDE), prefix="/live")
links: list = []


@app.on_event("startup")
async def start():
    await flowrra.start()
    links.extend(await start_fanout())


@app.on_event("shutdown")
async def stop():
    for link in links:
        await link.stop()
    await flowrra.stop(wait=False)


@app.post("/test/submit")
async def test_submit(request: Request):
    return await submit(await request.json())


@app.get("/test/token", response_class=PlainTextResponse)
async def test_token(request: Request):
    return token(request.query_params)


@app.get("/test/pid")
async def test_pid():
    return {"pid": os.getpid()}
