"""flowrra_live.metrics in one process: each mount's routes, the bus, the fan-out, no prometheus_client."""

from __future__ import annotations

import asyncio
import json

import pytest
from apps import ListingBackend, app_on, at, result
from conftest import require
from redis_server import Partition, RedisServer

import flowrra_live
from flowrra_live import metrics

TOKEN = "operator-secret"
BEARER = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(autouse=True)
def prometheus():
    require("prometheus_client", "python3-prometheus-client")


def mounted(serve, **options):
    return serve(app_on(ListingBackend(result("a", "success", finished_at=at(1)))), **options)


def test_the_operator_token_guards_metrics_and_its_json(serve):
    get = mounted(serve, token=TOKEN)
    for path in ("/flowrra/metrics", "/flowrra/api/metrics"):
        refused = get(path)
        assert refused.status == 401 and refused.headers["www-authenticate"] == "Bearer"
        assert get(path, {"Authorization": "Bearer nope"}).status == 401
        assert get(path, BEARER).status == 200
    assert get("/flowrra/metrics", BEARER).headers["content-type"].startswith("text/plain; version=0.0.4")
    assert set(get("/flowrra/api/metrics", BEARER).json()) == {"sockets", "events", "subscriber_errors", "polls", "poll_seconds", "fanout", "runs", "workers"}


def test_a_token_callable_decides_for_metrics_as_for_results(serve):
    get = mounted(serve, token=lambda request: request.headers.get("X-Operator") == "yes")
    assert get("/flowrra/metrics").status == 401
    assert get("/flowrra/metrics", {"X-Operator": "yes"}).status == 200


def test_polls_are_counted_by_code_in_every_mount(serve):
    get = mounted(serve, token=TOKEN)
    before = flowrra_live.stats()["polls"]
    answers = [get("/flowrra/api/results", BEARER).status, get("/flowrra/api/results").status]
    after = flowrra_live.stats()["polls"]
    assert answers == [200, 401]
    assert {code: after.get(code, 0) - before.get(code, 0) for code in ("200", "401")} == {"200": 1, "401": 1}


def test_without_prometheus_client_the_routes_answer_501_naming_the_package(serve, monkeypatch):
    get = mounted(serve)
    monkeypatch.setattr(metrics, "_current", metrics._Off())
    for path in ("/flowrra/metrics", "/flowrra/api/metrics"):
        answer = get(path)
        assert answer.status == 501
        assert answer.json()["package"] == "prometheus_client"
        assert "python3-prometheus-client" in answer.json()["detail"]
    with pytest.raises(metrics.MetricsUnavailable):
        flowrra_live.stats()
    # Polls are still answered, only not counted.
    assert get("/flowrra/api/results").status == 200


def test_an_error_flowrras_bus_logs_for_a_subscriber_is_counted():
    from flowrra.events import event_bus

    async def broken(event: dict) -> None:
        raise ValueError("cannot take it")

    async def run():
        metrics.current()
        before = flowrra_live.stats()
        event_bus.subscribe(broken)
        try:
            await event_bus.emit({"type": "task.update", "task": {"task_id": "t", "status": "running"}})
        finally:
            await event_bus.unsubscribe(broken)
        return before, flowrra_live.stats()

    before, after = asyncio.run(run())
    assert after["subscriber_errors"] - before["subscriber_errors"] == 1
    assert after["events"]["local"] - before["events"]["local"] == 1


def test_runs_come_from_the_gauge_source_at_each_read(monkeypatch):
    runs = [7]
    monkeypatch.setattr(metrics.Metrics, "runs_source", lambda: runs[0])
    assert flowrra_live.stats()["runs"] == 7
    runs[0] = 9
    assert flowrra_live.stats()["runs"] == 9
    metrics.current().runs_source = lambda: 42
    try:
        assert flowrra_live.stats()["runs"] == 42
        body, _ = metrics.current().exposition()
    finally:
        del metrics.current().runs_source
    assert b"flowrra_live_runs 42.0" in body


def test_the_fanout_reports_its_link_remote_events_and_drops():
    require("redis", "python3-redis")
    from flowrra.events import EventBus, event_bus
    from flowrra_live.fanout import Fanout

    redis_server = RedisServer().start()

    async def run():
        metrics.current()
        partition = await Partition(redis_server.port).start()
        local = Fanout(partition.url(), "test:metrics", bus=event_bus, max_backlog=2)
        other = Fanout(redis_server.url(), "test:metrics", bus=EventBus())
        await local.start()
        await other.start()
        up = flowrra_live.stats()
        await other._bus.emit({"type": "task.update", "task": {"task_id": "from-other", "status": "running"}})
        while flowrra_live.stats()["events"]["remote"] == up["events"]["remote"]:
            await asyncio.sleep(0.02)
        partition.cut_off()
        while local.connected:
            await asyncio.sleep(0.02)
        down = flowrra_live.stats()
        for index in range(6):
            await event_bus.emit({"type": "task.update", "task": {"task_id": f"t{index}", "status": "running"}})
        cut = flowrra_live.stats()
        await local.stop(timeout=0)
        await other.stop()
        await partition.stop()
        return up, down, cut

    try:
        up, down, cut = asyncio.run(asyncio.wait_for(run(), 20))
    finally:
        redis_server.stop()
    assert up["fanout"]["connected"] is True
    assert down["fanout"]["connected"] is False
    assert cut["events"]["remote"] - up["events"]["remote"] == 1
    # Six events into a backlog of two (one more may sit in the sender's batch): at least three dropped.
    assert cut["fanout"]["dropped"] - down["fanout"]["dropped"] >= 3


def test_stats_is_plain_json():
    assert json.loads(json.dumps(flowrra_live.stats())) == flowrra_live.stats()


def test_socket_counter_labels_by_path_and_leaves_other_scopes_alone():
    from flowrra_live.metrics import Metrics, SocketCounter

    own = Metrics()
    accepted: list[str] = []

    async def app(scope, receive, send):
        assert (await receive())["type"] == "websocket.connect"
        await send({"type": "websocket.accept"})
        accepted.append(scope["path"])
        while (await receive())["type"] != "websocket.disconnect":
            pass
        # A send after the client left fails in the server: not a subscriber error.
        await send({"type": "websocket.send", "text": "late"})

    counter = SocketCounter(app, paths={"/flowrra/ws": "flowrra", "/live/ws/": "live"}, metrics=own)

    def gauge(endpoint: str) -> float:
        return own.registry.get_sample_value("flowrra_sockets", {"endpoint": endpoint})

    async def send(message: dict) -> None:
        if message["type"] == "websocket.send":
            raise OSError("client gone")

    async def run():
        inbox: asyncio.Queue = asyncio.Queue()
        inbox.put_nowait({"type": "websocket.connect"})
        inbox.put_nowait({"type": "websocket.receive", "text": "hi"})
        socket = asyncio.create_task(counter({"type": "websocket", "path": "/live/ws"}, inbox.get, send))
        while not accepted:
            await asyncio.sleep(0)
        during = (gauge("live"), gauge("flowrra"))
        inbox.put_nowait({"type": "websocket.disconnect", "code": 1001})
        with pytest.raises(OSError):
            await socket
        other: asyncio.Queue = asyncio.Queue()
        for message in ({"type": "websocket.connect"}, {"type": "websocket.disconnect", "code": 1000}):
            other.put_nowait(message)
        with pytest.raises(OSError):
            await counter({"type": "websocket", "path": "/elsewhere/ws"}, other.get, send)
        return during

    assert asyncio.run(run()) == (1.0, 0.0)
    assert (gauge("live"), gauge("flowrra")) == (0.0, 0.0)
    assert own.registry.get_sample_value("flowrra_subscriber_errors_total") == 0.0
    assert accepted == ["/live/ws", "/elsewhere/ws"]
