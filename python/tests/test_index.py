"""The run index and its seed, without a framework: bound, order, cursors, listeners, tags, reads."""

from __future__ import annotations

import asyncio
import datetime

import pytest
from apps import ListingBackend, app_on, at, cpu_job, result
from flowrra import Flowrra
from flowrra.task import TaskResult, TaskStatus
from redis_server import RedisServer

from flowrra_live.changelog import parse_cursor
from flowrra_live.endpoint import ResultsEndpoint
from flowrra_live.index import CursorGone, RunIndex
from flowrra_live.seeding import seed


def task(task_id: str, status: str = "running", **fields) -> dict:
    return result(task_id, status, **fields).to_dict


def ids(runs) -> list[str]:
    return [run.task_id for run in runs]


def test_keeps_the_most_recently_changed_max_runs_and_raises_the_floor():
    index = RunIndex(max_runs=3)
    start = index.cursor
    for n in range(5):
        index.record(task(f"r{n}"))
    assert len(index) == 3 and ids(index.newest(10)) == ["r4", "r3", "r2"]
    with pytest.raises(CursorGone, match="older"):
        index.changed_since(start, 10)
    # A run that changes again is the newest, whatever its age.
    index.record(task("r2", "success", finished_at=at(9)))
    assert ids(index.newest(2)) == ["r2", "r4"]


def test_never_replaces_a_state_with_an_older_one_and_a_repeat_is_no_change():
    index = RunIndex()
    assert index.record(task("a", "success", finished_at=at(2)))
    version = index.version
    assert not index.record(task("a", "running", started_at=at(1)))
    assert not index.record(task("a", "success", finished_at=at(2)))
    assert index.version == version and index.get("a").task["status"] == "success"
    assert not index.record({"status": "running"})  # no task_id


def test_changed_since_pages_oldest_first_each_run_once_in_its_current_state():
    index = RunIndex()
    start = index.cursor
    for n in range(5):
        index.record(task(f"c{n}"))
    index.record(task("c0", "success", finished_at=at(1)))
    runs, cursor, more = index.changed_since(start, 2)
    assert ids(runs) == ["c1", "c2"] and more
    runs, cursor, more = index.changed_since(cursor, 2)
    assert ids(runs) == ["c3", "c4"] and more
    runs, cursor, more = index.changed_since(cursor, 2)
    assert ids(runs) == ["c0"] and not more and runs[0].task["status"] == "success"
    assert cursor == index.cursor
    assert index.changed_since(cursor, 2) == ([], cursor, False)


def test_a_cursor_is_opaque_text_and_foreign_ones_are_gone():
    index = RunIndex()
    index.record(task("x"))
    assert parse_cursor(index.cursor) is not None
    for foreign in (RunIndex().cursor, "nonsense", index.cursor + "x", index.cursor.upper()):
        with pytest.raises(CursorGone):
            index.changed_since(foreign, 10)


def test_listeners_get_every_change_with_its_cursor_and_can_leave():
    index = RunIndex()
    seen = []
    unsubscribe = index.subscribe(lambda changed, cursor: seen.append((changed["task_id"], changed["status"], cursor)))

    def broken(changed, cursor):
        raise RuntimeError("a broken listener")

    index.subscribe(broken)
    index.record(task("l", "running"))
    index.record(task("l", "success", finished_at=at(1)))
    unsubscribe()
    index.record(task("m"))
    assert [(task_id, status) for task_id, status, _ in seen] == [("l", "running"), ("l", "success")]
    assert seen[-1][2] is not None and index.changed_since(seen[-1][2], 10)[0][0].task_id == "m"


def test_tags_are_kept_with_the_run_and_dropped_with_it():
    index = RunIndex(max_runs=1)
    index.tag("t", "team:a")
    index.record(task("t"))
    index.tag("t", "team:b")
    assert index.tags_of("t") == {"team:a", "team:b"} and index.get("t").tags == {"team:a", "team:b"}
    index.record(task("u"))
    assert index.tags_of("t") == frozenset()


def test_the_seed_goes_behind_live_changes_and_never_overwrites_them():
    index = RunIndex(max_runs=3)
    index.record(task("live", "running", started_at=at(5)))
    taken = index.seed([task("live", "pending"), task("s2", "success", finished_at=at(2)), task("s1", "success", finished_at=at(1)), task("s0")])
    assert taken == 2 and ids(index.newest(10)) == ["live", "s2", "s1"]
    assert index.get("live").task["status"] == "running"


def test_a_304_reads_and_encodes_nothing(monkeypatch):
    backend = ListingBackend(*(result(f"e{n}", "success", finished_at=at(n)) for n in range(5)))
    endpoint = ResultsEndpoint(app_on(backend))
    no_query = lambda name: []  # noqa: E731
    first = asyncio.run(endpoint.respond(None, {}, no_query))
    from flowrra_live import index as index_module

    encoded = []
    monkeypatch.setattr(index_module, "dumps", lambda value: encoded.append(value) or b"{}")
    monkeypatch.setattr(ListingBackend, "list_by_status", None)  # a read would fail
    again = asyncio.run(endpoint.respond(None, {"If-None-Match": first.headers["ETag"]}, no_query))
    assert again.status == 304 and encoded == []


def test_the_seed_takes_the_newest_max_runs_and_lets_the_loop_run_between_chunks():
    flowrra = Flowrra()

    @flowrra.task()
    async def job() -> None: ...

    backend = flowrra._io_executor.results
    start = datetime.datetime(2026, 1, 1)
    for n in range(20_000):
        moment = start + datetime.timedelta(seconds=n)
        backend._results[f"s{n}"] = TaskResult(task_id=f"s{n}", status=TaskStatus.SUCCESS, started_at=moment, finished_at=moment)

    async def seed_while_ticking() -> tuple[RunIndex, int]:
        index = RunIndex(max_runs=10_000)
        turns = 0
        done = False

        async def ticker() -> None:
            nonlocal turns
            while not done:
                turns += 1
                await asyncio.sleep(0)

        ticking = asyncio.create_task(ticker())
        await seed(index, flowrra)
        done = True
        await ticking
        return index, turns

    index, turns = asyncio.run(seed_while_ticking())
    assert len(index) == 10_000 and ids(index.newest(2)) == ["s19999", "s19998"]
    assert index.newest(10_000)[-1].task_id == "s10000"
    assert turns >= 10_000 // 500  # at least one turn per chunk taken into the index


def test_the_seed_reads_one_redis_store_once_even_through_two_backends():
    server = RedisServer().start()
    try:
        flowrra = Flowrra.from_urls(broker=server.url(0), backend=server.url(1))

        @flowrra.task()
        async def io_job() -> None: ...

        flowrra.task(cpu_bound=True)(cpu_job)
        io, cpu = flowrra._io_executor.results, flowrra._cpu_executor.results
        assert io is not cpu and io._url == cpu._url
        with server.client(1) as client:
            for n in range(2500):
                client.set(f"flowrra:task:r{n}", f'{{"task_id": "r{n}", "status": "success", "finished_at": "2026-01-01T00:00:{n % 60:02}"}}')
            client.set("flowrra:task:broken", "not json")
            client.config_resetstat()
        index = RunIndex()
        asyncio.run(seed(index, flowrra))
        with server.client(1) as client:
            stats = client.info("commandstats")
        assert len(index) == 2500
        # Each key read once: one MGET per 1000 keys, one store scanned once, nothing else.
        assert stats["cmdstat_mget"]["calls"] == 3
        assert set(stats) - {"cmdstat_mget", "cmdstat_scan"} <= {"cmdstat_select", "cmdstat_config|resetstat"}, stats
    finally:
        server.stop()
