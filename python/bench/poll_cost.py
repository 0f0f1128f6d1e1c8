"""What one poll of /api/results costs the server: today's run index against the whole-store read it
replaced (``before.py``), side by side in one run, on Flowrra's in-memory and Redis backends.

    /usr/bin/python3 python/bench/poll_cost.py [stored runs ...]   # default 1000 50000

For each store size and backend: the median of a ``200`` poll (after a change, so the page is
encoded again) and of a ``304`` poll, before and after, and the one-time seed of the index. The Redis
backend is a throwaway redis-server on loopback. Flowrra is found as for the tests: installed, else
$FLOWRRA_SRC, else ../shared/flowrra-0.1.8/src.
"""

from __future__ import annotations

import asyncio
import datetime
import json
import os
import statistics
import sys
import time
from pathlib import Path

PYTHON_DIR = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(PYTHON_DIR), str(PYTHON_DIR / "tests"), str(PYTHON_DIR / "bench"), os.environ.get("FLOWRRA_SRC") or str(PYTHON_DIR.parents[1] / "shared" / "flowrra-0.1.8" / "src")]

import before  # noqa: E402

before.install()

from flowrra import Flowrra  # noqa: E402
from flowrra.task import TaskResult, TaskStatus  # noqa: E402

import flowrra_live  # noqa: E402
import flowrra_live_before  # noqa: E402

NO_QUERY = lambda name: []  # noqa: E731
START = datetime.datetime(2026, 1, 1)


def stored_result(n: int) -> TaskResult:
    moment = START + datetime.timedelta(seconds=n)
    return TaskResult(task_id=f"task-{n}", status=list(TaskStatus)[n % 5], task_name="job", result={"n": n}, started_at=moment, finished_at=moment)


def app(redis_url: str | None) -> Flowrra:
    flowrra = Flowrra.from_urls(backend=redis_url) if redis_url else Flowrra()

    @flowrra.task()
    async def job(n: int) -> dict:
        return {"n": n}

    return flowrra


def fill(flowrra: Flowrra, stored: int, redis_client) -> None:
    if redis_client is None:
        results = flowrra._io_executor.results._results
        for n in range(stored):
            results[f"task-{n}"] = stored_result(n)
        return
    redis_client.flushdb()
    pipe = redis_client.pipeline(transaction=False)
    for n in range(stored):
        pipe.set(f"flowrra:task:task-{n}", json.dumps(stored_result(n).to_dict))
        if n % 5000 == 4999:
            pipe.execute()
    pipe.execute()


async def median_ms(runs: int, action) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        await action()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


async def measure(stored: int, redis_url: str | None, redis_client) -> dict[str, float]:
    flowrra = app(redis_url)
    fill(flowrra, stored, redis_client)
    runs = 3 if redis_url and stored > 10_000 else 9

    old = flowrra_live_before.ResultsEndpoint(flowrra)
    etag = (await old.respond(None, {}, [])).headers["ETag"]
    before_200 = await median_ms(runs, lambda: old.respond(None, {}, []))
    before_304 = await median_ms(runs, lambda: old.respond(None, {"If-None-Match": etag}, []))

    new = flowrra_live.ResultsEndpoint(flowrra)
    start = time.perf_counter()
    etag = (await new.respond(None, {}, NO_QUERY)).headers["ETag"]
    seed = (time.perf_counter() - start) * 1000
    index = new.app_index.index
    changes = iter(range(10**9))

    async def changed_then_polled():
        n = next(changes)
        index.record({"task_id": f"new-{n}", "status": "running", "started_at": (START + datetime.timedelta(days=1, seconds=n)).isoformat()})
        return await new.respond(None, {}, NO_QUERY)

    after_200 = await median_ms(9, changed_then_polled)
    etag = (await new.respond(None, {}, NO_QUERY)).headers["ETag"]
    after_304 = await median_ms(9, lambda: new.respond(None, {"If-None-Match": etag}, NO_QUERY))
    return {"before_200": before_200, "before_304": before_304, "after_200": after_200, "after_304": after_304, "seed": seed}


async def main() -> None:
    sizes = [int(arg) for arg in sys.argv[1:]] or [1_000, 50_000]
    from redis_server import RedisServer

    server = RedisServer().start()
    rows = []
    try:
        client = server.client(1)
        for name, url, redis_client in (("in-memory", None, None), ("Redis", server.url(1), client)):
            for stored in sizes:
                figures = await measure(stored, url, redis_client)
                rows.append((name, stored, figures))
                print(
                    f"{name:>9} {stored:>6} stored: before 200 {figures['before_200']:8.1f} ms, 304 {figures['before_304']:8.1f} ms | "
                    f"after 200 {figures['after_200']:6.2f} ms, 304 {figures['after_304']:6.3f} ms | seed once {figures['seed']:7.0f} ms",
                    flush=True,
                )
        client.close()
    finally:
        server.stop()
    print()
    print("| backend | stored runs | 200 before | 200 after | 304 before | 304 after | seed (once, off the loop) |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for name, stored, f in rows:
        print(f"| {name} | {stored:,} | {f['before_200']:.1f} ms | {f['after_200']:.2f} ms | {f['before_304']:.1f} ms | {f['after_304']:.3f} ms | {f['seed']:.0f} ms |")
    for name in ("in-memory", "Redis"):
        small, large = [f for n, _, f in rows if n == name][0], [f for n, _, f in rows if n == name][-1]
        print(
            f"{name}: largest / smallest store, after: 200 {large['after_200'] / small['after_200']:.2f}x, 304 {large['after_304'] / small['after_304']:.2f}x "
            f"(before: {large['before_200'] / small['before_200']:.0f}x, {large['before_304'] / small['before_304']:.0f}x); "
            f"at the largest, before / after: 200 {large['before_200'] / large['after_200']:.0f}x, 304 {large['before_304'] / large['after_304']:.0f}x"
        )


if __name__ == "__main__":
    asyncio.run(main())
