"""The run index: the task runs a process knows, in the order they changed, bounded.

Every poll is answered from here, so its cost follows the page it serves, not the result store.
The index is fed with each change (:meth:`RunIndex.record`: Flowrra's ``event_bus`` in this process,
the fan-out's change log for the others) and seeded once from the result backends
(:meth:`RunIndex.seed`, see ``seeding``). It imports no framework and does no I/O.

Two orders are kept. *Recency*, the order in which this process saw runs change, gives the full
answer (newest first) and decides which runs the bound drops. *Position*, each run's place in the
change log (``changelog``), gives ``since`` answers (oldest first). Without the fan-out both are the
same; with it, a change made here is seen at once and placed when its change-log entry comes back.

Core API, for the endpoint and for what is built on it (read tokens, a scoped socket, metrics):

- ``record(task, position=None) -> bool``: a task dict (``TaskResult.to_dict``) changed;
- ``newest(limit)``, ``changed_since(cursor, limit)``: what a poll serves;
- ``cursor``: the position of the newest change, as a client's opaque string;
- ``subscribe(listener) -> unsubscribe``: ``listener(task, cursor)`` after each change;
- ``tag(task_id, *tags)``, ``tags_of(task_id)``: labels kept with a run while the index holds it;
  ``subscribe_tags(listener)``: ``listener(run, previous_tags, cursor)`` when a held run gains tags.
"""

from __future__ import annotations

import logging
from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from .changelog import ORIGIN, LocalSequence, Position, format_cursor, parse_cursor
from .encoding import dumps, json_safe
from .tasks import recency

__all__ = ["DEFAULT_MAX_RUNS", "CursorGone", "Run", "RunIndex", "Listener", "checked_max_runs"]

logger = logging.getLogger("flowrra_live")

DEFAULT_MAX_RUNS = 10_000
#: ``listener(task, cursor)``: the run's new state (JSON-safe dict) and its change's cursor, or
#: ``None`` while a change made here waits for its place in the shared change log.
Listener = Callable[[dict[str, Any], "str | None"], None]
#: ``listener(run, previous_tags, cursor)``: a held run gained tags (``run.tags`` holds them all).
TagListener = Callable[["Run", frozenset, "str | None"], None]


def checked_max_runs(max_runs: int) -> int:
    if type(max_runs) is not int or max_runs < 1:
        raise ValueError(f"max_runs must be a positive integer, got {max_runs!r}")
    return max_runs


class CursorGone(Exception):
    """A ``since`` cursor this index cannot serve from; the message says why (for the ``410``)."""


class Run:
    """One task run as the index holds it: its JSON-safe state, rank, position and tags."""

    __slots__ = ("task", "order", "position", "tags", "seen", "_encoded")

    def __init__(self, task: dict[str, Any], order: tuple, position: Position, tags: frozenset[str], seen: int) -> None:
        self.task = task
        self.order = order
        self.position = position
        self.tags = tags
        #: Recency rank: higher for a run this index saw change later (what ``newest`` orders by).
        self.seen = seen
        self._encoded: tuple[frozenset[str], bytes] | None = None

    @property
    def task_id(self) -> str:
        return self.task["task_id"]

    def encoded(self, exclude: frozenset[str]) -> bytes:
        """The state as JSON without the ``exclude`` keys, encoded once per state (and mount)."""
        cached = self._encoded
        if cached is not None and cached[0] == exclude:
            return cached[1]
        body = dumps({key: value for key, value in self.task.items() if key not in exclude})
        self._encoded = (exclude, body)
        return body


class RunIndex:
    """The runs one process knows, at most ``max_runs``, the most recently changed kept.

    Not thread-safe: call it from one thread at a time (the event loop that feeds it).
    """

    def __init__(self, max_runs: int = DEFAULT_MAX_RUNS) -> None:
        self.max_runs = checked_max_runs(max_runs)
        #: Bumped at every change: answers cached for one version are reused until the next.
        self.version = 0
        self._runs: OrderedDict[str, Run] = OrderedDict()  # by recency, oldest first
        # The change log as this index holds it: positions ascending, with the run changed there.
        # An entry is stale once its run changed again (or was dropped); stale ones are compacted away.
        self._positions: list[Position] = []
        self._changed: list[str] = []
        self._listeners: list[Listener] = []
        self._tag_listeners: list[TagListener] = []
        self._tags: dict[str, frozenset[str]] = {}
        # Tag -> ids of the runs carrying it, so that a page scoped by tag costs its own runs.
        self._by_tag: dict[str, set[str]] = {}
        self._seen = 0
        self._seeded = 0
        self._sequence: LocalSequence | None = LocalSequence()
        self.log_id = self._sequence.log_id
        #: Changes at or before ``floor`` may be missing: a cursor older than it is gone.
        self.floor: Position = ORIGIN
        #: The newest position this index has applied.
        self.head: Position = ORIGIN

    # ----------------------------------------------------------------- feeding

    def record(self, task: Mapping[str, Any], position: Position | None = None) -> bool:
        """A run changed: keep ``task`` unless the index holds a newer state of it.

        ``position`` is the change's place in a shared change log (the fan-out's); without it the
        change is numbered here when the index keeps its own log, and waits for its place otherwise.
        Returns whether the index changed. Never raises on odd data: what has no ``task_id`` is skipped.
        """
        if position is not None and position > self.head:
            self.head = position
            self.version += 1  # the cursor of the full answer moved, even if no run did
        task_id, order, _ = recency(task)
        if task_id is None:
            logger.debug("flowrra_live: skipped a task change without a task_id")
            return False
        safe = {str(key): json_safe(value) for key, value in task.items()}
        known = self._runs.get(task_id)
        if known is not None and (order < known.order or (order == known.order and safe == known.task)):
            if position is not None and order == known.order and position > known.position:
                # A change made here, seen at once, now has its place in the shared log.
                known.position = position
                self._log(position, task_id)
                self.version += 1
            return False
        if position is None and self._sequence is not None:
            position = self.head = self._sequence.next()
        if position is None:  # placed later, when the shared log hands it back
            position = known.position if known is not None else self.floor
        else:
            self._log(position, task_id)
        self._seen += 1
        self._runs[task_id] = Run(safe, order, position, self._tags.get(task_id, frozenset()), self._seen)
        self._runs.move_to_end(task_id)
        self._changed_now(safe, position)
        self._bound()
        return True

    def seed(self, tasks: Iterable[Mapping[str, Any]]) -> int:
        """Adds runs read from a result backend, **newest first**, as older than everything held.

        A run the index already holds is skipped: a change seen live is at least as new as the
        store read before it was emitted. Seeded runs sit at the floor of the log (a cursor from
        before the index existed is gone anyway). Stops once the index is full; returns how many it took.
        """
        taken = 0
        for task in tasks:
            if len(self._runs) >= self.max_runs:
                break
            task_id, order, _ = recency(task)
            if task_id is None or task_id in self._runs:
                continue
            safe = {str(key): json_safe(value) for key, value in task.items()}
            self._seeded += 1  # seeded runs rank below every run seen live, newest seeded highest
            self._runs[task_id] = Run(safe, order, self.floor, self._tags.get(task_id, frozenset()), -self._seeded)
            self._runs.move_to_end(task_id, last=False)
            taken += 1
        if taken:
            self.version += 1
        return taken

    def follow(self, log_id: str, head: Position) -> None:
        """From now on positions come from a shared change log (the fan-out's) named ``log_id``,
        whose newest entry is ``head``. Cursors handed out before are gone; held runs sit at its floor."""
        self._sequence = None
        self._rebase(log_id, head)

    def unfollow(self) -> None:
        """Back to a log of this process's own (the fan-out stopped)."""
        self._sequence = LocalSequence()
        self._rebase(self._sequence.log_id, ORIGIN)

    def skip_to(self, position: Position) -> None:
        """Changes up to ``position`` of the shared log are lost to this index (it fell behind the
        log's trimming, or a process dropped events): cursors before it are gone."""
        self.floor = max(self.floor, position)
        self.head = max(self.head, position)
        self.version += 1

    # ----------------------------------------------------------------- reading

    @property
    def cursor(self) -> str:
        """The position of the newest change applied, as the opaque string clients send back."""
        return format_cursor(self.log_id, self.head)

    def __len__(self) -> int:
        return len(self._runs)

    def get(self, task_id: str) -> Run | None:
        return self._runs.get(task_id)

    def newest(self, limit: int, where: Callable[[Run], bool] | None = None, among: list[Run] | None = None) -> list[Run]:
        """The ``limit`` most recently changed runs (of those ``where`` keeps), newest first; costs
        the page without ``where``, up to the whole index with it, the runs ``among`` with that
        (:meth:`runs_for`: only they can match)."""
        if among is not None:
            return sorted((run for run in among if where is None or where(run)), key=_by_seen, reverse=True)[:limit]
        page = []
        for task_id in reversed(self._runs):
            if len(page) == limit:
                break
            run = self._runs[task_id]
            if where is None or where(run):
                page.append(run)
        return page

    def changed_since(
        self, cursor: str, limit: int, where: Callable[[Run], bool] | None = None, among: list[Run] | None = None
    ) -> tuple[list[Run], str, bool]:
        """``(runs, cursor, more)``: runs changed after ``cursor`` (of those ``where`` keeps), oldest
        change first, at most ``limit``.

        The cursor returned is the last change served while ``more``; else the newest position
        (the answer is complete up to it). Raises :class:`CursorGone` for a cursor this index
        cannot answer completely.
        """
        position = self._position_of(cursor)
        runs: list[Run] = []
        index = bisect_right(self._positions, position)
        if among is not None:  # what the log would give, from these runs' own positions
            runs = sorted((run for run in among if run.position > position and (where is None or where(run))), key=_by_position)[: limit + 1]
            index = len(self._positions)
        while index < len(self._positions) and len(runs) <= limit:
            run = self._runs.get(self._changed[index])
            if run is not None and run.position == self._positions[index] and (where is None or where(run)):
                runs.append(run)
            index += 1
        more = len(runs) > limit
        if more:
            runs.pop()
            return runs, format_cursor(self.log_id, runs[-1].position), True
        return runs, format_cursor(self.log_id, max(self.head, position)), False

    def reaches(self, cursor: str) -> bool:
        """Whether this index has applied the change ``cursor`` names (a shared log's workers
        apply the same entries, some a moment later)."""
        parsed = parse_cursor(cursor)
        return parsed is None or parsed[0] != self.log_id or parsed[1] <= self.head

    def _position_of(self, cursor: str) -> Position:
        parsed = parse_cursor(cursor)
        if parsed is None:
            raise CursorGone("since is not a cursor this server gave")
        log_id, position = parsed
        if log_id != self.log_id:
            raise CursorGone("the cursor is from another change log (a restart, another process or app)")
        if position < self.floor:
            raise CursorGone("the cursor is older than the changes this server keeps")
        if position > self.head and self._sequence is not None:
            raise CursorGone("the cursor is ahead of every change this server made")
        return position

    # ----------------------------------------------------------------- listeners, tags

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Calls ``listener(task, cursor)`` after every change the index keeps, local or remote;
        returns the function that unsubscribes it. A listener that raises is logged and kept."""
        return _subscribe(self._listeners, listener)

    def subscribe_tags(self, listener: TagListener) -> Callable[[], None]:
        """Calls ``listener(run, previous_tags, cursor)`` when a run the index holds gains tags."""
        return _subscribe(self._tag_listeners, listener)

    def tag(self, task_id: str, *tags: str, position: Position | None = None) -> None:
        """Adds labels to a run, kept with it while the index holds it (or until it first appears).

        Tagging a held run is a change for pages: it takes a new position (the next of the index's
        own log, or ``position``, the tag's entry in the fan-out's shared log), so a poll ``since``
        an older cursor serves it. Tag listeners are told when the tags changed.
        """
        if position is not None and position > self.head:
            self.head = position
            self.version += 1
        previous = self._tags.get(task_id, frozenset())
        merged = previous | frozenset(tags)
        for added in merged - previous:
            self._by_tag.setdefault(added, set()).add(task_id)
        self._tags[task_id] = merged
        run = self._runs.get(task_id)
        if run is None:
            if len(self._tags) > 2 * self.max_runs:  # labels of runs that never showed up
                for stale in [key for key in self._tags if key not in self._runs][: self.max_runs]:
                    self._forget_tags(stale)
            return
        if position is not None and position > run.position:
            # Tagged here at once, the shared log now places the change (or another worker tagged it).
            run.position = position
            self._log(position, task_id)
            self.version += 1
        if merged == previous:
            return
        run.tags = merged
        cursor = None
        if self._sequence is not None:
            run.position = self.head = self._sequence.next()
            self._log(run.position, task_id)
            cursor = format_cursor(self.log_id, run.position)
        elif position is not None:
            cursor = format_cursor(self.log_id, position)
        self.version += 1
        for listener in list(self._tag_listeners):
            try:
                listener(run, previous, cursor)
            except Exception:
                logger.exception("flowrra_live: a run index tag listener failed")

    def runs_for(self, task_ids: Iterable[str], tags: Iterable[str]) -> list[Run]:
        """The held runs with one of these ids or tags: all a scope without task names can match."""
        ids = set(task_ids)
        for tag in tags:
            ids |= self._by_tag.get(tag, set())
        return [run for task_id in ids if (run := self._runs.get(task_id)) is not None]

    def tags_of(self, task_id: str) -> frozenset[str]:
        return self._tags.get(task_id, frozenset())

    # ----------------------------------------------------------------- internals

    def _forget_tags(self, task_id: str) -> None:
        for tag in self._tags.pop(task_id, ()):
            ids = self._by_tag.get(tag)
            if ids is not None:
                ids.discard(task_id)
                if not ids:
                    del self._by_tag[tag]

    def _log(self, position: Position, task_id: str) -> None:
        if self._positions and position < self._positions[-1]:
            # A shared log hands entries back in order; an older one means it was replaced.
            logger.warning("flowrra_live: a change log position went backwards; restarting the index's log")
            self._rebase(self.log_id, position)
        self._positions.append(position)
        self._changed.append(task_id)

    def _changed_now(self, task: dict[str, Any], position: Position) -> None:
        self.version += 1
        cursor = format_cursor(self.log_id, position) if position > self.floor else None
        for listener in list(self._listeners):
            try:
                listener(task, cursor)
            except Exception:
                logger.exception("flowrra_live: a run index listener failed")

    def _bound(self) -> None:
        while len(self._runs) > self.max_runs:
            task_id, dropped = self._runs.popitem(last=False)
            self._forget_tags(task_id)
            # Its change is no longer served: a cursor before it could not be answered whole.
            if dropped.position > self.floor:
                self.floor = dropped.position
        if len(self._positions) > 2 * len(self._runs) + 1024:
            self._compact()

    def _compact(self) -> None:
        kept = [
            (position, task_id)
            for position, task_id in zip(self._positions, self._changed)
            if (run := self._runs.get(task_id)) is not None and run.position == position
        ]
        self._positions = [position for position, _ in kept]
        self._changed = [task_id for _, task_id in kept]

    def _rebase(self, log_id: str, head: Position) -> None:
        self.log_id = log_id
        self.floor = self.head = head
        for run in self._runs.values():
            run.position = head
        self._positions, self._changed = [], []
        self.version += 1


def _subscribe(listeners: list, listener: Callable) -> Callable[[], None]:
    listeners.append(listener)

    def unsubscribe() -> None:
        if listener in listeners:
            listeners.remove(listener)

    return unsubscribe


def _by_seen(run: Run) -> int:
    return run.seen


def _by_position(run: Run) -> Position:
    return run.position
