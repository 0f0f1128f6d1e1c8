"""Tags shared between worker processes through Redis, beside the fan-out (``fanout``).

A run tagged in worker A (``flowrra_live.tag``, in the view that submitted it) must reach the pages
on worker B, whose index gets the run's events from the fan-out. The link publishes each tag made
here on its own Redis channel and applies the tags other processes publish to this process's
indexes. Tags and events travel on two channels, so they may arrive in either order: the index keeps
tags of a run it has not seen yet (they apply when the run appears), and a run tagged after it was
seen reaches the sockets its scope now matches at once.

    link = await start_tag_link("redis://127.0.0.1:6379/0")   # in each worker's startup, beside start_fanout
    await link.stop()                                          # at shutdown

``tag`` never waits on Redis: tags are queued (the newest ``max_backlog``) and sent by a task.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from . import tags as tagging

__all__ = ["TagLink", "start_tag_link"]

logger = logging.getLogger("flowrra_live.tag_link")

DEFAULT_CHANNEL = "flowrra:tags"
_CONNECTION_ERRORS = (RedisError, OSError, asyncio.TimeoutError)


class TagLink:
    """One process's tag channel: one connection publishes, one listens."""

    def __init__(self, redis_url: str, channel: str = DEFAULT_CHANNEL, *, max_backlog: int = 10_000, max_delay: float = 2.0) -> None:
        self.channel = channel
        self.origin = uuid.uuid4().hex
        self._client = aioredis.Redis.from_url(redis_url, client_name="flowrra_live.tag_link")
        self._queue: asyncio.Queue[str] = asyncio.Queue(max_backlog)
        self._max_delay = max_delay
        self._tasks: list[asyncio.Task] = []

    async def start(self) -> None:
        """Returns once subscribed: from then on no tag published elsewhere is missed."""
        pubsub = self._client.pubsub()
        await pubsub.subscribe(self.channel)
        while (message := await pubsub.get_message(timeout=5.0)) is None or message["type"] != "subscribe":
            if message is None:
                raise aioredis.TimeoutError("no subscribe confirmation within 5 s")
        tagging._links.append(self.send)
        self._tasks = [asyncio.create_task(self._listen(pubsub)), asyncio.create_task(self._send())]

    async def stop(self) -> None:
        if self.send in tagging._links:
            tagging._links.remove(self.send)
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._client.close()
        await self._client.connection_pool.disconnect()

    def send(self, task_id: str, tags: tuple[str, ...]) -> None:
        if self._queue.full():  # Redis has been down a long while: the oldest tag goes
            self._queue.get_nowait()
        self._queue.put_nowait(json.dumps({"origin": self.origin, "task_id": task_id, "tags": list(tags)}))

    async def _send(self) -> None:
        while True:
            payload = await self._queue.get()
            failures = 0
            while True:
                try:
                    await self._client.publish(self.channel, payload)
                    break
                except _CONNECTION_ERRORS as error:
                    failures += 1
                    if failures == 2:
                        logger.warning("tag link: Redis unreachable (%s); retrying", type(error).__name__)
                    await asyncio.sleep(min(self._max_delay, 0.05 * 2**failures))

    async def _listen(self, pubsub) -> None:
        while True:
            try:
                async for message in pubsub.listen():
                    if message["type"] == "message":
                        self._apply(message["data"])
            except _CONNECTION_ERRORS as error:
                logger.warning("tag link: lost the channel (%s); resubscribing", type(error).__name__)
                await asyncio.sleep(self._max_delay)
                pubsub = self._client.pubsub()
                try:
                    await pubsub.subscribe(self.channel)
                except _CONNECTION_ERRORS:
                    continue

    def _apply(self, data: bytes) -> None:
        try:
            message = json.loads(data)
            origin, task_id, tags = message["origin"], message["task_id"], tuple(message["tags"])
            checked = tagging.checked_tags(task_id, tags)
        except (ValueError, KeyError, TypeError):
            logger.warning("tag link: ignored a message on %s that is not a tag message", self.channel)
            return
        if origin != self.origin:
            tagging.apply_tags(task_id, checked)


async def start_tag_link(redis_url: str, channel: str = DEFAULT_CHANNEL) -> TagLink:
    """Shares ``flowrra_live.tag`` calls with every process that runs a link on ``channel``."""
    link = TagLink(redis_url, channel)
    await link.start()
    return link
