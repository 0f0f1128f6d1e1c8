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
