"""``SocketCounter``: pure ASGI middleware counting open sockets into ``flowrra_sockets{endpoint}``.

A socket counts from its accepted handshake to its close, whichever side closes. Flowrra's FastAPI
handler never reads its socket, so a client that left would never be seen by the app: the
middleware reads the server's messages itself (into a small queue the app reads from) and counts
the socket out as soon as the server reports the disconnect.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

__all__ = ["SocketCounter"]

#: Flowrra's socket at its documented prefix.
DEFAULT_PATHS = {"/flowrra/ws": "flowrra"}
# Messages read ahead of an app that does not read. Small, so a client that floods frames is still
# held back by the server's flow control; past it, such a client is counted out at the next send.
READ_AHEAD = 16


class SocketCounter:
    """Counts the sockets on ``paths`` (path -> ``endpoint`` label); other scopes pass untouched.

    FastAPI ``app.add_middleware(SocketCounter)``, Quart ``app.asgi_app = SocketCounter(app.asgi_app)``,
    Django ``application = SocketCounter(ProtocolTypeRouter({...}))``.

    ``paths`` @default ``{"/flowrra/ws": "flowrra"}``: add flowrra_live's scoped socket as ``"live"``
    (e.g. ``{"/flowrra/ws": "flowrra", "/live/ws": "live"}``).
    An exception the app raises while its socket is open (Flowrra's FastAPI handler, on an event
    it cannot encode) also counts in ``flowrra_subscriber_errors_total``.
    """

    def __init__(self, app: Any, paths: Mapping[str, str] | None = None, metrics: Any = None) -> None:
        from .metrics import current

        self.app = app
        self.paths = {path.rstrip("/"): endpoint for path, endpoint in (paths or DEFAULT_PATHS).items()}
        self.metrics = metrics or current()

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        endpoint = self.paths.get(scope.get("path", "").rstrip("/")) if scope["type"] == "websocket" else None
        if endpoint is None:
            return await self.app(scope, receive, send)
        socket = _CountedSocket(self.metrics, endpoint, receive, send)
        try:
            await self.app(scope, socket.receive, socket.send)
        except Exception:
            if socket.open:
                self.metrics.subscriber_error()
            raise
        finally:
            socket.end()


class _CountedSocket:
    def __init__(self, metrics: Any, endpoint: str, receive: Any, send: Any) -> None:
        self.metrics = metrics
        self.endpoint = endpoint
        self.open = False
        self._last: dict | None = None
        self._send = send
        self._inbox: asyncio.Queue = asyncio.Queue(READ_AHEAD)
        # Started at once and the only reader of the server: Quart reads before the handshake, and
        # two concurrent readers would split or refuse the server's messages.
        self._reader = asyncio.ensure_future(self._read(receive))

    async def _read(self, receive: Any) -> None:
        while True:
            try:
                message = await receive()
            except Exception as error:
                await self._inbox.put(error)
                return
            if message["type"] == "websocket.disconnect":
                self._closed()
                self._last = message
                await self._inbox.put(message)
                return
            await self._inbox.put(message)

    async def receive(self) -> dict:
        if self._last is not None and self._inbox.empty():
            # Asked again after the disconnect: the answer stays the disconnect, as from a server.
            return self._last
        message = await self._inbox.get()
        if isinstance(message, Exception):
            raise message
        return message

    async def send(self, message: dict) -> None:
        try:
            await self._send(message)
        except Exception:
            self._closed()
            raise
        kind = message["type"]
        if kind == "websocket.accept" and not self._reader.done():
            self.open = True
            self.metrics.socket_opened(self.endpoint)
        elif kind == "websocket.close":
            self._closed()

    def _closed(self) -> None:
        if self.open:
            self.open = False
            self.metrics.socket_closed(self.endpoint)

    def end(self) -> None:
        self._closed()
        self._reader.cancel()
