"""Flowrra's FastAPI setup from its guide, plus flowrra_live: run with uvicorn."""

from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse
from flowrra.ui.fastapi import create_router

from demo import LIVE, MOUNT_EXCLUDE, SECRET, flowrra, start_links, submit, submit_many, token

app = FastAPI()
app.include_router(create_router(flowrra), prefix="/flowrra")
links: list = []

if LIVE:
    import flowrra_live.fastapi

    app.include_router(flowrra_live.fastapi.create_router(flowrra), prefix="/flowrra")
    app.include_router(flowrra_live.fastapi.create_router(flowrra, secret=SECRET, exclude=MOUNT_EXCLUDE), prefix="/live")

    @app.get("/test/token", response_class=PlainTextResponse)
    async def test_token(request: Request):
        return token(request.query_params)


@app.on_event("startup")
async def start():
    await flowrra.start()
    links.extend(await start_links())


@app.on_event("shutdown")
async def stop():
    for link in links:
        await link.stop()
    await flowrra.stop(wait=False)


@app.post("/test/submit")
async def test_submit(request: Request):
    return await submit(await request.json())


@app.post("/test/submit_many")
async def test_submit_many(request: Request):
    return await submit_many(await request.json())
