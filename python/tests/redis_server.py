"""A throwaway redis-server for tests: a free loopback port, no persistence, stopped by the test."""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time

import redis


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RedisServer:
    def __init__(self) -> None:
        self.binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="flowrra-live-redis-")
        self.process: subprocess.Popen | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> "RedisServer":
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", self.dir],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port, socket_connect_timeout=0.2)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"redis-server did not start on port {self.port}")
                time.sleep(0.02)
            finally:
                client.close()
        return self

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None

    def client(self, db: int = 0) -> redis.Redis:
        return redis.Redis(port=self.port, db=db)


class Partition:
    """A loopback TCP proxy to a Redis server that a test can cut (drop every connection, refuse new ones) and heal.

    Runs on the test's event loop: create it inside ``asyncio.run``.
    """

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.cut = False
        self._pipes: set = set()
        self._server = None
        self._flowing = None  # set while bytes may pass; cleared by freeze()

    async def start(self) -> "Partition":
        import asyncio

        self._flowing = asyncio.Event()
        self._flowing.set()
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    async def _accept(self, reader, writer) -> None:
        import asyncio

        if self.cut:
            writer.close()
            return
        upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        self._pipes.update((writer, upstream_writer))
        await asyncio.gather(self._pump(reader, upstream_writer), self._pump(upstream_reader, writer), return_exceptions=True)

    async def _pump(self, reader, writer) -> None:
        try:
            while data := await reader.read(65536):
                await self._flowing.wait()
                writer.write(data)
                await writer.drain()
        finally:
            writer.close()
            self._pipes.discard(writer)

    def cut_off(self) -> None:
        self.cut = True
        for writer in list(self._pipes):
            writer.transport.abort()

    def heal(self) -> None:
        self.cut = False

    def freeze(self) -> None:
        """A half-open link: connections stay up (no FIN, no RST) but nothing passes either way."""
        self._flowing.clear()

    def thaw(self) -> None:
        self._flowing.set()

    async def stop(self) -> None:
        self.cut_off()
        self._server.close()
        await self._server.wait_closed()
