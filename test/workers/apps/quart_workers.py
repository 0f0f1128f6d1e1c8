"""Quart + Flowrra on Redis for ``hypercorn --workers 2`` (served as ``quart_workers:asgi``)."""

import os

import flowrra_live.quart
from flowrra.ui.quart_websocket import setup_websocket
from quart import Quart, request

from workload import Lifecycle, flowrra, ready_pids, submit, tag_sockets

app = Quart(__name__)
setup_websocket(app)
app.register_blueprint(flowrra_live.quart.create_blueprint(flowrra), url_prefix="/flowrra")
lifecycle = Lifecycle()
app.before_serving(lifecycle.start)
app.after_serving(lifecycle.stop)


@app.post("/test/submit")
async def submit_route():
    start, count = int(request.args["start"]), int(request.args["count"])
    return {"task_ids": await submit(start, count), "pid": os.getpid()}


@app.get("/test/ready")
async def ready_route():
    return {"pids": await ready_pids()}


asgi = tag_sockets(app)
