"""Monitoring on real servers: uvicorn (FastAPI), hypercorn (Quart), daphne (Django), and
``uvicorn --workers 2`` with the fan-out and prometheus_client's multiprocess mode."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import tempfile

import pytest
from conftest import IN_CI, require
from live_server import LiveServer, WsClient
from redis_server import RedisServer

SERVERS = {
    "fastapi": ("fastapi", "python3-fastapi", "uvicorn", "python3-uvicorn"),
    "quart": ("quart", "python3-quart", "hypercorn", "python3-hypercorn"),
    "django": ("django", "python3-django", "daphne", "python3-daphne"),
}


@pytest.fixture(params=list(SERVERS))
def server(request):
    framework, framework_package, server_module, server_package = SERVERS[request.param]
    require("prometheus_client", "python3-prometheus-client")
    require(framework, framework_package)
    require(server_module, server_package)
    require("wsproto", "python3-wsproto")
    live = LiveServer(request.param)
    yield live
    live.stop()


def sockets(stats: dict) -> int:
    return stats["sockets"]["flowrra"]


def promtool_check(text: bytes) -> subprocess.CompletedProcess:
    promtool = shutil.which("promtool")
    if promtool is None:
        message = "promtool is not installed: apt-get install prometheus"
        pytest.fail(message) if IN_CI else pytest.skip(message)
    return subprocess.run([promtool, "check", "metrics"], input=text, capture_output=True, timeout=30)


def test_open_sockets_are_counted_until_each_client_leaves_however_it_leaves(server):
    async def run():
        clients = [await WsClient.connect(server.port) for _ in range(6)]
        opened = await server.wait_for(lambda s: sockets(s) == 6)
        # Three say goodbye, three are reset without a close frame: Flowrra's FastAPI handler
        # never reads its socket, so only the middleware can notice either.
        for client in clients[:3]:
            await client.close()
        after_close = await server.wait_for(lambda s: sockets(s) == 3)
        for client in clients[3:]:
            client.drop()
        after_drop = await server.wait_for(lambda s: sockets(s) == 0)
        return opened, after_close, after_drop

    opened, after_close, after_drop = asyncio.run(run())
    assert (sockets(opened), sockets(after_close), sockets(after_drop)) == (6, 3, 0)
    _, _, body = server.get("/flowrra/metrics")
    assert b'flowrra_sockets{endpoint="flowrra"} 0.0' in body


def test_every_task_event_is_counted_as_local(server):
    tasks = 20

    async def run():
        before = await asyncio.to_thread(server.stats)
        await asyncio.to_thread(server.post, f"/test/submit?name=add&count={tasks}")
        # pending, running, success: three events a task at least.
        after = await server.wait_for(lambda s: s["events"]["local"] - before["events"]["local"] >= 3 * tasks)
        return before, after

    before, after = asyncio.run(run())
    assert after["events"]["local"] - before["events"]["local"] >= 3 * tasks
    assert after["events"]["remote"] == 0


def test_an_event_the_socket_cannot_forward_counts_as_a_subscriber_error(server):
    async def run():
        client = await WsClient.connect(server.port)
        # Subscribed once a frame arrives (FastAPI and Django subscribe after the handshake).
        await asyncio.to_thread(server.post, "/test/submit?name=add&count=1")
        await client.receive()
        before = await asyncio.to_thread(server.stats)
        assert before["subscriber_errors"] == 0
        await asyncio.to_thread(server.post, "/test/submit?name=moment&count=1")
        return await server.wait_for(lambda s: s["subscriber_errors"] >= 1)

    assert asyncio.run(run())["subscriber_errors"] == 1


def test_polls_are_counted_by_status_and_timed(server):
    before = server.stats()
    statuses = [
        server.get("/flowrra/api/results")[0],
        server.get("/flowrra/api/results", headers={"If-None-Match": server.get("/flowrra/api/results")[1]["etag"]})[0],
        server.get("/flowrra/api/results", token="wrong")[0],
        server.get("/flowrra/api/results?limit=0")[0],
    ]
    after = server.stats()
    assert statuses == [200, 304, 401, 400]
    grown = {code: after["polls"].get(code, 0) - before["polls"].get(code, 0) for code in ("200", "304", "400", "401")}
    assert grown == {"200": 2, "304": 1, "400": 1, "401": 1}
    assert after["poll_seconds"]["count"] - before["poll_seconds"]["count"] == 5


def test_the_operator_token_guards_both_routes_and_promtool_accepts_the_output(server):
    for path in ("/flowrra/metrics", "/flowrra/api/metrics"):
        assert server.get(path, token=None)[0] == 401
        assert server.get(path, token="operator-secreT")[0] == 401
    status, headers, body = server.get("/flowrra/metrics")
    assert status == 200 and headers["content-type"].startswith("text/plain; version=0.0.4")
    check = promtool_check(body)
    assert check.returncode == 0, check.stdout + check.stderr
    for series in (b"flowrra_sockets{", b"flowrra_events_total{", b"flowrra_subscriber_errors_total ", b"flowrra_live_poll_seconds_bucket{"):
        assert series in body


@pytest.fixture
def redis_server():
    redis = RedisServer().start()
    yield redis
    redis.stop()


def test_two_uvicorn_workers_with_the_fanout_one_scrape_sums_both(redis_server):
    for module, package in (("prometheus_client", "python3-prometheus-client"), ("fastapi", "python3-fastapi"), ("uvicorn", "python3-uvicorn"), ("wsproto", "python3-wsproto")):
        require(module, package)
    tasks = 10
    with tempfile.TemporaryDirectory(prefix="flowrra-metrics-") as multiproc_dir:
        env = {"REDIS": f"redis://127.0.0.1:{redis_server.port}", "FANOUT": "1", "PROMETHEUS_MULTIPROC_DIR": multiproc_dir}
        server = LiveServer("fastapi", workers=2, env=env)
        try:

            async def run():
                # Both workers joined the fan-out's stream (a writer and a reader connection each)
                # before any socket opens or task runs.
                with redis_server.client() as redis:
                    while sum(client["name"] == "flowrra_live.fanout" for client in redis.client_list()) < 4:
                        await asyncio.sleep(0.05)
                clients = []
                while len({client.pid for client in clients}) < 2:
                    assert len(clients) < 40, "every socket landed on the same worker"
                    clients.append(await WsClient.connect(server.port))
                on_both = await server.wait_for(lambda s: sockets(s) == len(clients))
                await asyncio.to_thread(server.post, f"/test/submit?name=add&count={tasks}")
                # Every event is local in the worker that emitted it and remote in the other one.
                events = await server.wait_for(lambda s: s["events"]["local"] >= 3 * tasks and s["events"]["remote"] >= 3 * tasks)
                for client in clients:
                    await client.close()
                closed = await server.wait_for(lambda s: sockets(s) == 0)
                return len(clients), on_both, events, closed

            opened, on_both, events, closed = asyncio.run(run())
            _, _, text = server.get("/flowrra/metrics")
        finally:
            server.stop()
    assert on_both["workers"] == 2 and sockets(on_both) == opened
    assert events["events"]["remote"] >= 3 * tasks and events["events"]["local"] >= 3 * tasks
    assert events["fanout"] == {"connected": True, "dropped": 0}
    assert sockets(closed) == 0
    check = promtool_check(text)
    assert check.returncode == 0, check.stdout + check.stderr
