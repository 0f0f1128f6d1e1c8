"""Per-event routing cost of the scoped socket hub: it must follow the sockets an event matches, not
all open sockets.

Each case opens N scoped sockets (one tag each, one of them the watched user's) and publishes events
of the watched user's runs: every event matches exactly one socket. For contrast, the same events
routed by testing every socket's scope, which is what a hub without an index would do.

    /usr/bin/python3 python/bench/scoped_routing.py [sockets ...]   # default 10 1000 10000

Flowrra is found as for the tests: installed, else $FLOWRRA_SRC, else ../shared/flowrra-0.1.8/src.
"""

from __future__ import annotations

import asyncio
import datetime
import os
import sys
import time
from pathlib import Path

PYTHON_DIR = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(PYTHON_DIR), os.environ.get("FLOWRRA_SRC") or str(PYTHON_DIR.parents[1] / "shared" / "flowrra-0.1.8" / "src")]

from flowrra.task import TaskResult, TaskStatus  # noqa: E402

from flowrra_live.read_tokens import Scope  # noqa: E402
from flowrra_live.scoped_hub import ScopedHub  # noqa: E402

EVENTS = 2000
BATCH = 100  # under the queue bound: the matching socket is drained between batches
ROUNDS = 5


def event(number: int) -> dict:
    # What Flowrra's emitter hands over: TaskResult.to_dict of a running task.
    started = datetime.datetime(2026, 12, 5, 10, 0)
    return TaskResult(f"run-{number}", TaskStatus.RUNNING, "report", started_at=started, args=(number,)).to_dict


async def per_event_us(sockets: int, indexed: bool) -> float:
    hub = ScopedHub()
    watched = hub.register(Scope(tags=frozenset({"user:0"})))
    others = [hub.register(Scope(tags=frozenset({f"user:{n}"}))) for n in range(1, sockets)]
    every = [watched, *others]
    events = [event(n) for n in range(EVENTS)]
    tags = ["user:0"]
    best = float("inf")
    for _ in range(ROUNDS):
        elapsed = 0.0
        for start in range(0, EVENTS, BATCH):
            batch = events[start : start + BATCH]
            began = time.perf_counter()
            if indexed:
                for task in batch:
                    hub.publish(task, tags, cursor=start)
            else:
                for task in batch:
                    matching = {s for s in every if s.scope.matches(task["task_id"], task["task_name"], tags)}
                    hub._deliver(task, start, matching)
            elapsed += time.perf_counter() - began
            for _ in batch:
                await watched.next()
        best = min(best, elapsed)
    assert watched.open and all(other.open for other in others)
    return best / EVENTS * 1e6


async def main(counts: list[int]) -> None:
    print(f"{'sockets':>8}  {'indexed µs/event':>17}  {'scan-all µs/event':>18}")
    for count in counts:
        indexed = await per_event_us(count, indexed=True)
        scanned = await per_event_us(count, indexed=False)
        print(f"{count:>8}  {indexed:>17.2f}  {scanned:>18.2f}")


if __name__ == "__main__":
    asyncio.run(main([int(arg) for arg in sys.argv[1:]] or [10, 1000, 10000]))
