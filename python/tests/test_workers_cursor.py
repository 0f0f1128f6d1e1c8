"""A real ``uvicorn --workers 2`` app with the fan-out: a cursor one worker gave is served by the other."""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
import time

import pytest
from conftest import PYTHON_DIR, require
from redis_server import RedisServer, free_port

URL = "/flowrra/api/results"


class Workers:
    def __init__(self, redis: RedisServer) -> None:
        require("uvicorn", "python3-uvicorn")
        self.port = free_port()
        env = {**os.environ, "REDIS": redis.url().rsplit("/", 1)[0], "PYTHONPATH": os.pathsep.join([str(PYTHON_DIR / "tests"), *sys.path])}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "workers_app:app", "--workers", "2", "--host", "127.0.0.1", "--port", str(self.port)],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
        )

    def request(self, method: str, path: str) -> tuple[int, dict[str, str], bytes]:
        # A fresh connection each time, so that either worker may take it.
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.request(method, path)
            response = connection.getresponse()
            return response.status, {name.lower(): value for name, value in response.getheaders()}, response.read()
        finally:
            connection.close()

    def on(self, pid: str | None, path: str, tries: int = 200) -> tuple[int, dict[str, str], bytes]:
        """``GET path`` answered by worker ``pid`` (any worker for ``None``)."""
        for _ in range(tries):
            answer = self.request("GET", path)
            if pid is None or answer[1]["x-worker-pid"] == pid:
                return answer
        raise AssertionError(f"worker {pid} never took a connection in {tries} tries")

    def pids(self) -> set[str]:
        deadline = time.monotonic() + 30
        seen: set[str] = set()
        while len(seen) < 2:
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"uvicorn did not start two workers:\n{self.output()}")
            try:
                seen.add(self.request("GET", URL)[1]["x-worker-pid"])
            except OSError:
                time.sleep(0.05)  # not listening yet: nothing to wait on but the port
        return seen

    def output(self) -> str:
        self.stop()
        return self.process.stdout.read().decode(errors="replace")[-3000:]

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


@pytest.fixture
def workers():
    redis = RedisServer().start()
    app = Workers(redis)
    yield app
    app.stop()
    redis.stop()


def test_a_cursor_from_one_worker_resumes_exactly_on_the_other(workers):
    first, second = sorted(workers.pids())
    status, headers, _ = workers.on(first, URL)
    assert status == 200
    start = headers["x-flowrra-cursor"]

    status, _, body = workers.request("POST", "/test/submit?start=0&count=300")
    assert status == 200, body
    submitted = json.loads(body)["task_ids"]

    def settled_on(pid: str) -> str | None:
        """The worker's newest cursor once every task's final state has its place in the log there."""
        _, headers, body = workers.on(pid, f"{URL}?since={start}&limit=1000")
        done = sum(task["status"] == "success" for task in json.loads(body)) == 300
        return headers["x-flowrra-cursor"] if done else None

    deadline = time.monotonic() + 60
    while None in (ends := {settled_on(first), settled_on(second)}) or len(ends) > 1:
        assert time.monotonic() < deadline, workers.output()
        time.sleep(0.1)  # tasks are running in both workers; nothing to wait on but their results

    # Walk from the first worker's cursor, each page from the other worker than the last.
    served: list[tuple[str, str]] = []
    cursor, more, page = start, True, 0
    while more:
        status, headers, body = workers.on((second, first)[page % 2], f"{URL}?since={cursor}&limit=70")
        assert status == 200, body
        served += [(task["task_id"], task["status"]) for task in json.loads(body)]
        cursor, more, page = headers["x-flowrra-cursor"], headers.get("x-flowrra-more") == "1", page + 1
    assert page >= 5
    assert sorted(task_id for task_id, _ in served) == sorted(submitted)  # each once
    assert {status for _, status in served} == {"success"}
    # Both workers agree where the log ends, and nothing is left after it on either.
    for pid in (first, second):
        status, headers, body = workers.on(pid, f"{URL}?since={cursor}")
        assert status == 200 and json.loads(body) == [] and headers["x-flowrra-cursor"] == cursor
    assert workers.on(second, f"{URL}?since=garbage")[0] == 410
