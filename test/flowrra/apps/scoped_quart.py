"""Quart app for end-user pages (see scoped_demo): run with hypercorn."""

import flowrra_live
from flowrra.ui.flask import create_blueprint
from flowrra.ui.quart_websocket import setup_websocket
from quart import Quart, request

from scoped_demo import MOUNT_EXCLUDE, OPERATOR_TOKEN, SECRET, flowrra, submit, token

app = Quart(__name__)
app.register_blueprint(create_blueprint(flowrra), url_prefix="/flowrra")
setup_websocket(app)
app.register_blueprint(flowrra_live.quart.create_blueprint(flowrra, token=OPERATOR_TOKEN), url_prefix="/flowrra")
app.register_blueprint(flowrra_live.quart.create_blueprint(flowrra, secret=SECRET, exclude=MOUNT_EXCLUDE), url_prefix="/live")


@app.before_serving
async def start():
    await flowrra.start()


@app.after_serving
async def stop():
    await flowrra.stop(wait=False)


@app.post("/test/submit")
async def test_submit():
    return await submit(await request.get_json())


@app.get("/test/token")
async def test_token():
    return token(request.args), 200, {"Content-Type": "text/plain"}
