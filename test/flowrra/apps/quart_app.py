"""Flowrra's Quart setup from its guide, plus flowrra_live: run with hypercorn."""

from flowrra.ui.flask import create_blueprint
from flowrra.ui.quart_websocket import setup_websocket
from quart import Quart, request

from demo import LIVE, MOUNT_EXCLUDE, SECRET, flowrra, start_links, submit, submit_many, token

app = Quart(__name__)
app.register_blueprint(create_blueprint(flowrra), url_prefix="/flowrra")
setup_websocket(app)
links: list = []

if LIVE:
    import flowrra_live.quart

    app.register_blueprint(flowrra_live.quart.create_blueprint(flowrra), url_prefix="/flowrra")
    app.register_blueprint(flowrra_live.quart.create_blueprint(flowrra, secret=SECRET, exclude=MOUNT_EXCLUDE), url_prefix="/live")

    @app.get("/test/token")
    async def test_token():
        return token(request.args), 200, {"Content-Type": "text/plain"}


@app.before_serving
async def start():
    await flowrra.start()
    links.extend(await start_links())


@app.after_serving
async def stop():
    for link in links:
        await link.stop()
    await flowrra.stop(wait=False)


@app.post("/test/submit")
async def test_submit():
    return await submit(await request.get_json())


@app.post("/test/submit_many")
async def test_submit_many():
    return await submit_many(await request.get_json())
