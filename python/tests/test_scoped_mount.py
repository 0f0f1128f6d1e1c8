"""A mount given secret=: the scoped poll in every framework (`serve` fixture), flowrra_live.tag before
and after a run's first events, and the hub fed by the run index (ScopedMount)."""

from __future__ import annotations

import asyncio
import json

import pytest
from apps import ListingBackend, app_on, at, result

import flowrra_live
from flowrra_live.read_tokens import ReadTokenVerifier, read_token
from flowrra_live.scoped import ScopedMount
from flowrra_live.seeding import index_of
from flowrra_live.index import DEFAULT_MAX_RUNS

SECRET = "mount-secret"
URL = "/flowrra/api/results"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def ids(answer) -> list[str]:
    return [task["task_id"] for task in answer.json()]


def two_users():
    """An app holding runs a1, a2 (tagged user:a) and b1 (user:b), and its run index."""
    flowrra = app_on(ListingBackend(*(result(task_id, "success", finished_at=at(n)) for n, task_id in enumerate(["a1", "b1", "a2"]))))
    return flowrra, index_of(flowrra, DEFAULT_MAX_RUNS).index


def test_a_read_token_reads_only_its_scope_and_the_operator_token_everything(serve):
    flowrra, _ = two_users()
    get = serve(flowrra, secret=SECRET, token="operator", exclude={"kwargs"})
    flowrra_live.tag("a1", "user:a")
    flowrra_live.tag("a2", "user:a")
    flowrra_live.tag("b1", "user:b")
    mine = get(URL, bearer(read_token(SECRET, tags=["user:a"], exclude=["args"])))
    assert mine.status == 200
    assert ids(mine) == ["a2", "a1"]
    assert all("args" not in task and "kwargs" not in task for task in mine.json())
    assert ids(get(URL, bearer(read_token(SECRET, task_ids=["b1"])))) == ["b1"]
    assert ids(get(URL, bearer("operator"))) == ["a2", "b1", "a1"]
    # Same ETag and 304 as the operator answer.
    again = get(URL, {**bearer(read_token(SECRET, tags=["user:a"], exclude=["args"])), "If-None-Match": mine.headers["etag"]})
    assert again.status == 304
    assert again.headers["x-flowrra-cursor"] == mine.headers["x-flowrra-cursor"]


@pytest.mark.parametrize(
    "credentials",
    [None, "Bearer ", "Bearer not-a-token", f"Bearer {read_token('another', tags=['user:a'])}", "Basic operator"],
    ids=["missing", "empty", "malformed", "foreign secret", "not bearer"],
)
def test_anything_else_is_401_json_once_a_secret_is_set(serve, credentials):
    flowrra, _ = two_users()
    get = serve(flowrra, secret=SECRET, token="operator")
    answer = get(URL, {"Authorization": credentials} if credentials else {})
    assert answer.status == 401
    assert answer.json() == {"detail": "Not authenticated"}


def test_a_tampered_token_is_401(serve):
    flowrra, _ = two_users()
    get = serve(flowrra, secret=SECRET)
    token = read_token(SECRET, tags=["user:a"])
    at_char = len(token) // 4
    tampered = token[:at_char] + ("A" if token[at_char] != "A" else "B") + token[at_char + 1 :]
    assert get(URL, bearer(tampered)).status == 401


def test_tagging_after_the_first_answer_moves_the_run_into_a_since_answer(serve):
    flowrra, index = two_users()
    get = serve(flowrra, secret=SECRET)
    token = read_token(SECRET, tags=["user:b"])
    first = get(URL, bearer(token))
    assert ids(first) == []
    flowrra_live.tag("a1", "user:b")
    since = get(f"{URL}?since={first.headers['x-flowrra-cursor']}", bearer(token))
    assert ids(since) == ["a1"]
    assert ids(get(URL, bearer(token))) == ["a1"]


def test_tag_checks_its_arguments():
    two_users()
    with pytest.raises(TypeError):
        flowrra_live.tag(42, "user:a")
    with pytest.raises(TypeError):
        flowrra_live.tag("a1", "")
    with pytest.raises(ValueError):
        flowrra_live.tag("a1")


def frames(subscriber) -> list[dict]:
    out = []
    while subscriber._frames:
        out.append(json.loads(subscriber._frames.popleft()))
    return out


def test_the_hub_follows_the_index_tags_before_and_after_events():
    async def main():
        flowrra, index = two_users()
        mount = ScopedMount(index, ReadTokenVerifier(SECRET), exclude={"kwargs"})
        mine = mount.hub.register(ReadTokenVerifier(SECRET).verify(read_token(SECRET, tags=["user:c"])))
        other = mount.hub.register(ReadTokenVerifier(SECRET).verify(read_token(SECRET, tags=["user:d"])))
        # Tagged before its first event: the event goes to the tag's socket.
        flowrra_live.tag("c1", "user:c")
        index.record({"task_id": "c1", "status": "pending", "task_name": "job", "kwargs": {"k": 1}})
        got = frames(mine)
        # Its first event before the tag (as Flowrra's submit does): the tag brings the current state.
        index.record({"task_id": "c2", "status": "running", "task_name": "job", "started_at": "2026-12-05T10:00:00"})
        assert frames(mine) == []
        flowrra_live.tag("c2", "user:c")
        got += frames(mine)
        assert [(frame["task"]["task_id"], frame["task"]["status"]) for frame in got] == [("c1", "pending"), ("c2", "running")]
        assert all("kwargs" not in frame["task"] and isinstance(frame["cursor"], str) for frame in got)
        # Tagging again with a tag the socket already matched sends nothing twice.
        flowrra_live.tag("c2", "user:c")
        assert frames(mine) == []
        assert frames(other) == []

    asyncio.run(main())


def test_runs_for_answers_as_testing_every_run_would():
    """The tag/id index gives the same pages, full and since, as testing every held run's scope."""
    import random

    from flowrra_live.index import RunIndex
    from flowrra_live.read_tokens import Scope

    rng = random.Random(19)
    index = RunIndex(max_runs=60)
    compared = 0
    cursors = [index.cursor]
    statuses = ["pending", "running", "success"]
    for step in range(600):
        task_id = f"t{rng.randrange(90)}"
        if rng.random() < 0.3:
            index.tag(task_id, f"user:{rng.randrange(5)}")
        else:
            index.record({"task_id": task_id, "status": rng.choice(statuses), "task_name": "job", "finished_at": f"2026-12-05T10:00:{step % 60:02d}", "retries": step})
        if step % 25 == 0:
            cursors.append(index.cursor)
        if step % 50 == 49:
            scope = Scope(task_ids=frozenset({f"t{rng.randrange(90)}"}), tags=frozenset({f"user:{rng.randrange(5)}"}))

            def where(run, scope=scope):
                return scope.matches(run.task_id, run.task.get("task_name"), run.tags)

            among = index.runs_for(scope.task_ids, scope.tags)
            for limit in (1, 3, 200):
                assert [run.task_id for run in index.newest(limit, None, among)] == [run.task_id for run in index.newest(limit, where)]
                for cursor in cursors:
                    try:
                        scanned = index.changed_since(cursor, limit, where)
                    except Exception as gone:
                        with pytest.raises(type(gone)):
                            index.changed_since(cursor, limit, None, among)
                        continue
                    indexed = index.changed_since(cursor, limit, None, among)
                    compared += bool(scanned[0])
                    assert ([run.task_id for run in indexed[0]], indexed[1], indexed[2]) == ([run.task_id for run in scanned[0]], scanned[1], scanned[2])
    assert compared > 20  # non-empty since answers were compared, not only gone cursors
