"""A reconnect storm: 200 pages reconnect at once after a deploy, each making its reconcile poll.

    /usr/bin/python3 python/bench/storm.py [stored runs]   # default 50000

Against a real uvicorn serving FastAPI and Flowrra's in-memory backend (storm_app.py), once with the
whole-store read of before the run index and once with it: the server's CPU for the storm, the
event loop's longest stall during it (a 1 ms ticker in the server; it also counts the loop's one
pass over 200 connections ready at once, which the static body pays too), the longest single step
of the loop (one callback or task step), the clients' p50/p99, and the same storm on a static body
of the same size from the same app.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

PYTHON_DIR = Path(__file__).resolve().parents[1]
FLOWRRA_SRC = os.environ.get("FLOWRRA_SRC") or str(PYTHON_DIR.parents[1] / "shared" / "flowrra-0.1.8" / "src")
sys.path[:0] = [str(PYTHON_DIR / "tests")]
from redis_server import free_port  # noqa: E402

CLIENTS = 200
RESULTS = "/flowrra/api/results"


async def request(port: int, method: str, path: str) -> tuple[float, bytes]:
    start = time.perf_counter()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"{method} {path} HTTP/1.1\r\nHost: bench\r\nConnection: close\r\nContent-Length: 0\r\n\r\n".encode())
    await writer.drain()
    data = await reader.read()
    writer.close()
    head, _, body = data.partition(b"\r\n\r\n")
    if not head.startswith(b"HTTP/1.1 200"):
        raise RuntimeError(head.decode(errors="replace"))
    return time.perf_counter() - start, body


async def storm(port: int, path: str, static_size: int = 0) -> dict:
    cpu = json.loads((await request(port, "POST", f"/bench/reset?static_size={static_size}"))[1])["cpu"]
    answers = await asyncio.gather(*(request(port, "GET", path) for _ in range(CLIENTS)))
    stats = json.loads((await request(port, "GET", "/bench/stats"))[1])
    latencies = sorted(latency for latency, _ in answers)
    return {
        "cpu_s": stats["cpu"] - cpu,
        "stall_ms": stats["gap_ms"],
        "step_ms": stats["step_ms"],
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000,
        "size": len(answers[0][1]),
    }


async def run_variant(variant: str, stored: int) -> tuple[dict, dict]:
    port = free_port()
    env = {**os.environ, "VARIANT": variant, "STORED": str(stored), "PYTHONPATH": os.pathsep.join([str(PYTHON_DIR), FLOWRRA_SRC])}
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "storm_app:app", "--app-dir", str(Path(__file__).parent), "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning", "--backlog", "1024"],
        env=env,
    )
    try:
        while True:
            try:
                warm = await request(port, "GET", RESULTS)  # the index seeds at the first poll
                break
            except OSError:
                if server.poll() is not None:
                    raise RuntimeError("the bench server did not start")
                await asyncio.sleep(0.1)
        polls = await storm(port, RESULTS)
        static = await storm(port, "/bench/static", static_size=len(warm[1]))
        return polls, static
    finally:
        server.kill()
        server.wait()


async def main() -> None:
    stored = int(sys.argv[1]) if len(sys.argv) > 1 else 50_000
    rows = {}
    for variant in ("before", "after"):
        polls, static = await run_variant(variant, stored)
        rows[variant] = (polls, static)
        print(
            f"{variant:>6}: {CLIENTS} polls at {stored:,} stored: server CPU {polls['cpu_s']:.2f} s (static body of {static['size']:,} B: {static['cpu_s']:.2f} s, "
            f"{polls['cpu_s'] / static['cpu_s']:.1f}x), longest loop stall {polls['stall_ms']:.1f} ms (static {static['stall_ms']:.1f} ms), "
            f"longest single step {polls['step_ms']:.1f} ms (static {static['step_ms']:.1f} ms), "
            f"p50 {polls['p50_ms']:.0f} ms, p99 {polls['p99_ms']:.0f} ms",
            flush=True,
        )
    (before_polls, before_static), (after_polls, after_static) = rows["before"], rows["after"]
    print()
    print(f"| {CLIENTS}-client reconnect storm, {stored:,} stored runs | before | after | before / after |")
    print("| --- | --- | --- | --- |")
    print(f"| server CPU | {before_polls['cpu_s']:.2f} s | {after_polls['cpu_s']:.2f} s | {before_polls['cpu_s'] / after_polls['cpu_s']:.0f}x |")
    print(f"| CPU / static body of the same size | {before_polls['cpu_s'] / before_static['cpu_s']:.0f}x | {after_polls['cpu_s'] / after_static['cpu_s']:.1f}x | |")
    print(f"| longest event-loop stall (1 ms ticker's gap) | {before_polls['stall_ms']:.0f} ms | {after_polls['stall_ms']:.0f} ms (static body: {after_static['stall_ms']:.0f} ms) | {before_polls['stall_ms'] / after_polls['stall_ms']:.0f}x |")
    print(f"| longest single step of the loop | {before_polls['step_ms']:.0f} ms | {after_polls['step_ms']:.1f} ms (static body: {after_static['step_ms']:.1f} ms) | {before_polls['step_ms'] / after_polls['step_ms']:.0f}x |")
    print(f"| client p50 / p99 | {before_polls['p50_ms']:.0f} / {before_polls['p99_ms']:.0f} ms | {after_polls['p50_ms']:.0f} / {after_polls['p99_ms']:.0f} ms | |")


if __name__ == "__main__":
    asyncio.run(main())
