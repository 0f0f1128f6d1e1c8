"""A real ASGI server running a test app in a child process, and a small WebSocket client for it.

The client is wsproto over asyncio streams (Debian's python3-websockets is not a test dependency).
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from redis_server import free_port

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parents[1]
# This directory's apps first: test/flowrra/apps has modules of the same names, of which only the
# Django settings are used here.
APPS = [TESTS / "monitored", REPO / "test" / "workers" / "apps", REPO / "test" / "flowrra" / "apps"]
TOKEN = "operator-secret"


def command(framework: str, port: int, workers: int = 1) -> list[str]:
    python = [sys.executable, "-m"]
    if framework == "fastapi":
        return [*python, "uvicorn", "fastapi_app:asgi", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
    if framework == "quart":
        return [*python, "hypercorn", "quart_app:asgi", "--bind", f"127.0.0.1:{port}"]
    return [*python, "daphne", "-b", "127.0.0.1", "-p", str(port), "django_app:asgi"]


class LiveServer:
    def __init__(self, framework: str, *, workers: int = 1, env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        # A file, not a pipe: a server logging many errors must never block on a full pipe.
        self._log = tempfile.TemporaryFile()
        path = os.pathsep.join(map(str, [*APPS, *sys.path]))
        self.process = subprocess.Popen(
            command(framework, self.port, workers),
            cwd=TESTS / "monitored",
            env={**os.environ, "PYTHONPATH": path, "TOKEN": TOKEN, **(env or {})},
            stdout=subprocess.DEVNULL,
            stderr=self._log,
            start_new_session=True,
        )
        deadline = time.monotonic() + 20
        while True:
            try:
                self.get("/flowrra/api/metrics")
                return
            except (urllib.error.URLError, ConnectionError):
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"{framework} did not start: {self.log()[-2000:]}")
                time.sleep(0.05)

    def get(self, path: str, token: str | None = TOKEN, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", headers=headers or {})
        if token is not None:
            request.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
        except urllib.error.HTTPError as error:
            return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()

    def post(self, path: str) -> Any:
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", method="POST", data=b"")
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())

    def stats(self) -> dict:
        status, _, body = self.get("/flowrra/api/metrics")
        assert status == 200, body
        return json.loads(body)

    async def wait_for(self, predicate, timeout: float = 15.0) -> dict:
        """The first stats (read over HTTP) that satisfy ``predicate``; fails after ``timeout`` s."""
        deadline = time.monotonic() + timeout
        while True:
            stats = await asyncio.to_thread(self.stats)
            if predicate(stats):
                return stats
            if time.monotonic() > deadline:
                raise AssertionError(f"stats never matched: {stats}")
            await asyncio.sleep(0.05)

    def log(self) -> str:
        self._log.seek(0)
        return self._log.read().decode(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            # uvicorn waits forever for Flowrra's FastAPI socket handler, which never reads: no
            # graceful stop to wait for (FLOWRRA-FACTS), the whole process group goes.
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self._log.close()


class WsClient:
    """One WebSocket client: handshake, text frames, a clean close or a dropped connection."""

    @classmethod
    async def connect(cls, port: int, path: str = "/flowrra/ws") -> "WsClient":
        from wsproto import ConnectionType, WSConnection
        from wsproto.events import Request

        client = cls()
        client.reader, client.writer = await asyncio.open_connection("127.0.0.1", port)
        client.ws = WSConnection(ConnectionType.CLIENT)
        client.messages: asyncio.Queue = asyncio.Queue()
        client.headers: dict[str, str] = {}
        client.accepted = asyncio.get_running_loop().create_future()
        client.closed = asyncio.Event()
        client.writer.write(client.ws.send(Request(host=f"127.0.0.1:{port}", target=path)))
        client._pump = asyncio.create_task(client._read())
        await asyncio.wait_for(client.accepted, 10)
        return client

    async def _read(self) -> None:
        from wsproto.events import AcceptConnection, CloseConnection, Ping, RejectConnection, TextMessage

        text = ""
        try:
            while data := await self.reader.read(65536):
                self.ws.receive_data(data)
                for event in self.ws.events():
                    if isinstance(event, AcceptConnection):
                        self.headers = {k.decode().lower(): v.decode() for k, v in event.extra_headers}
                        self.accepted.set_result(True)
                    elif isinstance(event, RejectConnection):
                        self.accepted.set_exception(ConnectionError(f"rejected: {event.status_code}"))
                    elif isinstance(event, TextMessage):
                        text += event.data
                        if event.message_finished:
                            await self.messages.put(json.loads(text))
                            text = ""
                    elif isinstance(event, Ping):
                        self.writer.write(self.ws.send(event.response()))
                    elif isinstance(event, CloseConnection):
                        if self.ws.state.name == "REMOTE_CLOSING":
                            self.writer.write(self.ws.send(event.response()))
                        return
        except ConnectionError:
            pass
        finally:
            self.closed.set()
            if not self.accepted.done():
                self.accepted.set_exception(ConnectionError("closed before the handshake"))

    @property
    def pid(self) -> int:
        return int(self.headers["x-worker-pid"])

    async def receive(self, timeout: float = 10.0) -> dict:
        return await asyncio.wait_for(self.messages.get(), timeout)

    async def close(self) -> None:
        """A clean close handshake, as a browser tab closing."""
        from wsproto.events import CloseConnection

        self.writer.write(self.ws.send(CloseConnection(code=1000)))
        await asyncio.wait_for(self.closed.wait(), 10)
        self.writer.close()

    def drop(self) -> None:
        """The connection reset without a close frame (a crashed client, a proxy cutting it).

        A reset (SO_LINGER 0), not a plain FIN: uvicorn 0.17's wsproto protocol never reports a
        FIN without close frame to the app, so no middleware can see that one (docs/monitoring.md).
        """
        sock = self.writer.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.writer.transport.abort()
        self._pump.cancel()
