"""What counting costs Flowrra's event bus: events/s through ``event_bus.emit`` with metrics off and on.

Each bus has the given number of socket-like subscribers (Flowrra's socket handlers' subscriber:
one ``queue.put``). "on" is flowrra_live.metrics as shipped (``emit`` wrapped); "subscriber" is the
alternative it rejected, a counting subscriber on the bus, for the record. Rounds alternate the
three, and the median of each is reported, in events per CPU second of the process.

    /usr/bin/python3 python/bench/metrics_overhead.py [subscribers ...]   # default 1 8
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import time
from pathlib import Path

PYTHON_DIR = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(PYTHON_DIR), os.environ.get("FLOWRRA_SRC") or str(PYTHON_DIR.parents[1] / "shared" / "flowrra-0.1.8" / "src")]

from flowrra.events import EventBus  # noqa: E402

from flowrra_live.metrics import Metrics  # noqa: E402

EVENTS = 20000
ROUNDS = 15
EVENT = {"type": "task.update", "task": {"task_id": "t", "status": "running", "task_name": "bench", "retries": 0}}


def bus_with(subscribers: int) -> EventBus:
    bus = EventBus()
    for _ in range(subscribers):
        queue: asyncio.Queue = asyncio.Queue()

        async def subscriber(event: dict, queue: asyncio.Queue = queue) -> None:
            queue.put_nowait(event)
            queue.get_nowait()

        bus.subscribe(subscriber)
    return bus


async def rate(bus: EventBus) -> float:
    # CPU time of this process: on a shared machine the wall clock also counts other processes' turns.
    start = time.process_time()
    for _ in range(EVENTS):
        await bus.emit(EVENT)
    return EVENTS / (time.process_time() - start)


async def measure(subscribers: int) -> dict[str, float]:
    rates: dict[str, list[float]] = {"off": [], "on": [], "subscriber": []}
    for _ in range(ROUNDS):
        rates["off"].append(await rate(bus_with(subscribers)))
        bus = bus_with(subscribers)
        metrics = Metrics(bus)
        rates["on"].append(await rate(bus))
        metrics.uninstall()
        bus = bus_with(subscribers)
        counter = Metrics().events.labels("local").inc

        async def count(event: dict) -> None:
            counter()

        bus.subscribe(count)
        rates["subscriber"].append(await rate(bus))
    return {name: statistics.median(values) for name, values in rates.items()}


def main() -> None:
    counts = [int(arg) for arg in sys.argv[1:]] or [1, 8]
    print("| subscribers | off (events/s) | on (events/s) | on / off | as a subscriber / off |")
    print("|---:|---:|---:|---:|---:|")
    for subscribers in counts:
        r = asyncio.run(measure(subscribers))
        print(f"| {subscribers} | {r['off']:,.0f} | {r['on']:,.0f} | {r['on'] / r['off']:.2f}× | {r['subscriber'] / r['off']:.2f}× |")


if __name__ == "__main__":
    main()
