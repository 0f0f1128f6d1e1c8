"""One event loop in a daemon thread, for reading result backends from synchronous (WSGI) code.

A loop per request (``asyncio.run``) would not do: a Redis client, as in Flowrra's RedisBackend,
stays bound to the loop it first connected on, so the second request would fail. Every sync
caller in the process shares this one loop instead.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")

_lock = threading.Lock()
_loop: asyncio.AbstractEventLoop | None = None


def run_in_background_loop(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run ``coroutine`` on the shared loop and block the calling thread until it is done."""
    global _loop
    with _lock:
        if _loop is None:
            _loop = asyncio.new_event_loop()
            threading.Thread(target=_loop.run_forever, name="flowrra-live-loop", daemon=True).start()
    return asyncio.run_coroutine_threadsafe(coroutine, _loop).result()
