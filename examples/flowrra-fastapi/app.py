"""A Flowrra app on FastAPI with live task updates in the page, by flowrra-client from a script tag.

    uvicorn app:app --host 127.0.0.1 --port 8000

then open http://127.0.0.1:8000/ (see README.md for what to install): the operator's page with
every task, and, after /login/ann or /login/bob, /me: a user's page with only their own tasks.
"""

import asyncio
import os
import random
import secrets
from pathlib import Path

import flowrra_live
from fastapi import Cookie, FastAPI, HTTPException
from fastapi.responses import FileResponse, PlainTextResponse, RedirectResponse
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
# What a signed-in user may submit from their page.
USER_TASKS = {
    "send_email": lambda user: flowrra.submit(send_email, f"{user}@example.com"),
    "resize_image": lambda user: flowrra.submit(resize_image, 640),
}
# Signs the read tokens of users' pages. Set it in production (one value for every worker); a random
# one per start is enough for the demo.
SECRET = os.environ.get("FLOWRRA_LIVE_SECRET") or secrets.token_urlsafe(32)
# The demo's "accounts": a plain cookie names the user. A real app takes the user from its session.
DEMO_USERS = {"ann", "bob"}

app = FastAPI()
# Flowrra's UI and its socket at /flowrra/ws, as in Flowrra's guide.
app.include_router(create_router(flowrra), prefix="/flowrra")
# The results endpoint the SDK polls: reconcile on open, and the fallback when the socket is blocked.
# It also serves /flowrra/metrics and /flowrra/api/metrics: give it token= in a real app.
app.include_router(flowrra_live.fastapi.create_router(flowrra), prefix="/flowrra")
# Users' pages: the scoped socket (/live/ws) and poll (/live/api/results) serve only the runs a read
# token grants, never their args and kwargs. (In a real app /flowrra stays behind operator auth.)
app.include_router(flowrra_live.fastapi.create_router(flowrra, secret=SECRET, exclude={"args", "kwargs"}), prefix="/live")
# Counts the open sockets of /flowrra/ws and /live/ws for /flowrra/api/metrics.
app.add_middleware(SocketCounter, paths={"/flowrra/ws": "flowrra", "/live/ws": "live"})


@app.on_event("startup")
async def start():
    await flowrra.start()


@app.on_event("shutdown")
async def stop():
    await flowrra.stop(wait=False)


@app.get("/")
async def page():
    return FileResponse(HERE / "index.html")


@app.get("/task-table.js")
async def task_table_js():
    return FileResponse(HERE / "task-table.js", media_type="text/javascript")


@app.get("/style.css")
async def style_css():
    return FileResponse(HERE / "style.css", media_type="text/css")


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


def signed_in(user: str | None) -> str:
    if user not in DEMO_USERS:
        raise HTTPException(401, "sign in first: /login/ann or /login/bob")
    return user


@app.get("/login/{user}")
async def login(user: str):
    response = RedirectResponse("/me", status_code=303)
    response.set_cookie("demo_user", signed_in(user), httponly=False, samesite="lax")
    return response


@app.get("/me")
async def my_page(demo_user: str | None = Cookie(default=None)):
    signed_in(demo_user)
    return FileResponse(HERE / "me.html")


@app.get("/me/token", response_class=PlainTextResponse)
async def my_token(demo_user: str | None = Cookie(default=None)):
    # Asked by the page's SDK at start and whenever a token expires: the user's runs, for 10 minutes.
    return flowrra_live.read_token(SECRET, tags=[f"user:{signed_in(demo_user)}"], expires_in=600)


@app.post("/me/submit/{name}")
async def my_submit(name: str, demo_user: str | None = Cookie(default=None)):
    user = signed_in(demo_user)
    if name not in USER_TASKS:
        raise HTTPException(404, f"no demo task {name!r}")
    task_id = await USER_TASKS[name](user)
    flowrra_live.tag(task_id, f"user:{user}")
    # A one-run token too, for a page that watches just this run (watchTask).
    return {"task_id": task_id, "token": flowrra_live.read_token(SECRET, task_ids=[task_id])}
