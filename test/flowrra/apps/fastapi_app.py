"""Flowrra's FastAPI setup from its guide, plus flowrra_live: run with uvicorn."""

from fastapi import FastAPI, Request
from flowrra.ui.fastapi import create_router

from demo import LIVE, flowrra, submit, submit_many

app = FastAPI()
app.include_router(create_router(flowrra), prefix="/flowrra")

if LIVE:
    import flowrra_live.fastapi

    app.include_router(flowrra_live.fastapi.create_router(flowrra), prefix="/flowrra")


@app.on_event("startup")
async def start():
    await flowrra.start()


@app.on_event("shutdown")
async def stop():
    await flowrra.stop(wait=False)


@app.post("/test/submit")
async def test_submit(request: Request):
    return await submit(await request.json())


@app.post("/test/submit_many")
async def test_submit_many(request: Request):
    return await submit_many(await request.json())
