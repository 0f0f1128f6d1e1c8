"""A Redis connection that notices a dead link, and the once-per-outage log around it.

A link can die without a FIN or RST (a NAT dropping state, a failover): a connection waiting for
an answer would then wait forever. Every command here has a socket timeout, and an idle connection
is pinged before use (``health_check_interval``), so a dead link fails a command within
``timeout`` seconds and the caller reconnects.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable

import redis.asyncio as aioredis
from redis.exceptions import RedisError

__all__ = ["CONNECTION_ERRORS", "Outage", "backoff", "close", "connect"]

CONNECTION_ERRORS = (RedisError, OSError, asyncio.TimeoutError)


def connect(url: str, name: str, timeout: float, *, blocking_for: float = 0.0) -> aioredis.Redis:
    """A client whose commands fail after ``timeout`` s without an answer (``blocking_for`` more
    for a blocking read), with keepalive and a ping before a command after ``timeout`` s idle."""
    return aioredis.Redis.from_url(
        url,
        client_name=name,
        socket_timeout=timeout + blocking_for,
        socket_connect_timeout=timeout,
        socket_keepalive=True,
        health_check_interval=max(1, int(timeout)),
    )


async def close(client: aioredis.Redis) -> None:
    # redis-py 5 renamed close() to aclose() (close() warns there); 4.3 only has close(), and
    # leaves the pool of a from_url client open.
    aclose = getattr(client, "aclose", None) or client.close
    try:
        await aclose()
        await client.connection_pool.disconnect()
    except CONNECTION_ERRORS:
        pass


def backoff(failures: int, max_delay: float) -> float:
    """50 ms doubling up to ``max_delay``, jittered so that many workers do not reconnect in step."""
    return min(max_delay, 0.05 * 2 ** (failures - 1)) * random.uniform(0.5, 1.0)


class Outage:
    """Logs an outage once when it starts and once when it ends, whatever the number of failures,
    and tells ``on_change`` (False, then True) at the same moments."""

    def __init__(self, logger: logging.Logger, what: str, on_change: Callable[[bool], None] = lambda up: None) -> None:
        self.down = False
        self._logger = logger
        self._what = what
        self._on_change = on_change

    def lost(self, error: BaseException) -> None:
        if not self.down:
            self.down = True
            self._on_change(False)
            self._logger.warning("%s: Redis unreachable (%s: %s); reconnecting", self._what, type(error).__name__, error)

    def back(self, note: str = "") -> None:
        if self.down:
            self.down = False
            self._on_change(True)
            self._logger.info("%s: Redis reachable again%s", self._what, note)
