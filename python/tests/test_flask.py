"""flowrra_live.flask.submit: a sync web process queues tasks that a separate worker process runs."""

from __future__ import annotations

import asyncio

import pytest
from conftest import require
from flowrra import Flowrra
from redis_server import RedisServer


@pytest.fixture
def redis_server():
    server = RedisServer().start()
    yield server
    server.stop()


def make_app(server: RedisServer):
    app = Flowrra.from_urls(broker=server.url(0), backend=server.url(1))

    @app.task()
    async def double(n: int) -> int:
        return n * 2

    return app, double


def test_submit_queues_for_the_worker_process_and_starts_no_worker_here(redis_server):
    require("flask", "python3-flask")
    from flowrra_live.background_loop import run_in_background_loop
    from flowrra_live.flask import submit

    web, double = make_app(redis_server)
    task_ids = [submit(web, double, n) for n in range(3)]
    executor = double._executor
    assert not executor.is_running and executor._workers == []
    pending = [run_in_background_loop(web.get_result(task_id)) for task_id in task_ids]
    assert [(r.status.value, list(r.args)) for r in pending] == [("pending", [0]), ("pending", [1]), ("pending", [2])]

    async def work() -> list[int]:
        worker, _ = make_app(redis_server)
        await worker.start()
        try:
            while True:
                results = [await worker.get_result(task_id) for task_id in task_ids]
                if all(r.is_complete for r in results):
                    return [r.result for r in results]
                await asyncio.sleep(0.02)
        finally:
            await worker.stop(wait=False)

    assert asyncio.run(asyncio.wait_for(work(), 10)) == [0, 2, 4]


def test_submit_from_many_request_threads_at_once(redis_server):
    require("flask", "python3-flask")
    from concurrent.futures import ThreadPoolExecutor

    from flowrra_live.flask import submit

    web, double = make_app(redis_server)
    with ThreadPoolExecutor(8) as pool:
        task_ids = list(pool.map(lambda n: submit(web, double, n), range(40)))
    assert len(set(task_ids)) == 40
    assert not double._executor.is_running
    with redis_server.client(0) as client:
        assert client.llen("flowrra:queue:io") == 40


def test_the_flask_endpoint_learns_the_worker_process_changes_through_the_fan_out(redis_server):
    flask = require("flask", "python3-flask")
    import os
    import subprocess
    import sys
    import time

    import flowrra_live.flask
    from conftest import PYTHON_DIR
    from flask_worker import make_app as make_worker_app

    base = redis_server.url().rsplit("/", 1)[0]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(PYTHON_DIR / "tests"), *sys.path])}
    worker = subprocess.Popen([sys.executable, str(PYTHON_DIR / "tests" / "flask_worker.py"), base], env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert worker.stdout.readline().strip() == "ready"
        web, double = make_worker_app(base)
        app = flask.Flask(__name__)
        app.register_blueprint(flowrra_live.flask.create_blueprint(web), url_prefix="/flowrra")
        fanout = flowrra_live.flask.start_fanout(f"{base}/0", channel="test:flask")
        client = app.test_client()
        start = client.get("/flowrra/api/results").headers["X-Flowrra-Cursor"]
        task_ids = [flowrra_live.flask.submit(web, double, n) for n in range(30)]
        deadline = time.monotonic() + 20
        while True:
            tasks = client.get("/flowrra/api/results").get_json()
            if sum(task["status"] == "success" for task in tasks) == 30:
                break
            assert time.monotonic() < deadline, tasks
            time.sleep(0.05)  # the worker process is running them; nothing here to wait on
        changed = client.get(f"/flowrra/api/results?since={start}&limit=1000")
        assert sorted(task["task_id"] for task in changed.get_json()) == sorted(task_ids)
        assert {task["result"] for task in changed.get_json()} == {n * 2 for n in range(30)}
        from flowrra_live.background_loop import run_in_background_loop

        run_in_background_loop(fanout.stop())
    finally:
        worker.kill()
        worker.wait()
