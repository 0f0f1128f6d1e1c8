"""The change log behind cursors: where a change stands, and the cursor contract clients rely on.

The cursor contract of ``GET {mount}/api/results`` (docs/reference.md states the same):

- Every answer, ``200`` or ``304``, with or without ``since``, carries ``X-Flowrra-Cursor: <cursor>``,
  the position of the newest change the answer reflects.
- A cursor is an opaque string: a client stores the last one it was given and sends it back
  unchanged as ``?since=<cursor>``; it never parses, compares or builds one. (Today it reads
  ``<log id>.<ms>-<seq>``, at most 64 characters of ``[0-9a-f.-]``; that may change.)
- ``GET {mount}/api/results?since=<cursor>`` answers a JSON array of the runs changed after that
  position: each run once, in its current state, oldest change first, at most ``limit`` of them
  (``?limit=`` or the mount's default). ``X-Flowrra-Cursor`` is then the position of the last change
  served. While more changes remain after it the answer carries ``X-Flowrra-More: 1`` (the header is
  absent otherwise), and the client asks again at once with the new cursor. ``[]`` with a cursor
  means nothing changed since.
- A ``since`` answer has an ``ETag`` and answers ``304`` to a matching ``If-None-Match``, like the
  full answer. The ETag names the position (the cursor, ``More``, and the view: limit, exclude,
  scope), as the reference server's does: an idle poll ``since`` an answer's cursor, sent with that
  answer's ETag, is a ``304``, whichever answer it was. A ``304`` carries the same
  ``X-Flowrra-Cursor`` (and ``X-Flowrra-More``) the ``200`` would, and the client takes that cursor.
- A cursor the server cannot serve from answers ``410 Gone`` with ``{"detail": "..."}``: older than
  what the index keeps, from before a restart, from another app or change log, or not a cursor at
  all. Never a partial answer that skips changes. The client then takes the full answer (no
  ``since``) once and resumes from the cursor that answer carries. Several ``since`` values: ``400``.
- Cross-origin pages can read the headers: every answer lists ``ETag, X-Flowrra-Cursor,
  X-Flowrra-More`` in ``Access-Control-Expose-Headers`` (a CORS middleware that sets that header
  itself must list them too).
- Scope: without the fan-out a cursor is valid in the process that gave it. With
  ``start_fanout(redis_url)`` it is a global position, the id of a Redis Stream entry, valid on every
  worker process sharing that Redis: a page that reconnects to another worker resumes exactly.

Positions are pairs of integers ordered as tuples, as Redis orders stream entry ids (``ms-seq``).
Without the fan-out a process numbers its own changes ``1-0``, ``2-0``...; the log id, random per
log, keeps a cursor of one log from being read against another (another process, a restart).
"""

from __future__ import annotations

import contextvars
import re
import secrets
import weakref

__all__ = ["CURSOR_HEADER", "MORE_HEADER", "EXPOSED_HEADERS", "Position", "ORIGIN", "format_cursor", "parse_cursor", "LocalSequence", "new_log_id", "ChangeFeed", "feed_of", "from_shared_log", "StreamLog"]

CURSOR_HEADER = "X-Flowrra-Cursor"
MORE_HEADER = "X-Flowrra-More"
#: What a cross-origin page must be allowed to read.
EXPOSED_HEADERS = "ETag, X-Flowrra-Cursor, X-Flowrra-More"

Position = tuple[int, int]
#: Before every change.
ORIGIN: Position = (0, 0)

# Both halves of a Redis stream id fit in 20 digits (64-bit); a log id is 16 hex digits.
_CURSOR = re.compile(r"([0-9a-f]{16})\.([0-9]{1,20})-([0-9]{1,20})")


def new_log_id() -> str:
    """A fresh random log id: cursors of different logs never match."""
    return secrets.token_hex(8)


def format_cursor(log_id: str, position: Position) -> str:
    return f"{log_id}.{position[0]}-{position[1]}"


def parse_cursor(text: str) -> tuple[str, Position] | None:
    """``(log id, position)``, or ``None`` for anything that is not a cursor."""
    match = _CURSOR.fullmatch(text)
    if match is None:
        return None
    return match[1], (int(match[2]), int(match[3]))


def stream_position(entry_id: str | bytes) -> Position:
    """A Redis stream entry id (``"1733420000000-5"``) as a position."""
    if isinstance(entry_id, bytes):
        entry_id = entry_id.decode("ascii")
    ms, _, seq = entry_id.partition("-")
    return int(ms), int(seq or 0)


def stream_id(position: Position) -> str:
    return f"{position[0]}-{position[1]}"


class LocalSequence:
    """The change log of one process without the fan-out: positions ``1-0``, ``2-0``... under a random log id."""

    def __init__(self) -> None:
        self.log_id = new_log_id()
        self._last = 0

    def next(self) -> Position:
        self._last += 1
        return (self._last, 0)


class ChangeFeed:
    """Where one event bus's changes go: the run indexes fed by it, and the shared log they follow.

    A run index joins the feed of the bus it listens to; the fan-out (``fanout``), when it runs on
    that bus, makes every index follow the Redis Stream and hands each entry to all of them with
    its position. An index created while the fan-out runs follows it from the start.
    """

    def __init__(self) -> None:
        self._indexes: weakref.WeakSet = weakref.WeakSet()
        self.shared: tuple[str, Position] | None = None  # (log id, head) while the fan-out runs

    def join(self, index) -> None:
        self._indexes.add(index)
        if self.shared is not None:
            index.follow(*self.shared)

    def follow(self, log_id: str, head: Position) -> None:
        self.shared = (log_id, head)
        for index in list(self._indexes):
            index.follow(log_id, head)

    def unfollow(self) -> None:
        self.shared = None
        for index in list(self._indexes):
            index.unfollow()

    def deliver(self, task: dict, position: Position) -> bool:
        """One entry of the shared log, in log order. Returns whether it changed a run in some index
        (True when no index listens: nothing tells it apart from a new change)."""
        self.shared = (self.shared[0], position) if self.shared is not None else None
        indexes = list(self._indexes)
        changed = [index.record(task, position) for index in indexes]
        return any(changed) or not indexes

    def tag(self, task_id: str, tags: tuple[str, ...], position: Position) -> None:
        """A tag entry of the shared log, in log order."""
        self.shared = (self.shared[0], position) if self.shared is not None else None
        for index in list(self._indexes):
            index.tag(task_id, *tags, position=position)

    def skip_to(self, position: Position) -> None:
        """Entries up to ``position`` are lost to every index of this feed."""
        for index in list(self._indexes):
            index.skip_to(position)


_feeds: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def feed_of(bus) -> ChangeFeed:
    """The change feed of ``bus`` (one per bus, made on first use)."""
    feed = _feeds.get(bus)
    if feed is None:
        feed = _feeds[bus] = ChangeFeed()
    return feed


#: Set while an event from the shared log is emitted on the local bus (for the sockets): a run
#: index, which gets that event from the log with its position, skips it on the bus, and the
#: fan-out does not send it back to the log.
from_shared_log: contextvars.ContextVar[bool] = contextvars.ContextVar("flowrra_live_from_shared_log", default=False)


class StreamLog:
    """The shared change log of the fan-out: one Redis Stream, ``XADD … MAXLEN ~ max_len``.

    Its entry ids are the positions every worker agrees on. Beside it, ``<key>:log`` holds a
    random log id, made by the first worker that finds none: when Redis loses the stream (a restart
    without persistence, a flush) it loses the id too, and cursors of the old stream are refused.
    Takes a ``redis.asyncio`` client; imports nothing of Redis itself.
    """

    def __init__(self, key: str, max_len: int) -> None:
        self.key = key
        self.max_len = max_len

    async def log_id(self, client) -> str:
        id_key = f"{self.key}:log"
        await client.set(id_key, new_log_id(), nx=True)
        value = await client.get(id_key)
        return value.decode("ascii") if isinstance(value, bytes) else str(value)

    async def bounds(self, client) -> tuple[Position, Position]:
        """``(floor, head)``: entries after ``floor`` are all still in the stream; ``head`` is the newest id given."""
        try:
            info = await client.xinfo_stream(self.key)
        except Exception as error:  # ResponseError "no such key": no entry yet
            if "no such key" in str(error).lower():
                return ORIGIN, ORIGIN
            raise
        head = stream_position(info["last-generated-id"])
        deleted = info.get("max-deleted-entry-id")  # Redis 7
        if deleted is not None:
            return stream_position(deleted), head
        first = info.get("first-entry")
        if first is None:
            return head, head
        ms, seq = stream_position(first[0])
        return ((ms, seq - 1) if seq else (ms - 1, 2**64 - 1)), head

    def append(self, pipeline, fields: dict[str, str]) -> None:
        pipeline.xadd(self.key, fields, maxlen=self.max_len, approximate=True)

    async def read(self, client, after: Position, count: int, block_ms: int) -> list[tuple[Position, dict]]:
        """Entries after ``after``, oldest first; waits up to ``block_ms`` for one."""
        answer = await client.xread({self.key: stream_id(after)}, count=count, block=block_ms)
        return [(stream_position(entry_id), fields) for _, entries in answer for entry_id, fields in entries]
