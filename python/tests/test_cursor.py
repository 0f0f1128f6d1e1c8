"""The cursor contract (flowrra_live.changelog), the same in FastAPI, Quart, Django and Flask (`serve` fixture)."""

from __future__ import annotations

import pytest
from apps import ListingBackend, app_on, at, result
from conftest import run
from flowrra.events import event_bus

URL = "/flowrra/api/results"


def emit(task_id: str, status: str = "running", **fields) -> None:
    run(event_bus.emit({"type": "task.update", "task": result(task_id, status, **fields).to_dict}))


def ids(answer) -> list[str]:
    return [task["task_id"] for task in answer.json()]


def follow(get, cursor: str, limit: int) -> tuple[list[list[str]], str]:
    """Every page of a since walk, and the cursor it ends on."""
    pages = []
    while True:
        answer = get(f"{URL}?since={cursor}&limit={limit}")
        assert answer.status == 200, answer.body
        pages.append(ids(answer))
        cursor = answer.headers["x-flowrra-cursor"]
        if answer.headers.get("x-flowrra-more") != "1":
            return pages, cursor


def test_every_answer_carries_a_cursor_and_since_serves_each_change_once_oldest_first(serve):
    get = serve(app_on(ListingBackend(result("stored", "success", finished_at=at(0)))))
    first = get(URL)
    cursor = first.headers["x-flowrra-cursor"]
    assert ids(first) == ["stored"] and cursor
    assert "X-Flowrra-Cursor" in first.headers["access-control-expose-headers"]
    assert "X-Flowrra-More" in first.headers["access-control-expose-headers"]

    for n in range(7):
        emit(f"t{n}", "running", started_at=at(1, n))
    emit("t1", "success", started_at=at(1, 1), finished_at=at(2))  # t1 changed again: served once, at its newest change
    emit("t0", "pending")  # older than what is held: no change

    pages, end = follow(get, cursor, 3)
    assert pages == [["t0", "t2", "t3"], ["t4", "t5", "t6"], ["t1"]]
    walk = get(f"{URL}?since={cursor}&limit=1000").json()
    assert {task["task_id"]: task["status"] for task in walk}["t1"] == "success"

    # Nothing after the end: [] with the same cursor, and a 304 for the same ETag.
    idle = get(f"{URL}?since={end}")
    assert idle.status == 200 and idle.json() == [] and idle.headers["x-flowrra-cursor"] == end
    again = get(f"{URL}?since={end}", {"If-None-Match": idle.headers["etag"]})
    assert again.status == 304 and again.body == b"" and again.headers["x-flowrra-cursor"] == end
    assert "x-flowrra-more" not in again.headers and "content-type" not in again.headers
    # The full answer's cursor is where the walk ended.
    full = get(URL)
    assert full.headers["x-flowrra-cursor"] == end
    # An idle since-poll right after a full answer is a 304 too: the ETag names the position, as
    # the reference server's does (the SDK polls since the full answer's cursor with its ETag).
    assert get(f"{URL}?since={end}", {"If-None-Match": full.headers["etag"]}).status == 304


def test_a_page_with_more_has_its_own_etag_and_304(serve):
    get = serve(app_on(ListingBackend()))
    cursor = get(URL).headers["x-flowrra-cursor"]
    for n in range(3):
        emit(f"m{n}")
    page = get(f"{URL}?since={cursor}&limit=2")
    assert page.headers["x-flowrra-more"] == "1" and ids(page) == ["m0", "m1"]
    same = get(f"{URL}?since={cursor}&limit=2", {"If-None-Match": page.headers["etag"]})
    assert same.status == 304 and same.headers["x-flowrra-more"] == "1"
    assert same.headers["x-flowrra-cursor"] == page.headers["x-flowrra-cursor"]


@pytest.mark.parametrize("since", ["garbage", "", "0123456789abcdef.1-0", "0123456789ABCDEF.1-0", "x" * 5000])
def test_a_cursor_the_server_never_gave_is_a_410(serve, since):
    get = serve(app_on(ListingBackend()))
    answer = get(f"{URL}?since={since}")
    assert answer.status == 410
    assert answer.headers["content-type"] == "application/json"
    assert "take the full answer" in answer.json()["detail"]


def test_a_cursor_of_another_app_or_from_the_future_is_a_410(serve):
    one = serve(app_on(ListingBackend()))
    other = serve(app_on(ListingBackend()))
    emit("a")
    cursor = one(URL).headers["x-flowrra-cursor"]
    assert one(f"{URL}?since={cursor}").status == 200
    assert other(f"{URL}?since={cursor}").status == 410
    log_id, _, position = cursor.partition(".")
    ahead = f"{log_id}.{int(position.split('-')[0]) + 5}-0"
    assert one(f"{URL}?since={ahead}").status == 410


def test_a_cursor_older_than_the_index_keeps_is_a_410_never_a_partial_answer(serve):
    get = serve(app_on(ListingBackend()), max_runs=3)
    cursor = get(URL).headers["x-flowrra-cursor"]
    for n in range(3):
        emit(f"k{n}")
    assert ids(get(f"{URL}?since={cursor}")) == ["k0", "k1", "k2"]
    emit("k3")  # k0 leaves the index: its change can no longer be served
    gone = get(f"{URL}?since={cursor}")
    assert gone.status == 410 and b"older" in gone.body
    assert ids(get(URL)) == ["k3", "k2", "k1"]


def test_several_since_values_are_a_400(serve):
    get = serve(app_on(ListingBackend()))
    cursor = get(URL).headers["x-flowrra-cursor"]
    answer = get(f"{URL}?since={cursor}&since={cursor}")
    assert answer.status == 400 and answer.json() == {"detail": "since must be one cursor"}


def test_head_is_answered_like_get_without_a_body(serve):
    get = serve(app_on(ListingBackend(result("h", "success", finished_at=at(1)))))
    full = get(URL)
    head = get(URL, method="HEAD")
    assert head.status == 200 and head.body == b""
    for name in ("etag", "x-flowrra-cursor", "cache-control", "content-type"):
        assert head.headers[name] == full.headers[name], name
    assert get(URL, {"If-None-Match": full.headers["etag"]}, method="HEAD").status == 304


def test_an_app_can_mount_the_endpoint_twice(serve):
    flowrra = app_on(ListingBackend(result("twice", "success", finished_at=at(1))))
    first = serve(flowrra)
    second = serve(flowrra)  # a second mount of one app: one index, one cursor
    assert ids(first(URL)) == ids(second(URL)) == ["twice"]
    assert first(URL).headers["x-flowrra-cursor"] == second(URL).headers["x-flowrra-cursor"]
