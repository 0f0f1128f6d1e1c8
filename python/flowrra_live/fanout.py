"""Every task event, in every worker process: Flowrra's ``event_bus`` shared through Redis pub/sub.

Flowrra's socket handlers (FastAPI, Quart, Django) subscribe to the process-local
``flowrra.events.event_bus``. With several worker processes, a socket sees only the tasks its
own process submitted or ran. ``start_fanout`` publishes each local event on a Redis channel and
re-emits, on the local bus, the events the other processes published, so each socket gets each
event once: local events locally (as before, Redis or not), the others' through Redis.

    fanout = await start_fanout("redis://127.0.0.1:6379/0")   # in each worker's startup
    await fanout.stop()                                       # at shutdown

While Redis is unreachable, local sockets are served as before and the events for the others wait
(the newest ``max_backlog``), to be published once it is back; those the others miss meanwhile (their
listener reconnects too) the SDK's reconcile poll brings back.
"""

from __future__ import annotations

import asyncio
import contextvars
import json
import logging
import random
import uuid

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from flowrra.events import event_bus

from . import metrics

__all__ = ["Fanout", "start_fanout"]

logger = logging.getLogger("flowrra_live.fanout")

# Set inside the listener task (and so inherited by the tasks event_bus.emit creates from it):
# an event arriving from Redis must not be published again.
_from_redis: contextvars.ContextVar[bool] = contextvars.ContextVar("flowrra_live_from_redis", default=False)

_CONNECTION_ERRORS = (RedisError, OSError, asyncio.TimeoutError)


class Fanout:
    """One process's link to the channel: one connection publishes, one listens."""

    def __init__(
        self,
        redis_url: str,
        channel: str = "flowrra:events",
        *,
        bus=event_bus,
        max_backlog: int = 10000,
        max_delay: float = 2.0,
    ):
        self.channel = channel
        self.origin = uuid.uuid4().hex
        self._bus = bus
        self._max_delay = max_delay
        self._client = aioredis.Redis.from_url(redis_url, client_name="flowrra_live.fanout")
        self._pubsub = None
        self._backlog: asyncio.Queue[dict] = asyncio.Queue(max_backlog)
        self._tasks: list[asyncio.Task] = []
        self._down = False
        self._dropped = 0

    @property
    def connected(self) -> bool:
        """False from the moment Redis was found unreachable until both connections work again."""
        return not self._down and self._pubsub is not None

    async def start(self) -> None:
        self._bus.subscribe(self._publish_later)
        try:
            await self._subscribe()
            metrics.fanout_connected(True)
        except _CONNECTION_ERRORS as error:
            # The web worker serves without Redis; the listener keeps trying.
            self._lost(error)
        self._tasks = [asyncio.create_task(self._listen()), asyncio.create_task(self._send())]

    async def stop(self, timeout: float = 1.0) -> None:
        """Unhooks from the bus, publishes what is still queued (for at most ``timeout`` s), closes both connections."""
        await self._bus.unsubscribe(self._publish_later)
        listener, sender = self._tasks
        listener.cancel()
        if not self._down:
            try:
                await asyncio.wait_for(self._backlog.join(), timeout)
            except asyncio.TimeoutError:
                pass
        sender.cancel()
        await asyncio.gather(listener, sender, return_exceptions=True)
        await self._close_pubsub()
        metrics.fanout_connected(False)
        await _close(self._client)
        # redis-py 4.3 leaves the pool of a from_url client open on close().
        await self._client.connection_pool.disconnect()

    async def _publish_later(self, event: dict) -> None:
        # Never waits on Redis: a task's own progress must not depend on the fan-out.
        if _from_redis.get():
            return
        if self._backlog.full():
            # Redis has been down a long while: the oldest go first (a later event of the same task
            # supersedes them; the SDK's reconcile poll recovers the rest).
            self._backlog.get_nowait()
            self._backlog.task_done()
            self._dropped += 1
            metrics.fanout_dropped()
        self._backlog.put_nowait(event)

    async def _send(self) -> None:
        while True:
            batch = [await self._backlog.get()]
            while not self._backlog.empty():
                batch.append(self._backlog.get_nowait())
            # default=str: a result json cannot encode must not stop the others (the local socket
            # of the process that ran it fails on it anyway; remote ones get it as a string).
            payloads = [json.dumps({"origin": self.origin, "event": event}, default=str) for event in batch]
            await self._publish(payloads)
            for _ in batch:
                self._backlog.task_done()

    async def _publish(self, payloads: list[str]) -> None:
        failures = 0
        while True:
            pipe = self._client.pipeline(transaction=False)
            for payload in payloads:
                pipe.publish(self.channel, payload)
            try:
                await pipe.execute()
                self._back()
                return
            except _CONNECTION_ERRORS as error:
                failures += 1
                # After a Redis restart the pooled connection still points at the old server and
                # fails once without having sent anything; the retry connects afresh.
                if failures > 1:
                    self._lost(error)
                    await asyncio.sleep(self._delay(failures - 1))

    async def _listen(self) -> None:
        _from_redis.set(True)
        failures = 0
        while True:
            try:
                if self._pubsub is None:
                    await self._subscribe()
                    failures = 0
                    self._back()
                async for message in self._pubsub.listen():
                    if message["type"] == "message":
                        await self._deliver(message["data"])
            except _CONNECTION_ERRORS as error:
                failures += 1
                self._lost(error)
                await self._close_pubsub()
                await asyncio.sleep(self._delay(failures))

    def _delay(self, failures: int) -> float:
        # Jittered, so that many workers do not reconnect in step.
        return min(self._max_delay, 0.05 * 2 ** (failures - 1)) * random.uniform(0.5, 1.0)

    async def _deliver(self, data: bytes) -> None:
        try:
            envelope = json.loads(data)
            origin, event = envelope["origin"], envelope["event"]
        except (ValueError, KeyError, TypeError):
            logger.warning("fan-out: ignored a message on %s that is not a fan-out envelope", self.channel)
            return
        if origin != self.origin:
            await self._bus.emit(event)

    async def _subscribe(self) -> None:
        pubsub = self._client.pubsub()
        try:
            await pubsub.subscribe(self.channel)
            # Confirmed before start() returns: from then on no event published elsewhere is missed.
            while True:
                message = await pubsub.get_message(timeout=5.0)
                if message is None:
                    raise aioredis.TimeoutError("no subscribe confirmation within 5 s")
                if message["type"] == "subscribe":
                    break
        except BaseException:
            await _close(pubsub)
            raise
        self._pubsub = pubsub

    async def _close_pubsub(self) -> None:
        pubsub, self._pubsub = self._pubsub, None
        if pubsub is not None:
            try:
                await _close(pubsub)
            except _CONNECTION_ERRORS:
                pass

    def _lost(self, error: BaseException) -> None:
        if not self._down:
            self._down = True
            metrics.fanout_connected(False)
            logger.warning("fan-out: Redis unreachable (%s); reconnecting, events meanwhile reach only local sockets", error)

    def _back(self) -> None:
        if self._down:
            self._down = False
            metrics.fanout_connected(True)
            logger.info("fan-out: Redis reachable again; %d events were dropped (backlog full) while it was down", self._dropped)
            self._dropped = 0


async def start_fanout(
    redis_url: str,
    channel: str = "flowrra:events",
) -> Fanout:
    """Shares this process's ``event_bus`` with every other process that runs it on ``channel``.

    Returns once subscribed (or, if Redis is unreachable, once that is logged: it then keeps
    trying in the background).
    """
    fanout = Fanout(redis_url, channel)
    await fanout.start()
    return fanout


async def _close(connection) -> None:
    # redis-py 5 renamed close() to aclose() (close() warns there); 4.3 only has close().
    aclose = getattr(connection, "aclose", None) or connection.close
    await aclose()
