"""One event loop in a daemon thread, for reading result backends from synchronous (WSGI) code.

A loop per request (``asyncio.run``) would not do: a Redis client, as in Flowrra's RedisBackend,
stays bound to the loop it first connected on, so the second request would fail. Every sync
caller in the process shares this one loop instead.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")

_lock = threading.Lock()
_loop: asyncio.AbstractEventLoop | None = None
_hooked = False


def run_in_background_loop(coroutine: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
    """Run ``coroutine`` on the shared loop and block the calling thread until it is done; after
    ``timeout`` s (if given) cancel it and raise ``TimeoutError``."""
    global _loop
    with _lock:
        if _loop is None:
            _loop = asyncio.new_event_loop()
            threading.Thread(target=_loop.run_forever, name="flowrra-live-loop", daemon=True).start()
            _forget_in_children()
    future = asyncio.run_coroutine_threadsafe(coroutine, _loop)
    try:
        return future.result(timeout)
    except TimeoutError:
        future.cancel()
        raise


def _forget_in_children() -> None:
    # A forked child (gunicorn --preload forks workers after the app module ran) inherits the
    # loop object but not its thread: every call would wait forever on a loop nobody runs. The
    # child starts its own at its first call instead. Registered once, with the first loop.
    global _hooked
    if not _hooked:
        _hooked = True
        os.register_at_fork(after_in_child=_reset_after_fork)


def _reset_after_fork() -> None:
    global _loop, _lock
    _loop = None
    _lock = threading.Lock()  # it may have been held by another thread at the fork
