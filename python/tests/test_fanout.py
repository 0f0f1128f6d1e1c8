"""flowrra_live.fanout against a real redis-server: exactly once, no echo, two connections, reconnects."""

from __future__ import annotations

import asyncio
import datetime
import json
import logging

import pytest

from flowrra.events import EventBus
from flowrra_live.fanout import Fanout, start_fanout
from redis_server import Partition, RedisServer


@pytest.fixture
def redis_server():
    server = RedisServer().start()
    yield server
    server.stop()


class Inbox:
    """A bus subscriber that records what it gets and lets a test wait for a count."""

    def __init__(self, bus: EventBus) -> None:
        self.events: list[dict] = []
        self._changed = asyncio.Event()
        bus.subscribe(self._receive)

    async def _receive(self, event: dict) -> None:
        self.events.append(event)
        self._changed.set()

    async def wait_for(self, count: int, timeout: float = 5.0) -> list[dict]:
        async def reached() -> None:
            while len(self.events) < count:
                self._changed.clear()
                await self._changed.wait()

        await asyncio.wait_for(reached(), timeout)
        return self.events

    def ids(self) -> list[str]:
        return [event["task"]["task_id"] for event in self.events]


def update(task_id: str, status: str = "running", **fields) -> dict:
    return {"type": "task.update", "task": {"task_id": task_id, "status": status, "task_name": "t", **fields}}


async def start_pair(url: str, channel: str = "test:events"):
    buses = [EventBus(), EventBus()]
    inboxes = [Inbox(bus) for bus in buses]
    fanouts = [Fanout(url, channel, bus=bus) for bus in buses]
    for fanout in fanouts:
        await fanout.start()
    return buses, inboxes, fanouts


async def start_indexed_pair(url: str):
    """Two processes' buses, each with an app's run index, joined through the fan-out."""
    from apps import ListingBackend, app_on

    from flowrra_live.seeding import AppIndex

    buses = [EventBus(), EventBus()]
    indexes = [AppIndex(app_on(ListingBackend()), 1000, bus=bus).index for bus in buses]
    fanouts = [Fanout(url, "test:events", bus=bus) for bus in buses]
    for fanout in fanouts:
        await fanout.start()
    return buses, indexes, fanouts


async def wait_until(predicate, timeout: float = 10.0) -> None:
    async def check() -> None:
        while not predicate():
            await asyncio.sleep(0.02)

    await asyncio.wait_for(check(), timeout)


def names_connected(server: RedisServer) -> int:
    with server.client() as client:
        return sum(1 for entry in client.client_list() if entry.get("name") == "flowrra_live.fanout")


def test_each_event_reaches_every_process_exactly_once_in_order(redis_server):
    async def run():
        (bus_a, bus_b), (inbox_a, inbox_b), fanouts = await start_pair(redis_server.url())
        for i in range(300):
            await (bus_a if i % 3 else bus_b).emit(update(f"t{i}"))
        expected = [f"t{i}" for i in range(300)]
        await inbox_a.wait_for(300)
        await inbox_b.wait_for(300)
        # A marker published after everything: once it arrives, any late echo would have too.
        await bus_a.emit(update("marker"))
        await inbox_b.wait_for(301)
        for fanout in fanouts:
            await fanout.stop()
        with redis_server.client() as client:
            on_wire = [json.loads(fields[b"e"])["task"]["task_id"] for _, fields in client.xrange("test:events")]
        return inbox_a.ids(), inbox_b.ids(), on_wire, expected

    ids_a, ids_b, on_wire, expected = asyncio.run(run())
    # Each process's own events stay in order; the other process's arrive in order too.
    assert sorted(ids_a) == sorted(expected + ["marker"]) and len(ids_a) == 301
    assert sorted(ids_b) == sorted(expected + ["marker"]) and len(ids_b) == 301
    assert [i for i in ids_b if i != "marker" and int(i[1:]) % 3] == [i for i in expected if int(i[1:]) % 3]
    # Appended once each, by the process that emitted it: nothing received is appended again.
    assert sorted(on_wire) == sorted(expected + ["marker"])


def test_one_connection_publishes_and_one_listens_per_process(redis_server):
    async def run():
        (bus_a, bus_b), (inbox_a, inbox_b), fanouts = await start_pair(redis_server.url())
        await asyncio.gather(*(bus_a.emit(update(f"a{i}")) for i in range(200)), *(bus_b.emit(update(f"b{i}")) for i in range(200)))
        await inbox_a.wait_for(400)
        await inbox_b.wait_for(400)
        during = names_connected(redis_server)
        for fanout in fanouts:
            await fanout.stop()
        # The server drops a closed client when it reads the close, a moment later.
        await wait_until(lambda: names_connected(redis_server) == 0)
        return during

    assert asyncio.run(run()) == 4


def test_stop_publishes_what_is_still_queued(redis_server):
    async def run():
        (bus_a, _), (_, inbox_b), (fanout_a, fanout_b) = await start_pair(redis_server.url())
        for i in range(50):
            await bus_a.emit(update(f"t{i}"))
        await fanout_a.stop()
        await inbox_b.wait_for(50)
        await fanout_b.stop()
        return inbox_b.ids()

    assert asyncio.run(run()) == [f"t{i}" for i in range(50)]


def test_a_result_json_cannot_encode_is_shared_as_a_string(redis_server):
    async def run():
        (bus_a, _), (_, inbox_b), fanouts = await start_pair(redis_server.url())
        when = datetime.datetime(2026, 11, 30, 4, 10, 7)
        await bus_a.emit(update("dt", "success", result=when))
        await bus_a.emit(update("after", "success", result=1))
        events = await inbox_b.wait_for(2)
        for fanout in fanouts:
            await fanout.stop()
        return events

    events = asyncio.run(run())
    assert events[0]["task"]["result"] == "2026-11-30T04:10:07"  # as the results endpoint serves it
    assert events[1]["task"]["task_id"] == "after"


def test_a_foreign_entry_in_the_stream_is_ignored(redis_server, caplog):
    async def run():
        (bus_a, _), (_, inbox_b), fanouts = await start_pair(redis_server.url())
        with redis_server.client() as client:
            client.xadd("test:events", {"o": "elsewhere", "e": "not json"})
            client.xadd("test:events", {"something": "else"})
        await bus_a.emit(update("real"))
        await inbox_b.wait_for(1)
        for fanout in fanouts:
            await fanout.stop()
        return inbox_b.ids()

    with caplog.at_level(logging.WARNING, logger="flowrra_live.fanout"):
        assert asyncio.run(run()) == ["real"]
    assert len([r for r in caplog.records if "not a fan-out event" in r.message]) == 4  # 2 entries, 2 processes


def test_reconnects_after_a_redis_restart_and_logs_the_outage_once(redis_server, caplog):
    async def run():
        (bus_a, bus_b), (inbox_a, inbox_b), (fanout_a, fanout_b) = await start_pair(redis_server.url())
        await bus_a.emit(update("before"))
        await inbox_b.wait_for(1)
        redis_server.stop()
        await wait_until(lambda: not fanout_a.connected and not fanout_b.connected)
        # Local sockets are served while Redis is down.
        await bus_a.emit(update("during"))
        await inbox_a.wait_for(2)
        redis_server.start()
        await wait_until(lambda: fanout_a.connected and fanout_b.connected)
        await bus_a.emit(update("after-a"))
        await bus_b.emit(update("after-b"))
        await inbox_a.wait_for(4)
        await wait_until(lambda: {"after-a", "after-b"} <= set(inbox_b.ids()))
        await fanout_a.stop()
        await fanout_b.stop()
        return inbox_a.ids(), inbox_b.ids()

    with caplog.at_level(logging.INFO, logger="flowrra_live.fanout"):
        ids_a, ids_b = asyncio.run(run())
    # Local and remote events of different processes have no order between them.
    assert ids_a[:2] == ["before", "during"] and sorted(ids_a[2:]) == ["after-a", "after-b"]
    # "during" waited for Redis and went out before "after-a"; whether B's listener was back by
    # then is a race (the reconcile poll covers a miss): the partition test below pins it down.
    assert ids_b[0] == "before" and sorted(set(ids_b[1:]) - {"during"}) == ["after-a", "after-b"]
    assert "during" not in ids_b or ids_b.index("during") < ids_b.index("after-a")
    lost = [r for r in caplog.records if "unreachable" in r.message]
    back = [r for r in caplog.records if "reachable again" in r.message]
    assert len(lost) == 2 and {r.levelname for r in lost} == {"WARNING"}  # once per process
    assert len(back) == 2


def test_events_emitted_while_cut_off_from_redis_wait_and_go_out_in_order(redis_server, caplog):
    async def run():
        partition = await Partition(redis_server.port).start()
        bus_a, bus_b = EventBus(), EventBus()
        inbox_a, inbox_b = Inbox(bus_a), Inbox(bus_b)
        fanout_a = Fanout(partition.url(), "test:events", bus=bus_a, max_backlog=3)
        fanout_b = Fanout(redis_server.url(), "test:events", bus=bus_b)
        await fanout_a.start()
        await fanout_b.start()
        partition.cut_off()
        await wait_until(lambda: not fanout_a.connected)
        for i in range(6):
            await bus_a.emit(update(f"t{i}"))
        await inbox_a.wait_for(6)
        partition.heal()
        await wait_until(lambda: "t5" in inbox_b.ids())
        await bus_a.emit(update("after"))
        await wait_until(lambda: "after" in inbox_b.ids())
        await fanout_a.stop()
        await fanout_b.stop()
        await partition.stop()
        return inbox_b.ids()

    with caplog.at_level(logging.INFO, logger="flowrra_live.fanout"):
        ids = asyncio.run(run())
    # The newest max_backlog=3 waited (with the batch the sender held when the link went), and went out in order.
    held = ids[:-1]
    assert ids[-1] == "after" and "t5" in held and len(held) >= 3
    assert held == sorted(held) and set(held) <= {f"t{i}" for i in range(6)}
    assert any(f"{6 - len(held)} events were dropped" in r.message for r in caplog.records)


def test_starts_while_redis_is_down_and_joins_when_it_comes_up(redis_server):
    async def run():
        url = redis_server.url()
        redis_server.stop()
        bus_a, bus_b = EventBus(), EventBus()
        inbox_b = Inbox(bus_b)
        fanout_a = Fanout(url, "test:events", bus=bus_a)
        fanout_b = Fanout(url, "test:events", bus=bus_b)
        await fanout_a.start()
        await fanout_b.start()
        assert not fanout_a.connected
        redis_server.start()
        await wait_until(lambda: fanout_a.connected and fanout_b.connected)
        await bus_a.emit(update("late"))
        await inbox_b.wait_for(1)
        await fanout_a.stop()
        await fanout_b.stop()
        return inbox_b.ids()

    assert asyncio.run(run()) == ["late"]


def test_start_fanout_uses_the_global_event_bus(redis_server):
    from flowrra.events import event_bus

    async def run():
        fanout = await start_fanout(redis_server.url(), channel="test:global")
        other_bus = EventBus()
        other = Fanout(redis_server.url(), "test:global", bus=other_bus)
        await other.start()
        inbox = Inbox(other_bus)
        local = Inbox(event_bus)
        await other_bus.emit(update("from-other"))
        await event_bus.emit(update("from-global"))
        await local.wait_for(2)
        await inbox.wait_for(2)
        await fanout.stop()
        await other.stop()
        await event_bus.unsubscribe(local._receive)
        # Run indexes of the other tests' apps listen too; only the fan-out's own must be gone.
        return local.ids(), inbox.ids(), len([fn for fn in event_bus._subscribers if fn.__name__ != "flowrra_live_index"])

    local_ids, other_ids, left = asyncio.run(run())
    assert sorted(local_ids) == ["from-global", "from-other"]
    assert sorted(other_ids) == ["from-global", "from-other"]
    assert left == 0


def test_a_cursor_from_one_process_is_valid_in_the_other(redis_server):
    async def run():
        buses, indexes, fanouts = await start_indexed_pair(redis_server.url())
        a, b = indexes
        start = a.cursor
        assert b.cursor == start  # one log, one position before any change
        for i in range(5):
            await buses[i % 2].emit(update(f"x{i}"))
        await buses[0].emit(update("x0", "success", finished_at="2026-11-30T10:00:00"))
        # Both processes have applied every entry, the last one (x0's success) included.
        done = lambda index: (run := index.get("x0")) is not None and run.task["status"] == "success" and len(index.changed_since(start, 100)[0]) == 5  # noqa: E731
        await wait_until(lambda: done(a) and done(b) and a.cursor == b.cursor)
        pages = []
        cursor = start
        for index in (a, b, a):  # each page from another process
            runs, cursor, more = index.changed_since(cursor, 2)
            pages.append([(run.task_id, run.task["status"]) for run in runs])
        for fanout in fanouts:
            await fanout.stop()
        return pages, more

    pages, more = asyncio.run(run())
    assert pages == [[("x1", "running"), ("x2", "running")], [("x3", "running"), ("x4", "running")], [("x0", "success")]]
    assert not more


def test_a_tag_reaches_every_process_and_a_since_poll_serves_the_tagged_run_there(redis_server):
    async def run():
        buses, indexes, fanouts = await start_indexed_pair(redis_server.url())
        a, b = indexes
        start = a.cursor
        for task_id in ("x0", "x1"):
            await buses[0].emit(update(task_id))
        await wait_until(lambda: all(len(index.changed_since(start, 10)[0]) == 2 for index in indexes) and a.cursor == b.cursor)
        before = a.cursor
        # What flowrra_live.tag does in process A: tags A's indexes at once, hands the tag to A's fan-out.
        a.tag("x0", "user:ann")
        fanouts[0]._tag_later("x0", ("user:ann",))
        await wait_until(lambda: b.tags_of("x0") == {"user:ann"} and a.cursor == b.cursor != before)
        served = [[(run.task_id, run.tags) for run in index.changed_since(before, 10)[0]] for index in indexes]
        for fanout in fanouts:
            await fanout.stop()
        return served

    served = asyncio.run(run())
    assert served == [[("x0", frozenset({"user:ann"}))]] * 2


def test_stop_before_start_is_a_no_op(redis_server):
    async def run():
        fanout = Fanout(redis_server.url(), "test:events", bus=EventBus())
        await fanout.stop()
        return fanout.connected

    assert asyncio.run(run()) is False


def test_a_half_open_link_is_noticed_and_the_fan_out_reconnects(redis_server, caplog):
    async def run():
        partition = await Partition(redis_server.port).start()
        bus_a, bus_b = EventBus(), EventBus()
        inbox_b = Inbox(bus_b)
        fanout_a = Fanout(partition.url(), "test:events", bus=bus_a, timeout=0.5, block=0.2)
        fanout_b = Fanout(redis_server.url(), "test:events", bus=bus_b)
        await fanout_a.start()
        await fanout_b.start()
        partition.freeze()
        # Nothing closes the link: only a command left unanswered tells.
        await wait_until(lambda: not fanout_a.connected)
        await bus_a.emit(update("while-frozen"))
        partition.thaw()
        await wait_until(lambda: fanout_a.connected)
        await bus_a.emit(update("after"))
        await inbox_b.wait_for(2)
        await fanout_a.stop()
        await fanout_b.stop()
        await partition.stop()
        return inbox_b.ids()

    with caplog.at_level(logging.INFO, logger="flowrra_live.fanout"):
        assert asyncio.run(run()) == ["while-frozen", "after"]
    assert len([r for r in caplog.records if "unreachable" in r.message]) == 1


def test_an_event_json_cannot_encode_even_as_text_is_logged_and_the_next_ones_go_out(redis_server, caplog, monkeypatch):
    from flowrra_live import fanout as fanout_module

    real = fanout_module.json_safe

    def failing(value):
        if value["task"]["task_id"] == "poison":
            raise RuntimeError("cannot encode")
        return real(value)

    monkeypatch.setattr(fanout_module, "json_safe", failing)

    async def run():
        (bus_a, _), (_, inbox_b), fanouts = await start_pair(redis_server.url())
        # A result with a key json.dumps refuses (a date): it used to end the sender for good.
        await bus_a.emit(update("dated", "success", result={datetime.date(2026, 12, 5): 1}))
        await bus_a.emit(update("poison"))
        await bus_a.emit(update("after"))
        events = await inbox_b.wait_for(2)
        for fanout in fanouts:
            await fanout.stop()
        return events, fanouts[0].connected

    with caplog.at_level(logging.ERROR, logger="flowrra_live.fanout"):
        events, _ = asyncio.run(run())
    assert [event["task"]["task_id"] for event in events] == ["dated", "after"]
    assert events[0]["task"]["result"] == {"2026-12-05": 1}
    assert len([r for r in caplog.records if "could not encode" in r.message]) == 1


def test_events_dropped_while_redis_was_away_make_older_cursors_gone_everywhere(redis_server):
    from apps import ListingBackend, app_on

    from flowrra_live.index import CursorGone
    from flowrra_live.seeding import AppIndex

    async def run():
        partition = await Partition(redis_server.port).start()
        bus_a, bus_b = EventBus(), EventBus()
        index_b = AppIndex(app_on(ListingBackend()), 1000, bus=bus_b).index
        inbox_b = Inbox(bus_b)
        fanout_a = Fanout(partition.url(), "test:events", bus=bus_a, max_backlog=2)
        fanout_b = Fanout(redis_server.url(), "test:events", bus=bus_b)
        await fanout_a.start()
        await fanout_b.start()
        await bus_a.emit(update("before"))
        await inbox_b.wait_for(1)
        cursor = index_b.cursor
        partition.cut_off()
        await wait_until(lambda: not fanout_a.connected)
        for i in range(5):  # three of them cannot wait: the backlog holds two
            await bus_a.emit(update(f"lost-{i}"))
        partition.heal()
        await wait_until(lambda: "lost-4" in inbox_b.ids())
        try:
            index_b.changed_since(cursor, 100)
            gone = False
        except CursorGone:
            gone = True
        fresh = index_b.cursor
        await bus_a.emit(update("after"))
        await inbox_b.wait_for(4)
        await wait_until(lambda: index_b.get("after") is not None)
        later = [run.task_id for run in index_b.changed_since(fresh, 100)[0]]
        await fanout_a.stop()
        await fanout_b.stop()
        await partition.stop()
        return gone, later

    gone, later = asyncio.run(run())
    assert gone  # a 410, not an answer that silently lacks lost-0..2
    assert later == ["after"]


def test_entries_a_slow_reader_lost_with_the_stream_reach_it_from_the_new_one_once(redis_server):
    # B's reader is stuck emitting to its sockets while A appends and reads back its own entries;
    # then Redis restarts without persistence. A cannot know how far B read: it appends its latest
    # entries again, and B takes each to its index and its sockets once.
    async def run():
        (bus_a, bus_b), (index_a, index_b), (fanout_a, fanout_b) = await start_indexed_pair(redis_server.url())
        inbox_b = Inbox(bus_b)
        stuck, release = asyncio.Event(), asyncio.Event()

        async def slow_socket(event: dict) -> None:
            if event["task"]["task_id"] == "block":
                stuck.set()
                await release.wait()

        bus_b.subscribe(slow_socket)
        await bus_a.emit(update("block"))
        await asyncio.wait_for(stuck.wait(), 5)
        for i in range(5):
            await bus_a.emit(update(f"t{i}", "success"))
        await wait_until(lambda: all((run := index_a.get(f"t{i}")) is not None and run.position > index_a.floor for i in range(5)))
        redis_server.stop()
        redis_server.start()
        release.set()
        await wait_until(lambda: all((run := index_b.get(f"t{i}")) is not None and run.task["status"] == "success" for i in range(5)))
        # Replays of what B had already (block) come before a marker A emits now: once it is in, none is pending.
        await bus_a.emit(update("marker"))
        await wait_until(lambda: "marker" in inbox_b.ids())
        await fanout_a.stop()
        await fanout_b.stop()
        return inbox_b.ids()

    ids_b = asyncio.run(run())
    assert sorted(ids_b) == sorted(["block", "marker"] + [f"t{i}" for i in range(5)])
