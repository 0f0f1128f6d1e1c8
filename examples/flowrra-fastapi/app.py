"""A Flowrra app on FastAPI with live task updates in the page, by flowrra-client from a script tag.

    uvicorn app:app --host 127.0.0.1 --port 8000

then open http://127.0.0.1:8000/ (see README.md for what to install).
"""

import asyncio
import os
import random
from pathlib import Path

import flowrra_live.fastapi
from fastapi import FastAPI, HTTPException
from fastapi.responses import FileResponse
from flowrra import Flowrra
from flowrra.ui.fastapi import create_router
from flowrra_live.metrics import SocketCounter

HERE = Path(__file__).parent
# The SDK's script-tag bundle: in this repository `npm run build` writes it to dist/; elsewhere,
# point FLOWRRA_CLIENT_JS at your copy, or load it from a CDN in index.html instead.
CLIENT_JS = Path(os.environ.get("FLOWRRA_CLIENT_JS", HERE / ".." / ".." / "dist" / "flowrra-client.min.js"))
# The page's server panel, the demo page's own script.
SERVER_PANEL_JS = HERE / ".." / "demo" / "server-panel.js"

flowrra = Flowrra.from_urls()


@flowrra.task()
async def send_email(to: str):
    await asyncio.sleep(1)
    return f"sent to {to}"


@flowrra.task()
async def resize_image(width: int):
    await asyncio.sleep(3)
    return {"width": width, "height": width * 3 // 4}


@flowrra.task(max_retries=2, retry_delay=1)
async def sync_inventory():
    await asyncio.sleep(1)
    if random.random() < 0.6:
        raise RuntimeError("warehouse API timed out")
    return "42 items updated"


DEMO_TASKS = {
    "send_email": lambda: flowrra.submit(send_email, "ada@example.com"),
    "resize_image": lambda: flowrra.submit(resize_image, 1024),
    "sync_inventory": lambda: flowrra.submit(sync_inventory),
}

app = FastAPI()
# Flowrra's UI and its socket at /flowrra/ws, as in Flowrra's guide.
app.include_router(create_router(flowrra), prefix="/flowrra")
# The results endpoint the SDK polls: reconcile on open, and the fallback when the socket is blocked.
# It also serves /flowrra/metrics and /flowrra/api/metrics: give it token= in a real app.
app.include_router(flowrra_live.fastapi.create_router(flowrra), prefix="/flowrra")
# Counts the open sockets of /flowrra/ws for those figures.
app.add_middleware(SocketCounter)


@app.on_event("startup")
async def start():
    await flowrra.start()


@app.on_event("shutdown")
async def stop():
    await flowrra.stop(wait=False)


@app.get("/")
async def page():
    return FileResponse(HERE / "index.html")


@app.get("/flowrra-client.min.js")
async def client_js():
    if not CLIENT_JS.is_file():
        raise HTTPException(404, f"{CLIENT_JS} not found: run npm run build, or set FLOWRRA_CLIENT_JS")
    return FileResponse(CLIENT_JS, media_type="text/javascript")


@app.get("/server-panel.js")
async def server_panel_js():
    return FileResponse(SERVER_PANEL_JS, media_type="text/javascript")


@app.post("/submit/{name}")
async def submit(name: str):
    if name not in DEMO_TASKS:
        raise HTTPException(404, f"no demo task {name!r}")
    return {"task_id": await DEMO_TASKS[name]()}
