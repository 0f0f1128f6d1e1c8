"""The polling endpoint, the same behaviour checked in FastAPI, Quart and Django (`serve` fixture)."""

from __future__ import annotations

import datetime
import decimal
import math

import pytest
from apps import (
    BaseOnlyBackend,
    DownBackend,
    ListingBackend,
    NoListingBackend,
    app_on,
    at,
    ran,
    result,
)
from conftest import run
from flowrra import Flowrra
from flowrra.events import event_bus

URL = "/flowrra/api/results"


def emit(stored) -> None:
    """What Flowrra's executors do after storing a result: the change goes out on the event bus."""
    run(event_bus.emit({"type": "task.update", "task": stored.to_dict}))


def ids(answer):
    return [task["task_id"] for task in answer.json()]


def five_tasks() -> ListingBackend:
    return ListingBackend(*(result(f"t{n}", "success", finished_at=at(n)) for n in range(1, 6)))


def test_serves_what_flowrra_stored_newest_first(serve):
    flowrra, (added, failed, dated) = ran(("add", (1, 2)), ("fail", ("boom",)), ("moment", (2001,)))
    answer = serve(flowrra)(URL)

    assert answer.status == 200
    assert answer.headers["content-type"] == "application/json"
    tasks = answer.json()
    assert [task["task_id"] for task in tasks] == [dated, failed, added]
    by_id = {task["task_id"]: task for task in tasks}
    assert by_id[added]["status"] == "success" and by_id[added]["result"] == 3
    assert by_id[added]["task_name"] == "add"
    assert by_id[failed]["status"] == "failed" and by_id[failed]["error"] == "boom"
    assert by_id[failed]["retries"] == 1
    # Flowrra's backend accepts a datetime result that its own socket cannot send.
    assert by_id[dated]["result"] == "2001-01-02T03:04:05"
    for task in tasks:
        assert set(task) == {
            "task_id", "status", "task_name", "result", "error", "submitted_at",
            "started_at", "finished_at", "retries", "args", "kwargs",
        }
        assert datetime.datetime.fromisoformat(task["finished_at"]) >= datetime.datetime.fromisoformat(task["started_at"])


def test_orders_all_five_statuses_by_the_latest_of_three_timestamps(serve):
    backend = ListingBackend(
        result("no-time", "success"),
        result("retrying", "retrying", started_at=at(1), retries=1),
        result("failed", "failed", started_at=at(0), finished_at=at(2)),
        result("running", "running", started_at=at(3)),
        result("finished-late", "success", submitted_at=at(0), started_at=at(0, 30), finished_at=at(4)),
        result("pending", "pending", submitted_at=at(5)),
    )
    answer = serve(app_on(backend))(URL)
    assert ids(answer) == ["pending", "finished-late", "running", "failed", "retrying", "no-time"]


def test_limit_defaults_to_the_option_and_is_read_from_the_query(serve):
    get = serve(app_on(five_tasks()), limit=2)
    assert ids(get(URL)) == ["t5", "t4"]
    assert ids(get(URL + "?limit=3")) == ["t5", "t4", "t3"]
    assert ids(get(URL + "?limit=1000")) == ["t5", "t4", "t3", "t2", "t1"]


def test_default_limit_is_200(serve):
    backend = ListingBackend(*(result(f"t{n:04}", "running", started_at=at(0, 0) + datetime.timedelta(seconds=n)) for n in range(250)))
    tasks = serve(app_on(backend))(URL).json()
    assert len(tasks) == 200
    assert tasks[0]["task_id"] == "t0249" and tasks[-1]["task_id"] == "t0050"


@pytest.mark.parametrize("query", ["limit=0", "limit=1001", "limit=-1", "limit=abc", "limit=1.5", "limit=", "limit=%C2%B2", "limit=1&limit=2", "limit=" + "9" * 5000], ids=lambda query: query[:16])
def test_a_bad_limit_is_a_400_with_a_json_message(serve, query):
    answer = serve(app_on(five_tasks()))(f"{URL}?{query}")
    assert answer.status == 400
    assert answer.headers["content-type"] == "application/json"
    assert answer.json() == {"detail": "limit must be one integer from 1 to 1000"}


def test_strong_etag_and_304_on_if_none_match(serve):
    backend = five_tasks()
    get = serve(app_on(backend))
    first = get(URL)
    etag = first.headers["etag"]
    assert etag.startswith('"') and etag.endswith('"') and len(etag) > 10
    assert first.headers["cache-control"] == "no-cache"

    for header in (etag, "W/" + etag, f'"other", {etag}', "*"):
        again = get(URL, {"If-None-Match": header})
        assert again.status == 304, header
        assert again.body == b""
        assert again.headers["etag"] == etag
        assert again.headers["cache-control"] == "no-cache"
        assert "content-type" not in again.headers  # no body, so no body type (Django and Flask said text/html)

    assert get(URL, {"If-None-Match": '"other"'}).status == 200
    assert get(URL + "?limit=1", {"If-None-Match": etag}).status == 200

    emit(result("t6", "running", started_at=at(6)))
    changed = get(URL, {"If-None-Match": etag})
    assert changed.status == 200
    assert changed.headers["etag"] != etag
    assert ids(changed)[0] == "t6"


def test_string_token_serves_nothing_without_it(serve):
    get = serve(app_on(ListingBackend(result("secret-task", "success", result="s3cr3t"))), token="let-me-in")
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "let-me-in"}, {"Authorization": "Basic let-me-in"}):
        answer = get(URL, headers)
        assert answer.status == 401, headers
        assert answer.json() == {"detail": "Not authenticated"}
        assert answer.headers["www-authenticate"] == "Bearer"
        assert b"secret-task" not in answer.body and b"s3cr3t" not in answer.body
    # Authentication comes before anything else: no 400 or 304 tells an outsider something.
    assert get(URL + "?limit=0").status == 401
    assert ids(get(URL, {"Authorization": "Bearer let-me-in"})) == ["secret-task"]
    assert get(URL, {"Authorization": "bearer let-me-in"}).status == 200


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_callable_token_is_given_the_request(serve, kind):
    seen = []

    def decide(request):
        seen.append(request)
        return request.headers.get("X-Team") == "ops"

    async def decide_async(request):
        return decide(request)

    get = serve(app_on(five_tasks()), token=decide if kind == "sync" else decide_async)
    denied = get(URL, {"X-Team": "sales"})
    assert denied.status == 401 and b"t1" not in denied.body
    assert get(URL).status == 401
    assert len(ids(get(URL, {"X-Team": "ops"}))) == 5
    assert len(seen) == 3


def test_excluded_keys_never_appear(serve):
    backend = ListingBackend(
        result("a", "success", result="private-result", args=("private-arg",), kwargs={"k": "private-kwarg"}, finished_at=at(1)),
        result("b", "pending", args=("private-arg",), kwargs={"k": "private-kwarg"}, submitted_at=at(2)),
    )
    answer = serve(app_on(backend), exclude={"args", "kwargs", "result"})(URL)
    assert ids(answer) == ["b", "a"]
    for task in answer.json():
        assert not {"args", "kwargs", "result"} & set(task)
        assert {"task_id", "status", "task_name", "error", "retries"} <= set(task)
    assert b"private" not in answer.body


@pytest.mark.parametrize("key", ["task_id", "status"])
def test_refuses_to_exclude_what_the_sdk_needs(serve, key):
    with pytest.raises(ValueError, match=key):
        serve(app_on(five_tasks()), exclude={key, "args"})


def test_results_json_cannot_encode_are_served_as_strings(serve):
    class Opaque:
        def __str__(self):
            return "opaque"

    cyclic: list = []
    cyclic.append(cyclic)
    backend = ListingBackend(
        result("dt", "success", result=datetime.datetime(2026, 1, 2, 3, 4, 5, 6), finished_at=at(6)),
        result("mixed", "success", finished_at=at(5), result={
            "when": datetime.date(2026, 1, 2),
            "tags": {"b", "a", "c"},
            "price": decimal.Decimal("1.10"),
            "nan": math.nan,
            (1, 2): Opaque(),
            3: b"raw",
        }),
        result("cycle", "success", result=cyclic, finished_at=at(4)),
        result("kwargs", "pending", kwargs={"at": datetime.time(9, 30)}, submitted_at=at(3)),
    )
    answer = serve(app_on(backend))(URL)
    assert answer.status == 200
    by_id = {task["task_id"]: task for task in answer.json()}
    assert by_id["dt"]["result"] == "2026-01-02T03:04:05.000006"
    assert by_id["mixed"]["result"] == {
        "when": "2026-01-02", "tags": ["a", "b", "c"], "price": "1.10", "nan": "nan", "(1, 2)": "opaque", "3": "b'raw'",
    }
    assert by_id["cycle"]["result"] == "[[...]]"
    assert by_id["kwargs"]["kwargs"] == {"at": "09:30:00"}


@pytest.mark.parametrize("backend", [NoListingBackend(), BaseOnlyBackend()], ids=["no-method", "not-implemented"])
def test_a_backend_that_cannot_list_is_a_501_that_says_so(serve, backend):
    answer = serve(app_on(backend))(URL)
    assert answer.status == 501
    assert answer.headers["content-type"] == "application/json"
    detail = answer.json()["detail"]
    assert type(backend).__name__ in detail and "list_by_status()" in detail


def test_a_backend_that_is_down_is_a_503_without_its_error_text(serve):
    answer = serve(app_on(DownBackend()))(URL)
    assert answer.status == 503
    assert answer.json() == {"detail": "The result backend failed: ConnectionError"}


def test_trailing_slash(serve):
    get = serve(app_on(five_tasks()), limit=1)
    with_slash = get(URL + "/?limit=2")
    assert with_slash.status == 200 and ids(with_slash) == ["t5", "t4"]
    assert with_slash.headers["etag"] == get(URL + "?limit=2").headers["etag"]


def test_an_app_not_started_or_without_tasks_has_no_runs(serve):
    registered = Flowrra()

    @registered.task()
    async def job() -> None: ...

    for flowrra in (registered, Flowrra()):
        answer = serve(flowrra)(URL)
        assert answer.status == 200 and answer.json() == []


def test_reads_both_executors_once_each_keeping_the_newer_state(serve):
    io = ListingBackend(result("io", "success", finished_at=at(1)), result("both", "running", started_at=at(2)))
    cpu = ListingBackend(result("cpu", "failed", finished_at=at(4)), result("both", "success", started_at=at(2), finished_at=at(3)))
    tasks = serve(app_on(io, cpu))(URL).json()
    assert [(task["task_id"], task["status"]) for task in tasks] == [("cpu", "failed"), ("both", "success"), ("io", "success")]


def test_mounts_beside_flowrras_own_ui_under_the_same_prefix(serve):
    if serve.__name__ == "flask_app":
        # Flowrra has no UI for plain Flask (its blueprint needs Quart's websocket routes): there is
        # nothing to mount beside. Should a later Flowrra have one, this fails and the case below runs.
        with pytest.raises(TypeError, match="is_websocket"):
            serve(app_on(five_tasks()), with_flowrra_ui=True)
        return
    get = serve(app_on(five_tasks()), with_flowrra_ui=True)
    # Flowrra's Django JSON routes end with a slash; its other flavors' do not.
    definitions = get("/flowrra/api/tasks/" if serve.__name__ == "django_app" else "/flowrra/api/tasks")
    assert definitions.status == 200 and [task["name"] for task in definitions.json()] == ["job"]
    assert ids(get(URL))[:2] == ["t5", "t4"]


def test_odd_items_from_a_custom_backend_are_served_not_a_500(serve):
    class MappingBackend(ListingBackend):
        async def list_by_status(self, status, limit=None, offset=0):
            if status.value != "running":
                return []
            return [
                {"task_id": "mapping", "status": ["odd"], 1: "int key", "finished_at": "not a time"},
                {"task_id": "mapping", "status": {"odd": True}},  # listed twice, unhashable status
                {"status": "running"},  # no task_id: nothing the SDK could use
                result("bad-stamp", "running", started_at="2026-11-30 10:09:00"),  # to_dict() fails on a str
            ]

    answer = serve(app_on(MappingBackend()))(URL)
    assert answer.status == 200
    tasks = answer.json()
    assert ids(answer) == ["bad-stamp", "mapping"]
    assert tasks[0]["started_at"] == "2026-11-30 10:09:00" and tasks[0]["status"] == "running"
    assert tasks[1]["1"] == "int key"
