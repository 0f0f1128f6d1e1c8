"""A plain (sync, WSGI) Flask app: it queues tasks and serves the results endpoint; flask_worker.py runs them."""

import flowrra_live.flask
from flask import Flask, request
from flowrra_live.background_loop import run_in_background_loop

from workload import REDIS, flowrra, job, kind_of, ready_pids

app = Flask(__name__)
app.register_blueprint(flowrra_live.flask.create_blueprint(flowrra), url_prefix="/flowrra")
# The endpoint answers from a run index: the worker process's changes reach it through the fan-out.
flowrra_live.flask.start_fanout(f"{REDIS}/0")


@app.post("/test/submit")
def submit_route():
    start, count = int(request.args["start"]), int(request.args["count"])
    return {"task_ids": [flowrra_live.flask.submit(flowrra, job, i, kind_of(i)) for i in range(start, start + count)]}


@app.get("/test/ready")
def ready_route():
    return {"pids": run_in_background_loop(ready_pids())}
