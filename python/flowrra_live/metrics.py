"""The figures Flowrra's guide tells operators to watch, as Prometheus series and as a plain dict.

Open sockets, task events by origin, subscriber errors, results-endpoint polls, fan-out state and
runs held by the run index (``docs/monitoring.md`` lists the series). One :class:`Metrics` per
process, made by :func:`current` on first use (a mount, a :class:`SocketCounter`, a poll), never at
import. Needs ``prometheus_client`` (``flowrra-live[metrics]``, Debian ``python3-prometheus-client``);
without it every count is a no-op and :func:`current` ``.stats()`` raises :class:`MetricsUnavailable`.

With ``PROMETHEUS_MULTIPROC_DIR`` set before the workers start, every worker writes its figures to
that directory and one scrape of any worker sums them (prometheus_client's multiprocess mode).
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from .changelog import from_shared_log
from .seeding import held_runs
from .socket_counter import SocketCounter

__all__ = ["Metrics", "MetricsUnavailable", "SocketCounter", "current", "count_poll", "fanout_connected", "fanout_dropped"]

PACKAGE = "prometheus_client"
INSTALL_HINT = "pip install 'flowrra-live[metrics]' (Debian: apt-get install python3-prometheus-client)"
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
#: Loggers and the messages of theirs that mean an event did not reach a subscriber or a socket.
ERROR_LOGS = {
    "flowrra.events": "Error in subscriber",
    "flowrra.ui.quart_websocket": "Error forwarding event",
    "flowrra.ui.django_websocket": "Error forwarding event",
}
# Poll latency: a 304 from the index is well under a millisecond, a full store read can take 200 ms.
#: With several workers, how long a worker's events may wait before the others' scrapes see them.
FOLD_SECONDS = 0.5
POLL_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)

T = TypeVar("T")


class MetricsUnavailable(RuntimeError):
    """prometheus_client is not installed."""

    def __init__(self) -> None:
        super().__init__(f"flowrra_live metrics need the {PACKAGE} package: {INSTALL_HINT}")


class Metrics:
    """One process's series. Counting methods are cheap and never raise; reading collects them."""

    #: Called at each read for ``flowrra_live_runs``; None (as source or as its value) leaves the
    #: series out. By default the runs the process's run indexes hold (absent before a mount made
    #: one); set another on the class or on :func:`current`.
    runs_source: Callable[[], int | None] | None = held_runs

    def __init__(self, bus: Any = None) -> None:
        import prometheus_client as prom

        self._prom = prom
        self.registry = prom.CollectorRegistry(auto_describe=True)
        self.multiprocess = bool(os.environ.get(MULTIPROC_ENV))
        r = self.registry
        self.sockets = prom.Gauge("flowrra_sockets", "Open WebSocket connections, from accepted handshake to close.", ["endpoint"], registry=r, multiprocess_mode="livesum")
        self.events = prom.Counter("flowrra_events", "Task events seen on the event bus.", ["origin"], registry=r)
        self.subscriber_errors = prom.Counter("flowrra_subscriber_errors", "Events a subscriber or a socket failed to take.", registry=r)
        self.polls = prom.Counter("flowrra_live_polls", "Results-endpoint answers by HTTP status.", ["code"], registry=r)
        self.poll_seconds = prom.Histogram("flowrra_live_poll_seconds", "Time to answer a results-endpoint poll.", registry=r, buckets=POLL_BUCKETS)
        # Made on first report only: without a fan-out (or a run index) the series is absent.
        self._fanout_connected = None
        self._fanout_dropped = None
        self._runs = None
        self._lock = threading.Lock()
        for endpoint in ("flowrra", "live"):
            self.sockets.labels(endpoint)  # present at 0 before the first socket, for alerts
        # Events are counted as plain ints (index 0 local, 1 remote) by the loop that emits them, and
        # added to the counters when read: a counter increment takes a lock, which cost a tenth of
        # the bus's throughput. With several workers each one also adds its own every FOLD_SECONDS.
        self._seen = [0, 0]
        self._folded = [0, 0]
        self._by_origin = (self.events.labels("local"), self.events.labels("remote"))
        self._fold_pending = False
        self._handler = _ErrorLogHandler(self.subscriber_errors.inc)
        self._bus = None
        if bus is not None:
            self.install(bus)

    # -- counting ---------------------------------------------------------------------------

    def install(self, bus: Any) -> None:
        """Counts every event emitted on ``bus`` and the errors Flowrra logs for its subscribers."""
        if self._bus is not None:
            return
        self._bus = bus
        emit = bus.emit
        seen = self._seen

        # emit wrapped rather than a subscriber added: Flowrra's bus runs each subscriber in a task
        # of its own, which cost a third of the bus's throughput with one socket (bench/metrics_overhead.py).
        # Not a coroutine itself: it hands back emit's, so no extra frame is resumed at each await.
        def counted_emit(event: dict) -> Awaitable[None]:
            seen[_arrived_through_fanout()] += 1
            if self.multiprocess and not self._fold_pending:
                self._fold_soon()
            return emit(event)

        bus.emit = counted_emit
        for name in ERROR_LOGS:
            logging.getLogger(name).addHandler(self._handler)

    def _fold_soon(self) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        self._fold_pending = True
        loop.call_later(FOLD_SECONDS, self._fold)

    def _fold(self) -> None:
        with self._lock:
            self._fold_pending = False
            for origin, counter in enumerate(self._by_origin):
                # Only the emitting loop writes _seen: read once, its count up to here is added.
                new = self._seen[origin] - self._folded[origin]
                if new:
                    counter.inc(new)
                    self._folded[origin] += new

    def uninstall(self) -> None:
        """Stops counting the bus's events and errors (the series keep their values)."""
        if self._bus is None:
            return
        del self._bus.emit
        self._bus = None
        for name in ERROR_LOGS:
            logging.getLogger(name).removeHandler(self._handler)

    def socket_opened(self, endpoint: str) -> None:
        self.sockets.labels(endpoint).inc()

    def socket_closed(self, endpoint: str) -> None:
        self.sockets.labels(endpoint).dec()

    def subscriber_error(self) -> None:
        self.subscriber_errors.inc()

    def poll(self, code: int, seconds: float) -> None:
        self.polls.labels(str(code)).inc()
        self.poll_seconds.observe(seconds)

    def fanout_connected(self, connected: bool) -> None:
        with self._lock:
            if self._fanout_connected is None:
                # livemin: with several workers, 1 only while every worker's link is up.
                self._fanout_connected = self._prom.Gauge("flowrra_live_fanout_connected", "1 while the fan-out's Redis link is up.", registry=self.registry, multiprocess_mode="livemin")
                self._fanout_dropped = self._prom.Counter("flowrra_live_fanout_dropped", "Events the fan-out could not publish (backlog overflow).", registry=self.registry)
        self._fanout_connected.set(1 if connected else 0)

    def fanout_dropped(self) -> None:
        if self._fanout_dropped is None:
            self.fanout_connected(False)
        self._fanout_dropped.inc()

    # -- reading ----------------------------------------------------------------------------

    def exposition(self) -> tuple[bytes, str]:
        """The Prometheus text format (summed over workers in multiprocess mode) and its content type."""
        return self._prom.generate_latest(self._collected()), self._prom.CONTENT_TYPE_LATEST

    def stats(self) -> dict[str, Any]:
        """The same figures as :meth:`exposition`, as a plain dict (see ``docs/monitoring.md``)."""
        samples: dict[str, list] = {}
        for family in self._collected().collect():
            for sample in family.samples:
                samples.setdefault(sample.name, []).append(sample)

        def by(name: str, label: str) -> dict[str, int]:
            return {s.labels[label]: int(s.value) for s in samples.get(name, [])}

        def one(name: str) -> float | None:
            found = samples.get(name)
            return found[0].value if found else None

        connected = one("flowrra_live_fanout_connected")
        runs = one("flowrra_live_runs")
        return {
            "sockets": {"flowrra": 0, "live": 0, **by("flowrra_sockets", "endpoint")},
            "events": {"local": 0, "remote": 0, **by("flowrra_events_total", "origin")},
            "subscriber_errors": int(one("flowrra_subscriber_errors_total") or 0),
            "polls": by("flowrra_live_polls_total", "code"),
            "poll_seconds": {"count": int(one("flowrra_live_poll_seconds_count") or 0), "sum": one("flowrra_live_poll_seconds_sum") or 0.0},
            "fanout": None if connected is None else {"connected": connected >= 1, "dropped": int(one("flowrra_live_fanout_dropped_total") or 0)},
            "runs": None if runs is None else int(runs),
            "workers": self._workers(),
        }

    def _collected(self) -> Any:
        self._fold()
        self._refresh_runs()
        if not self.multiprocess:
            return self.registry
        from prometheus_client import multiprocess

        _forget_dead_workers(os.environ[MULTIPROC_ENV])
        registry = self._prom.CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return registry

    def _refresh_runs(self) -> None:
        # Read from the dicts: a function set on the class is not to be bound as a method.
        source = vars(self).get("runs_source", vars(Metrics)["runs_source"])
        value = None if source is None else source()
        if value is None:
            return
        with self._lock:
            if self._runs is None:
                # livemax: a run index shared through Redis reports the same count in every worker.
                self._runs = self._prom.Gauge("flowrra_live_runs", "Runs held by the run index.", registry=self.registry, multiprocess_mode="livemax")
        self._runs.set(value)

    def _workers(self) -> int:
        if not self.multiprocess:
            return 1
        return sum(1 for pid in _pids_with_files(os.environ[MULTIPROC_ENV]) if _alive(pid))


class _Off:
    """What :func:`current` gives without prometheus_client: counts nothing, reading says why."""

    runs_source = None
    multiprocess = False

    def install(self, bus: Any) -> None: ...
    def uninstall(self) -> None: ...
    def socket_opened(self, endpoint: str) -> None: ...
    def socket_closed(self, endpoint: str) -> None: ...
    def subscriber_error(self) -> None: ...
    def poll(self, code: int, seconds: float) -> None: ...
    def fanout_connected(self, connected: bool) -> None: ...
    def fanout_dropped(self) -> None: ...

    def exposition(self) -> tuple[bytes, str]:
        raise MetricsUnavailable()

    def stats(self) -> dict[str, Any]:
        raise MetricsUnavailable()


_current: Metrics | _Off | None = None
_current_lock = threading.Lock()


def current() -> Metrics | _Off:
    """This process's metrics, counting Flowrra's ``event_bus`` from the first call on."""
    global _current
    if _current is None:
        with _current_lock:
            if _current is None:
                try:
                    import prometheus_client  # noqa: F401
                except ImportError:
                    _current = _Off()
                else:
                    from flowrra.events import event_bus

                    _current = Metrics(event_bus)
    return _current


async def count_poll(answer: Awaitable[T]) -> T:
    """Awaits a results-endpoint answer, counting it by status and timing it."""
    started = time.perf_counter()
    reply = await answer
    current().poll(reply.status, time.perf_counter() - started)
    return reply


def fanout_connected(connected: bool) -> None:
    """Called by the fan-out when its Redis link comes up or goes down."""
    current().fanout_connected(connected)


def fanout_dropped() -> None:
    """Called by the fan-out for each event its full backlog dropped."""
    current().fanout_dropped()


def _arrived_through_fanout() -> bool:
    # The fan-out's listener re-emits other workers' events with this context variable set.
    return from_shared_log.get()


class _ErrorLogHandler(logging.Handler):
    def __init__(self, count: Callable[[], None]) -> None:
        super().__init__(logging.ERROR)
        self._count = count

    def emit(self, record: logging.LogRecord) -> None:
        if isinstance(record.msg, str) and record.msg.startswith(ERROR_LOGS.get(record.name, "\0")):
            self._count()


def _pids_with_files(path: str) -> set[int]:
    pids = set()
    for name in os.listdir(path):
        stem = name.rpartition(".")[0]
        pid = stem.rpartition("_")[2]
        if pid.isdigit():
            pids.add(int(pid))
    return pids


def _forget_dead_workers(path: str) -> None:
    # The "live" gauges (sockets, fan-out link, runs) of a worker that died would otherwise be
    # summed forever: uvicorn has no hook to call mark_process_dead from, so each scrape does it.
    from prometheus_client import multiprocess

    for pid in _pids_with_files(path):
        if not _alive(pid):
            multiprocess.mark_process_dead(pid, path)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
