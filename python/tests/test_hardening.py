"""Defects found in review (issue 18), each pinned: packaging, Flask's submit, fork safety, mounting twice, tokens."""

from __future__ import annotations

import asyncio
import os
import signal
import tomllib

import pytest
from apps import ListingBackend, app_on, at, result
from conftest import PYTHON_DIR, require, run
from flowrra import Flowrra

from flowrra_live import ResultsEndpoint

URL = "/flowrra/api/results"


def test_the_package_declares_its_extras_and_the_flowrra_it_was_written_for():
    project = tomllib.loads((PYTHON_DIR / "pyproject.toml").read_text())["project"]
    # fanout.py reads Flowrra 0.1.8 internals and imports redis.
    assert project["dependencies"] == ["flowrra>=0.1.8,<0.2"]
    extras = project["optional-dependencies"]
    assert any(requirement.startswith("redis") for requirement in extras["fanout"])
    assert any(requirement.startswith("flask") for requirement in extras["flask"])


@pytest.mark.parametrize("token", ["secret\n", " secret", "secret\t"])
def test_a_token_with_whitespace_around_it_is_refused_at_mount(token):
    # Headers lose surrounding whitespace: such a token would be accepted and then never match.
    with pytest.raises(ValueError, match="whitespace"):
        ResultsEndpoint(app_on(ListingBackend()), token=token)


def test_flask_submit_refuses_an_app_without_a_broker():
    require("flask", "python3-flask")
    from flowrra_live.flask import submit

    flowrra = Flowrra()  # Flowrra's in-process queue: no other process could take the task

    @flowrra.task()
    async def job() -> None: ...

    with pytest.raises(RuntimeError, match="broker"):
        submit(flowrra, job)
    assert flowrra._io_executor._queue.qsize() == 0


def test_the_background_loop_works_in_a_child_forked_after_it_started():
    from flowrra_live.background_loop import run_in_background_loop

    async def answer() -> int:
        return os.getpid()

    assert run_in_background_loop(answer()) == os.getpid()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child reports through its exit status
        signal.alarm(10)  # a child that hangs dies, and the parent sees it
        try:
            os._exit(0 if run_in_background_loop(answer()) == os.getpid() else 1)
        except BaseException:
            os._exit(2)
    _, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0


def _two_mounts_of_one_app(framework: str):
    flowrra = app_on(ListingBackend(result("twice", "success", finished_at=at(1))))
    if framework == "flask":
        flask = require("flask", "python3-flask")
        import flowrra_live.flask

        app = flask.Flask(__name__)
        app.register_blueprint(flowrra_live.flask.create_blueprint(flowrra), url_prefix="/a")
        app.register_blueprint(flowrra_live.flask.create_blueprint(flowrra), url_prefix="/b")
        client = app.test_client()
        return lambda path: (client.get(path).status_code, client.get(path).get_json())
    quart = require("quart", "python3-quart")
    import flowrra_live.quart

    app = quart.Quart(__name__)
    app.register_blueprint(flowrra_live.quart.create_blueprint(flowrra), url_prefix="/a")
    app.register_blueprint(flowrra_live.quart.create_blueprint(flowrra), url_prefix="/b")

    async def fetch(path):
        response = await app.test_client().get(path)
        return response.status_code, await response.get_json()

    return lambda path: run(fetch(path))


@pytest.mark.parametrize("framework", ["flask", "quart"])
def test_one_app_can_mount_the_blueprint_twice(framework):
    get = _two_mounts_of_one_app(framework)
    for prefix in ("/a", "/b"):
        status, tasks = get(prefix + "/api/results")
        assert status == 200 and [task["task_id"] for task in tasks] == ["twice"]


def test_seeding_does_not_stall_when_two_endpoints_of_one_app_poll_at_once():
    backend = ListingBackend(*(result(f"p{n}", "success", finished_at=at(n)) for n in range(3)))
    flowrra = app_on(backend)
    first, second = ResultsEndpoint(flowrra), ResultsEndpoint(flowrra)
    no_query = lambda name: []  # noqa: E731

    async def both():
        return await asyncio.gather(first.respond(None, {}, no_query), second.respond(None, {}, no_query))

    replies = run(both())
    assert [reply.status for reply in replies] == [200, 200] and replies[0].body == replies[1].body


def test_flask_submit_gives_up_on_a_broker_that_never_answers(monkeypatch):
    require("flask", "python3-flask")
    import flowrra_live.flask as live_flask

    flowrra = Flowrra.from_urls(broker="redis://127.0.0.1:1/0", backend="redis://127.0.0.1:1/1")

    @flowrra.task()
    async def job() -> None: ...

    async def never(*args, **kwargs):
        await asyncio.Event().wait()

    monkeypatch.setattr(flowrra, "submit", never)
    monkeypatch.setattr(live_flask, "SUBMIT_TIMEOUT", 0.2)
    with pytest.raises(TimeoutError):
        live_flask.submit(flowrra, job)
