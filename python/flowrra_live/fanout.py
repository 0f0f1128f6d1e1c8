"""Every task event, in every worker process, in one order: Flowrra's ``event_bus`` shared through a Redis Stream.

Flowrra's socket handlers (FastAPI, Quart, Django) subscribe to the process-local
``flowrra.events.event_bus``. With several worker processes, a socket sees only the tasks its own
process submitted or ran, and each process's run index only its own changes. ``start_fanout``
appends each local event to a Redis Stream (``XADD … MAXLEN ~``) and reads the stream back:

- the others' events are emitted on the local bus, so each socket gets each event once (local
  ones locally, as before, Redis or not; the others' through the stream);
- every entry, its own included, goes to the process's run indexes with its entry id, the position
  that makes a cursor valid on every worker (see ``changelog``);
- tags (``flowrra_live.tag``) made in any process are entries too: every index takes them, and a
  tagged run gets the tag's position, so a poll ``since`` an older cursor serves it.

    fanout = await start_fanout("redis://127.0.0.1:6379/0")   # in each worker's startup
    await fanout.stop()                                       # at shutdown

Reading a stream, unlike pub/sub, resumes where it left off after a reconnect: a listener that was
away misses nothing the stream still holds. While Redis is unreachable, local sockets are served
as before and the events for the others wait (the newest ``max_backlog``) to be appended once it is
back; if some had to be dropped, a gap entry tells every worker's index that older cursors are gone.
When Redis loses the stream (a restart without persistence), a process appends its latest entries
(the newest ``max_backlog``) again to the new one: another worker's reader may have been far behind
(emitting to many sockets) and lost them unread. A worker takes such a replayed entry to its sockets
only when it had not emitted it already and it changed its run indexes (if any): its sockets get
neither a change twice nor an older state after a newer one.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid

from flowrra.events import event_bus

from . import metrics
from . import tags as tagging
from .backlog import Backlog
from .changelog import Position, StreamLog, feed_of, from_shared_log
from .encoding import dumps, json_safe
from .redis_link import CONNECTION_ERRORS, Outage, backoff, close, connect

__all__ = ["Fanout", "start_fanout"]

# The type of a stream entry carrying flowrra_live.tag(), beside Flowrra's "task.update" events.
_TAG = "flowrra_live.tag"

logger = logging.getLogger("flowrra_live.fanout")

_READ_COUNT = 500


class Fanout:
    """One process's link to the shared stream: one connection appends, one reads.

    ``channel`` is the stream's key; ``max_log`` about how many entries it keeps (``MAXLEN ~``);
    ``max_backlog`` how many events wait while Redis is unreachable; ``timeout`` how long a command
    may go unanswered before the link counts as dead (a half-open link is noticed within it).
    """

    def __init__(
        self,
        redis_url: str,
        channel: str = "flowrra:events",
        *,
        bus=event_bus,
        max_backlog: int = 10_000,
        max_log: int = 50_000,
        max_delay: float = 2.0,
        timeout: float = 5.0,
        block: float = 0.5,
    ):
        self.channel = channel
        self.origin = uuid.uuid4().hex
        self._bus = bus
        self._feed = feed_of(bus)
        self._log = StreamLog(channel, max_log)
        self._max_delay = max_delay
        self._block_ms = int(block * 1000)
        self._writer = connect(redis_url, "flowrra_live.fanout", timeout)
        self._reader = connect(redis_url, "flowrra_live.fanout", timeout, blocking_for=block)
        self._backlog = Backlog(max_backlog, on_drop=metrics.fanout_dropped)
        self._outage = Outage(logger, "fan-out", on_change=metrics.fanout_connected)
        self._tasks: list[asyncio.Task] = []
        self._joined: tuple[str, Position] | None = None  # (log id, last entry read)
        self._history: Position | None = None  # entries up to here were there before this process joined
        self._dropped_reported = 0
        # The newest entries this process appended, by their encoded event: if Redis loses the stream
        # (a restart without persistence), they are appended to the new one. Not only those this
        # process has not read back: how far the other workers read is unknown here, and a worker
        # busy emitting to its sockets can be seconds behind.
        self._appended: dict[str, dict] = {}
        # The newest entries of the others this process emitted (their encoded events, as many):
        # a replayed one among them is not emitted twice, even where no run index would tell.
        self._received: dict[str, None] = {}
        self._running = False

    @property
    def connected(self) -> bool:
        """False from the moment Redis was found unreachable until both connections work again."""
        return not self._outage.down and self._joined is not None

    async def start(self) -> None:
        self._running = True
        self._bus.subscribe(self._append_later)
        self._loop = asyncio.get_running_loop()
        tagging._links.append(self._tag_later)
        try:
            await self._join()
            metrics.fanout_connected(True)
        except CONNECTION_ERRORS as error:
            # The web worker serves without Redis; the listener keeps trying.
            self._outage.lost(error)
        self._tasks = [asyncio.create_task(self._listen()), asyncio.create_task(self._send())]

    async def stop(self, timeout: float = 1.0) -> None:
        """Unhooks from the bus, appends what is still queued (for at most ``timeout`` s), closes
        both connections. The process's run indexes go back to a log of their own. A no-op before
        :meth:`start`."""
        if not self._tasks:
            return
        await self._bus.unsubscribe(self._append_later)
        tagging._links.remove(self._tag_later)
        tasks, self._tasks = self._tasks, []
        self._running = False
        if not self._outage.down:
            try:
                await asyncio.wait_for(self._backlog.drained(), timeout)
            except asyncio.TimeoutError:
                pass
        # Ended by flags, not cancelled mid-command: redis-py 4.3 can turn a cancel that lands in a
        # command into a timeout and retry it. A task still in a backoff sleep is cancelled.
        self._backlog.close()
        _, pending = await asyncio.wait(tasks, timeout=self._block_ms / 1000 + 0.5)
        for task in pending:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await close(self._reader)
        await close(self._writer)
        if self._joined is not None:
            self._feed.unfollow()
        metrics.fanout_connected(False)

    async def _append_later(self, event: dict) -> None:
        # Never waits on Redis: a task's own progress must not depend on the fan-out.
        if not from_shared_log.get():
            self._backlog.put(event)

    def _tag_later(self, task_id: str, tags: tuple[str, ...]) -> None:
        # Tags travel in the stream, in order with the events: every worker's indexes take them,
        # and the entry's position makes a since-poll serve the tagged run. tag() may be called
        # from a sync view's thread.
        entry = {"type": _TAG, "task_id": task_id, "tags": list(tags)}
        if _running_loop() is self._loop:
            self._backlog.put(entry)
        else:
            self._loop.call_soon_threadsafe(self._backlog.put, entry)

    # ----------------------------------------------------------------- sending

    async def _send(self) -> None:
        while (batch := await self._backlog.batch()) is not None:
            dropped = self._backlog.dropped  # before this batch was taken: those lost precede it
            encoded = [(event, entry) for event in batch if (entry := self._entry(event)) is not None]
            events = [event.event if isinstance(event, _Replay) else event for event, _ in encoded]
            entries = [entry for _, entry in encoded]
            if dropped > self._dropped_reported:
                # Events were lost while Redis was away: cursors from before them are no longer whole.
                entries.insert(0, {"o": self.origin, "gap": "1"})
            if entries:
                await self._append(entries)
                self._dropped_reported = dropped
                for event, (_, entry) in zip(events, encoded):
                    self._appended.pop(entry["e"], None)  # the newest last
                    self._appended[entry["e"]] = event
                while len(self._appended) > self._backlog.size:
                    del self._appended[next(iter(self._appended))]
            self._backlog.done(len(batch))

    def _entry(self, event) -> dict[str, str] | None:
        try:
            if isinstance(event, _Replay):
                return {"o": self.origin, "e": dumps(json_safe(event.event)).decode("ascii"), "r": "1"}
            return {"o": self.origin, "e": dumps(json_safe(event)).decode("ascii")}
        except Exception:
            # One event that cannot be encoded must not stop the others.
            logger.exception("fan-out: could not encode an event; it reaches only this process's sockets")
            return None

    async def _append(self, entries: list[dict[str, str]]) -> None:
        failures = 0
        while True:
            pipeline = self._writer.pipeline(transaction=False)
            for fields in entries:
                self._log.append(pipeline, fields)
            try:
                await pipeline.execute()
                return
            except CONNECTION_ERRORS as error:
                failures += 1
                # After a Redis restart the pooled connection still points at the old server and
                # fails once without having sent anything; the retry connects afresh.
                if failures > 1:
                    self._outage.lost(error)
                    await asyncio.sleep(backoff(failures - 1, self._max_delay))

    # ----------------------------------------------------------------- reading

    async def _join(self) -> None:
        """Finds where the stream stands. The same log as before: carry on from the last entry
        read (nothing missed). A new one (first join, or Redis lost it): the indexes follow it,
        taking in what it still holds as history, not emitted again to sockets."""
        log_id = await self._log.log_id(self._writer)
        floor, head = await self._log.bounds(self._writer)
        if self._joined is not None and self._joined[0] == log_id:
            last = self._joined[1]
            if last < floor:  # fell behind the stream's trimming
                self._feed.skip_to(floor)
                last = floor
        else:
            self._feed.follow(log_id, floor)
            # First join: what the stream holds came before this process, and its sockets' pages
            # got it from a poll. A new log after an outage (Redis lost the stream) holds only what
            # the others appended since: their sockets got it live, so this process's sockets do too.
            self._history = head if self._joined is None else None
            if self._joined is not None:
                for event in self._appended.values():
                    self._backlog.put(_Replay(event))
            self._appended.clear()
            last = floor
        self._joined = (log_id, last)
        self._outage.back(f"; {self._backlog.dropped - self._dropped_reported} events were dropped (backlog full) while it was down")

    async def _listen(self) -> None:
        # Inherited by the tasks event_bus.emit creates: an event from the log is not appended again.
        from_shared_log.set(True)
        failures = 0
        while self._running:
            try:
                if self._joined is None or self._outage.down:
                    await self._join()
                entries = await self._log.read(self._reader, self._joined[1], _READ_COUNT, self._block_ms)
                failures = 0
                for position, fields in entries:
                    await self._deliver(position, fields)
                    self._joined = (self._joined[0], position)
            except CONNECTION_ERRORS as error:
                failures += 1
                self._outage.lost(error)
                await asyncio.sleep(backoff(failures, self._max_delay))

    async def _deliver(self, position: Position, fields: dict) -> None:
        if fields.get(b"gap") is not None:
            self._feed.skip_to(position)
            return
        try:
            origin, event = fields[b"o"].decode("ascii"), json.loads(fields[b"e"])
            if event.get("type") == _TAG:
                self._feed.tag(event["task_id"], tagging.checked_tags(event["task_id"], tuple(event["tags"])), position)
                return
            task = event["task"]
        except (KeyError, ValueError, TypeError, AttributeError):  # TypeError, ValueError: checked_tags too
            logger.warning("fan-out: ignored an entry of %s that is not a fan-out event", self.channel)
            return
        changed = self._feed.deliver(task, position) if isinstance(task, dict) else True
        if origin == self.origin or (self._history is not None and position <= self._history):
            return
        encoded = fields[b"e"].decode("ascii")
        if b"r" in fields and (encoded in self._received or not changed):
            return
        self._received[encoded] = None
        while len(self._received) > self._backlog.size:
            del self._received[next(iter(self._received))]
        await self._bus.emit(event)


async def start_fanout(redis_url: str, channel: str = "flowrra:events", **options) -> Fanout:
    """Shares this process's ``event_bus`` with every other process that runs it on ``channel``
    (a Redis Stream key), and makes cursors valid across them. ``options`` are :class:`Fanout`'s.

    Returns once joined (or, if Redis is unreachable, once that is logged: it then keeps trying in
    the background).
    """
    fanout = Fanout(redis_url, channel, **options)
    await fanout.start()
    return fanout


class _Replay:
    """An event appended again to a new stream after Redis lost the old one."""

    __slots__ = ("event",)

    def __init__(self, event: dict) -> None:
        self.event = event


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None
