"""The framework-free part: options refused at creation, deterministic encoding, imports."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from apps import DownBackend, ListingBackend, app_on
from conftest import PYTHON_DIR, run

from flowrra_live import ResultsEndpoint
from flowrra_live.encoding import dumps, json_safe


@pytest.mark.parametrize("limit", [0, 1001, -5, True, "50", 20.0, None])
def test_refuses_a_default_limit_outside_1_to_1000(limit):
    with pytest.raises(ValueError, match="limit must be an integer from 1 to 1000"):
        ResultsEndpoint(app_on(ListingBackend()), limit=limit)


@pytest.mark.parametrize("token", ["", "   ", 42, b"bytes"])
def test_refuses_a_token_that_is_neither_a_string_nor_callable(token):
    with pytest.raises(ValueError, match="token must be"):
        ResultsEndpoint(app_on(ListingBackend()), token=token)


def test_exclude_takes_a_collection_of_known_keys():
    flowrra = app_on(ListingBackend())
    with pytest.raises(TypeError, match="not a string"):
        ResultsEndpoint(flowrra, exclude="args")
    # A typo must not leave the key it meant to hide exposed.
    with pytest.raises(ValueError, match=r"unknown keys \['arg'\]"):
        ResultsEndpoint(flowrra, exclude={"arg"})
    with pytest.raises(ValueError, match="cannot remove status, task_id"):
        ResultsEndpoint(flowrra, exclude=["status", "task_id"])
    assert ResultsEndpoint(flowrra, exclude=("args", "kwargs", "result", "error")).exclude == {"args", "kwargs", "result", "error"}


def test_values_that_even_str_cannot_render_still_encode():
    class Hostile:
        def __str__(self):
            raise RuntimeError("no")

    assert json_safe({"x": Hostile()}) == {"x": "<unprintable Hostile>"}
    assert dumps(json_safe([float("inf"), -float("inf")])) == b'["inf","-inf"]'


_ETAG_OF_SAME_VIEW = """
import sys
sys.path[:0] = sys.argv[1:]
from flowrra_live.endpoint import _view_key, etag
from flowrra_live.read_tokens import Scope
tags = frozenset({"alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta"})
# The cursor of a shared log (the fan-out's): the same on every worker.
print(etag(_view_key("0123456789abcdef.1700000000000-0", False, 200, frozenset({"args", "kwargs", "result"}), Scope(task_ids=tags, tags=tags))))
"""


def test_the_same_position_and_view_has_the_same_etag_in_every_process():
    # String hashes, and with them set order, differ per process unless PYTHONHASHSEED is fixed:
    # a client switching workers (with the fan-out: one cursor) must still get a 304 when nothing changed.
    paths = [str(PYTHON_DIR / "tests"), *sys.path]
    runs = [python(["-c", _ETAG_OF_SAME_VIEW, *paths], PYTHONHASHSEED=seed) for seed in ("1", "2", "3", "4")]
    etags = {output(run) for run in runs}
    assert len(etags) == 1 and etags.pop().startswith('"')


def test_importing_the_package_or_one_adapter_imports_no_other_framework():
    check = (
        "import sys; sys.path[:0] = sys.argv[2:]; import importlib; importlib.import_module(sys.argv[1]);"
        "print(sorted(m for m in ('fastapi', 'starlette', 'quart', 'flask', 'django') if m in sys.modules))"
    )
    expected = {"flowrra_live": "[]", "flowrra_live.fastapi": "['fastapi', 'starlette']", "flowrra_live.quart": "['quart']", "flowrra_live.django": "['django']"}
    runs = {module: python(["-c", check, module, *sys.path]) for module in expected}
    assert {module: output(run) for module, run in runs.items()} == expected


def python(arguments: list[str], **env: str) -> subprocess.Popen:
    """A fresh interpreter, started at once so that several run side by side."""
    return subprocess.Popen([sys.executable, *arguments], env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def output(process: subprocess.Popen) -> str:
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 0, stderr
    return stdout.strip()


def test_the_package_reaches_framework_modules_by_attribute():
    import flowrra_live

    assert flowrra_live.fastapi.create_router and flowrra_live.quart.create_blueprint and flowrra_live.django.get_urls
    with pytest.raises(AttributeError):
        flowrra_live.no_such_module  # noqa: B018


def test_a_backend_outage_is_logged_once_and_its_end_once(caplog):
    backend = DownBackend()
    endpoint = ResultsEndpoint(app_on(backend))

    def poll() -> int:
        return run(endpoint.respond(None, {}, lambda name: [])).status

    with caplog.at_level("WARNING", logger="flowrra_live"):
        assert [poll(), poll(), poll()] == [503, 503, 503]
        backend.up = True
        assert [poll(), poll()] == [200, 200]
    assert [record.levelname for record in caplog.records] == ["ERROR", "WARNING"]
    assert "until it recovers" in caplog.records[0].message and "answers again" in caplog.records[1].message
