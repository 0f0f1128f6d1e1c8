"""Quart + Flowrra's socket + flowrra_live, sockets counted: ``hypercorn quart_app:asgi``."""

import flowrra_live.quart
from flowrra.ui.quart_websocket import setup_websocket
from flowrra_live.metrics import SocketCounter
from quart import Quart, request

from common import TOKEN, Lifecycle, flowrra, submit
from worker_pid import tag_sockets

app = Quart(__name__)
setup_websocket(app)
app.register_blueprint(flowrra_live.quart.create_blueprint(flowrra, token=TOKEN), url_prefix="/flowrra")
app.asgi_app = SocketCounter(app.asgi_app)
lifecycle = Lifecycle()
app.before_serving(lifecycle.start)
app.after_serving(lifecycle.stop)


@app.post("/test/submit")
async def submit_route():
    return {"task_ids": await submit(request.args["name"], int(request.args["count"]))}


asgi = tag_sockets(app)
