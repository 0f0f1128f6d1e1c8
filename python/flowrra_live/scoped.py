"""The end-user side of a mount given ``secret=``, without a framework: the scoped socket's hub fed
by the app's run index, and the sessions a framework module drives.

Every change the index keeps goes to :meth:`ScopedHub.publish` with the run's tags and the change's
cursor; a run gaining tags goes to :meth:`ScopedHub.retag`, so a page whose scope it now matches gets
its current state at once. Both are called on the loop that feeds the index and never wait.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from .index import Run, RunIndex
from .read_tokens import ReadTokenVerifier
from .scoped_hub import DEFAULT_MAX_BYTES, DEFAULT_MAX_FRAMES, ScopedHub, SocketSession

__all__ = ["ScopedMount", "until_disconnect"]


class ScopedMount:
    """One mount's scoped sockets: ``verifier`` checks their tokens, ``exclude`` is the mount's."""

    def __init__(
        self,
        index: RunIndex,
        verifier: ReadTokenVerifier,
        *,
        exclude: Iterable[str] = (),
        max_frames: int = DEFAULT_MAX_FRAMES,
        max_bytes: int = DEFAULT_MAX_BYTES,
    ) -> None:
        self.verifier = verifier
        self.hub = ScopedHub(exclude=exclude, max_frames=max_frames, max_bytes=max_bytes)
        self._index = index
        index.subscribe(self._changed)
        index.subscribe_tags(self._tagged)

    def session(
        self,
        accept: Callable[[], Awaitable[Any]],
        send: Callable[[str], Awaitable[Any]],
        close: Callable[[int, str], Awaitable[Any]],
    ) -> SocketSession:
        return SocketSession(self.hub, self.verifier, accept=accept, send=send, close=close)

    def _changed(self, task: dict[str, Any], cursor: str | None) -> None:
        self.hub.publish(task, self._index.tags_of(task["task_id"]), cursor)

    def _tagged(self, run: Run, previous: frozenset[str], cursor: str | None) -> None:
        self.hub.retag(run.task, run.tags, cursor, previous)


async def until_disconnect(receive: Callable[[], Awaitable[dict]]) -> None:
    """Returns once an ASGI ``receive`` says the client left; what the client sends is ignored."""
    while (await receive())["type"] != "websocket.disconnect":
        pass
