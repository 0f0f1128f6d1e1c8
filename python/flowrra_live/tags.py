"""``flowrra_live.tag(task_id, *tags)``: labels a run for read tokens that scope by tag.

A plain function, as the issue's one-liner asks: it tags the run in every run index of this process
(one per Flowrra app a mount serves; task ids are uuid4, so a run is only ever found in its own
app's) and hands the tags to each running fan-out (``fanout``), which shares them with the other
worker processes through its Redis Stream. The indexes and sockets live on the loop that feeds them: called
from another thread (a sync Django or Flask view), the tagging is handed to that loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from .seeding import app_indexes

__all__ = ["tag"]

#: Each running fan-out's hook: every tag made here goes into its stream (see ``fanout``).
_links: list[Callable[[str, tuple[str, ...]], None]] = []


def tag(task_id: str, *tags: str) -> None:
    """Adds ``tags`` to the run ``task_id``: read tokens with one of them in ``tags=`` now read it.

    Tagging after the run's first events is normal (``Flowrra.submit`` emits ``pending`` before it
    returns the id): a socket whose scope the run now matches gets its current state at once, and
    the poll serves it. Raises ``TypeError`` for a non-string id or tag, ``ValueError`` for no tags,
    and ``LookupError`` when this process has no mount (nothing would ever read the tags).
    """
    checked = checked_tags(task_id, tags)
    indexes = app_indexes()
    if not indexes and not _links:
        raise LookupError("flowrra_live.tag: no flowrra_live mount in this process; mount it before tagging runs")
    apply_tags(task_id, checked)
    for send in list(_links):
        send(task_id, checked)


def apply_tags(task_id: str, tags: tuple[str, ...]) -> None:
    """Tags the run in this process's indexes at once (the fan-out, if any, then gives the change its place in the shared log)."""
    try:
        running = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    for app in app_indexes():
        if app.loop is not None and app.loop is not running and app.loop.is_running():
            app.loop.call_soon_threadsafe(app.index.tag, task_id, *tags)
        else:
            app.index.tag(task_id, *tags)


def checked_tags(task_id: object, tags: tuple[object, ...]) -> tuple[str, ...]:
    if not isinstance(task_id, str) or not task_id:
        raise TypeError(f"task_id must be a non-empty string, got {task_id!r}")
    if not tags:
        raise ValueError("flowrra_live.tag needs at least one tag")
    for one in tags:
        if not isinstance(one, str) or not one:
            raise TypeError(f"tags are non-empty strings, got {one!r}")
    return tuple(dict.fromkeys(tags))  # type: ignore[arg-type]
