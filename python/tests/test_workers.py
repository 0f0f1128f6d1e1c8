"""flowrra_live.workers: Flowrra's task workers run tasks again after Redis restarts."""

from __future__ import annotations

import asyncio

import pytest

from flowrra import Flowrra
from flowrra_live.workers import keep_workers_alive, replace_ended_workers
from redis_server import RedisServer


@pytest.fixture
def redis_server():
    server = RedisServer().start()
    yield server
    server.stop()


async def until(predicate, timeout: float = 10.0):
    async def check():
        while True:
            value = await predicate()
            if value:
                return value
            await asyncio.sleep(0.02)

    return await asyncio.wait_for(check(), timeout)


def make_app(server: RedisServer) -> tuple[Flowrra, object]:
    app = Flowrra.from_urls(broker=server.url(0), backend=server.url(1))

    @app.task()
    async def double(n: int) -> int:
        return n * 2

    return app, double


async def run_one(app: Flowrra, task, n: int) -> int:
    # Right after a restart the first command on a pooled connection may still fail once.
    task_id = await until(lambda: _try_submit(app, task, n))

    async def finished():
        result = await app.get_result(task_id)
        return result if result and result.is_complete else None

    return (await until(finished)).result


async def _try_submit(app: Flowrra, task, n: int):
    try:
        return await app.submit(task, n)
    except Exception:
        return None


def workers(app: Flowrra) -> list[asyncio.Task]:
    return list(app._io_executor._workers)


def test_a_redis_restart_ends_every_worker_and_replace_ended_workers_starts_new_ones(redis_server):
    async def run():
        app, double = make_app(redis_server)
        await app.start()
        assert await run_one(app, double, 1) == 2
        redis_server.stop()
        await until(lambda: _all_done(workers(app)))
        redis_server.start()
        replaced = replace_ended_workers(app)
        assert await run_one(app, double, 4) == 8
        await app.stop(wait=False)
        return replaced

    errors = asyncio.run(run())
    assert len(errors) == 4  # Flowrra's default io_workers
    assert all(isinstance(error, Exception) and "onnect" in f"{type(error).__name__} {error}" for error in errors), errors


def test_keep_workers_alive_runs_tasks_again_after_a_redis_restart(redis_server, caplog):
    async def run():
        app, double = make_app(redis_server)
        await app.start()
        watchdog = keep_workers_alive(app, interval=0.05)
        assert await run_one(app, double, 1) == 2
        first = workers(app)
        redis_server.stop()
        await until(lambda: _all_done(first))
        redis_server.start()
        results = [await run_one(app, double, n) for n in range(5)]
        alive = [w for w in workers(app) if not w.done()]
        watchdog.cancel()
        await app.stop(wait=False)
        return results, alive, first

    with caplog.at_level("WARNING", logger="flowrra_live.workers"):
        results, alive, first = asyncio.run(run())
    assert results == [0, 2, 4, 6, 8]
    # The error that ended the workers is logged, with its traceback, once for the outage.
    [record] = [r for r in caplog.records if "workers ended" in r.message]
    assert record.exc_info and "onnect" in type(record.exc_info[1]).__name__ + str(record.exc_info[1])
    assert len(alive) == 4 and not set(alive) & set(first)


async def _all_done(tasks: list[asyncio.Task]) -> bool:
    return all(task.done() for task in tasks)
