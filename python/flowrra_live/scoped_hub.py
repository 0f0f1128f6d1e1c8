"""The scoped socket, without a framework: which sockets get which run, and one connection's life.

:class:`ScopedHub` holds the open sockets, each registered with the :class:`~.read_tokens.Scope`
its token grants, in an index from task id, tag and task name to sockets, so routing one event
costs what the sockets it matches cost, not what all sockets do. ``publish`` never waits: it is
called from Flowrra's emitter, which Flowrra's workers await. Each socket has a bounded queue; one
that falls behind is closed with 1013 and its client resumes from its cursor.

:class:`SocketSession` is one connection from handshake to close. A framework module gives it
three callables (accept, send a text frame, close with a code) and, where the framework does not
call back on disconnect, a coroutine that returns when the client has gone.

Everything here runs on the event loop of the app (Flowrra's emitter and the socket handlers share
it); nothing is thread-safe.
"""

from __future__ import annotations

import asyncio
import json
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any

from .encoding import json_safe
from .tasks import checked_exclude
from .read_tokens import InvalidReadToken, ReadTokenVerifier, Scope

__all__ = [
    "CLOSE_BEHIND",
    "CLOSE_UNAUTHORIZED",
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_FRAMES",
    "ScopedHub",
    "SocketClosed",
    "SocketSession",
    "Subscriber",
]

#: Missing, bad or expired token (before any frame, or when the token expires): the SDK asks its
#: token function for a fresh one.
CLOSE_UNAUTHORIZED = 4401
#: The socket fell behind (its queue is full): "try again later"; the SDK reconnects and resumes.
CLOSE_BEHIND = 1013
DEFAULT_MAX_FRAMES = 256
DEFAULT_MAX_BYTES = 2 * 1024 * 1024

_REASONS = {CLOSE_UNAUTHORIZED: "read token missing, invalid or expired", CLOSE_BEHIND: "client too slow: resume from the cursor"}


class SocketClosed(Exception):
    """The hub closed the socket (``code`` 4401 or 1013), or the client left (``code`` None)."""

    def __init__(self, code: int | None) -> None:
        self.code = code
        super().__init__(code)


class Subscriber:
    """One registered socket: its scope, the keys it never gets, and its queue of frames."""

    __slots__ = ("scope", "exclude", "code", "_hub", "_frames", "_bytes", "_wake", "_closed", "_timer")

    def __init__(self, hub: ScopedHub, scope: Scope, exclude: frozenset[str]) -> None:
        self.scope = scope
        self.exclude = exclude
        #: Why it closed (see :class:`SocketClosed`); unset while open.
        self.code: int | None = None
        self._hub = hub
        self._frames: deque[str] = deque()
        self._bytes = 0
        self._wake = asyncio.Event()
        self._closed = asyncio.Event()
        self._timer: asyncio.TimerHandle | None = None

    @property
    def open(self) -> bool:
        return not self._closed.is_set()

    async def next(self) -> str:
        """The next frame, in order; raises :class:`SocketClosed` once closed (queued frames are
        dropped then: after 1013 the client resumes from its cursor, after 4401 it may read nothing)."""
        while True:
            if self._closed.is_set():
                raise SocketClosed(self.code)
            if self._frames:
                frame = self._frames.popleft()
                self._bytes -= len(frame)
                return frame
            self._wake.clear()
            await self._wake.wait()

    async def wait_closed(self) -> int | None:
        await self._closed.wait()
        return self.code

    def close(self, code: int | None) -> None:
        """Stops delivery and leaves the hub; the first code given is kept."""
        if self._closed.is_set():
            return
        self.code = code
        self._closed.set()
        self._wake.set()
        self._frames.clear()
        self._bytes = 0
        if self._timer is not None:
            self._timer.cancel()
        self._hub._forget(self)

    def _offer(self, frame: str, max_frames: int, max_bytes: int) -> None:
        size = len(frame)  # ASCII: json.dumps escapes the rest
        if len(self._frames) >= max_frames or (self._frames and self._bytes + size > max_bytes):
            self.close(CLOSE_BEHIND)
            return
        self._frames.append(frame)
        self._bytes += size
        self._wake.set()


class ScopedHub:
    """The open scoped sockets of one process, indexed by what their scopes name.

    ``exclude`` is the mount's: keys no socket gets, on top of each token's own. ``max_frames`` and
    ``max_bytes`` bound each socket's queue (a single frame larger than ``max_bytes`` still passes
    when the queue is empty, so one large result does not close every socket).
    """

    def __init__(
        self,
        *,
        exclude: Iterable[str] = (),
        max_frames: int = DEFAULT_MAX_FRAMES,
        max_bytes: int = DEFAULT_MAX_BYTES,
    ) -> None:
        for name, value in (("max_frames", max_frames), ("max_bytes", max_bytes)):
            if type(value) is not int or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        self.exclude = checked_exclude(exclude)
        self.max_frames = max_frames
        self.max_bytes = max_bytes
        self._indexes: tuple[dict[str, set[Subscriber]], ...] = ({}, {}, {})
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def register(self, scope: Scope) -> Subscriber:
        """A new socket for ``scope``, closed with 4401 when the scope expires. Call on the loop."""
        subscriber = Subscriber(self, scope, self.exclude | scope.exclude)
        for index, keys in zip(self._indexes, _keys_of(scope)):
            for key in keys:
                index.setdefault(key, set()).add(subscriber)
        self._count += 1
        if scope.expires_at != math.inf:
            delay = max(0.0, scope.expires_at - time.time())
            subscriber._timer = asyncio.get_running_loop().call_later(delay, subscriber.close, CLOSE_UNAUTHORIZED)
        return subscriber

    def publish(self, task: Mapping[str, Any], tags: Iterable[str] = (), cursor: Any = None) -> None:
        """Queue ``task`` (``TaskResult.to_dict``) for every socket whose scope matches it by id,
        name or one of ``tags`` (the run's tags now). Never waits."""
        targets: set[Subscriber] = set()
        for index, keys in zip(self._indexes, _keys_of_run(task, tags)):
            for key in keys:
                found = index.get(key)
                if found:
                    targets |= found
        if targets:
            self._deliver(task, cursor, targets)

    def retag(
        self,
        task: Mapping[str, Any],
        tags: Iterable[str],
        cursor: Any = None,
        previous_tags: Iterable[str] = (),
    ) -> None:
        """Tags were added to a run after its first events: the sockets its new ``tags`` reach that
        ``previous_tags`` (and its id and name) did not get ``task``, its current state, at once.
        Without ``previous_tags`` every socket a tag reaches gets it; the SDK takes a state it
        already has as no change."""
        previous = {tag for tag in previous_tags if isinstance(tag, str)}
        by_tag = self._indexes[1]
        task_id, task_name = task.get("task_id"), task.get("task_name")
        if not isinstance(task_id, str):
            return
        task_name = task_name if isinstance(task_name, str) else None
        targets = {
            subscriber
            for tag in {tag for tag in tags if isinstance(tag, str)} - previous
            for subscriber in by_tag.get(tag, ())
            if not subscriber.scope.matches(task_id, task_name, previous)
        }
        if targets:
            self._deliver(task, cursor, targets)

    def _deliver(self, task: Mapping[str, Any], cursor: Any, targets: set[Subscriber]) -> None:
        safe = json_safe(dict(task))
        cursor = json_safe(cursor)
        frames: dict[frozenset[str], str] = {}  # one encoding per distinct exclude set, not per socket
        now = time.time()
        for subscriber in targets:
            if subscriber.scope.expires_at <= now:  # its timer has not run yet: no frame past expiry
                subscriber.close(CLOSE_UNAUTHORIZED)
                continue
            frame = frames.get(subscriber.exclude)
            if frame is None:
                frame = frames[subscriber.exclude] = _frame(safe, cursor, subscriber.exclude)
            subscriber._offer(frame, self.max_frames, self.max_bytes)

    def _forget(self, subscriber: Subscriber) -> None:
        for index, keys in zip(self._indexes, _keys_of(subscriber.scope)):
            for key in keys:
                found = index.get(key)
                if found is not None:
                    found.discard(subscriber)
                    if not found:
                        del index[key]
        self._count -= 1


def _keys_of_run(task: Mapping[str, Any], tags: Iterable[str]) -> tuple[Iterable[Any], ...]:
    # Only strings are looked up: a malformed task (a list as id) must not raise in the emitter.
    task_id, task_name = task.get("task_id"), task.get("task_name")
    return (
        (task_id,) if isinstance(task_id, str) else (),
        (tag for tag in tags if isinstance(tag, str)),
        (task_name,) if isinstance(task_name, str) else (),
    )


def _keys_of(scope: Scope) -> tuple[frozenset[str], ...]:
    return scope.task_ids, scope.tags, scope.task_names


def _frame(task: dict[str, Any], cursor: Any, exclude: frozenset[str]) -> str:
    served = {key: value for key, value in task.items() if key not in exclude}
    frame: dict[str, Any] = {"type": "task.update", "task": served}
    if cursor is not None:
        frame["cursor"] = cursor
    return json.dumps(frame, separators=(",", ":"), allow_nan=False)


class SocketSession:
    """One scoped socket connection, driven by a framework module.

    ``accept()`` completes the handshake, ``send(text)`` sends one text frame, ``close(code, reason)``
    sends a close frame. :meth:`run` verifies the token, accepts, pumps the socket's queue, and
    unregisters however it ends. A client that left is reported by :meth:`stop` (callback
    frameworks such as Channels) or by ``until_gone`` returning (frameworks that must read to see
    a disconnect). Closing is bounded by ``close_timeout`` seconds, as a client that stopped
    reading may never take the close frame.
    """

    def __init__(
        self,
        hub: ScopedHub,
        verifier: ReadTokenVerifier,
        *,
        accept: Callable[[], Awaitable[Any]],
        send: Callable[[str], Awaitable[Any]],
        close: Callable[[int, str], Awaitable[Any]],
        close_timeout: float = 5.0,
    ) -> None:
        self._hub = hub
        self._verifier = verifier
        self._accept = accept
        self._send = send
        self._close = close
        self._close_timeout = close_timeout
        self._subscriber: Subscriber | None = None

    def stop(self) -> None:
        """The client has gone: :meth:`run` returns and the socket leaves the hub."""
        if self._subscriber is not None:
            self._subscriber.close(None)

    async def run(self, token: str | None, until_gone: Callable[[], Awaitable[Any]] | None = None) -> int | None:
        """Serves the connection; returns the close code sent (4401, 1013), or None if the client left.

        A valid token is registered before the handshake completes, so nothing emitted between the
        client's ``open`` and the first frame is lost. Any other token: accepted, then closed with
        4401 before any frame (a refused handshake reaches a browser as an anonymous 1006).
        """
        try:
            scope: Scope | None = self._verifier.verify(token)
        except InvalidReadToken:
            scope = None
        if scope is None:
            await self._accept()
            return await self._finish(CLOSE_UNAUTHORIZED)
        subscriber = self._subscriber = self._hub.register(scope)
        waiters: list[asyncio.Task[Any]] = []
        try:
            await self._accept()
            waiters.append(asyncio.create_task(self._pump(subscriber)))
            waiters.append(asyncio.create_task(subscriber.wait_closed()))
            if until_gone is not None:
                waiters.append(asyncio.create_task(until_gone()))
            await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()
            if subscriber.open:
                subscriber.close(None)
        return await self._finish(subscriber.code)

    async def _pump(self, subscriber: Subscriber) -> None:
        try:
            while True:
                await self._send(await subscriber.next())
        except SocketClosed:
            return
        except Exception:
            # The send failed: the client has gone (each framework raises its own type here).
            subscriber.close(None)

    async def _finish(self, code: int | None) -> int | None:
        if code is not None:
            try:
                await asyncio.wait_for(self._close(code, _REASONS[code]), self._close_timeout)
            except Exception:  # the client went first, or never took the close frame
                pass
        return code
