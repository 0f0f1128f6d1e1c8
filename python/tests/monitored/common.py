"""The Flowrra app, tasks and test-only routes' logic shared by the monitored test apps.

Environment: TOKEN (the mount's operator token), REDIS (``redis://127.0.0.1:PORT``: Redis broker
and backend, else in memory), FANOUT=1 to start the fan-out on that Redis.
"""

from __future__ import annotations

import datetime
import os

from flowrra import Flowrra

TOKEN = os.environ["TOKEN"]
REDIS = os.environ.get("REDIS")
flowrra = Flowrra.from_urls(broker=f"{REDIS}/0", backend=f"{REDIS}/1") if REDIS else Flowrra()


@flowrra.task(max_retries=0)
async def add(a: int, b: int) -> int:
    return a + b


@flowrra.task(max_retries=0)
async def moment() -> datetime.datetime:
    # json.dumps refuses it: Flowrra's socket cannot forward this task's success frame.
    return datetime.datetime(2026, 1, 2, 3, 4, 5)


async def submit(name: str, count: int) -> list[str]:
    if name == "moment":
        return [await flowrra.submit(moment) for _ in range(count)]
    return [await flowrra.submit(add, index, index) for index in range(count)]


class Lifecycle:
    def __init__(self) -> None:
        self.fanout = None

    async def start(self) -> None:
        await flowrra.start()
        if os.environ.get("FANOUT") == "1":
            from flowrra_live.fanout import start_fanout

            self.fanout = await start_fanout(f"{REDIS}/0")

    async def stop(self) -> None:
        if self.fanout is not None:
            await self.fanout.stop()
        await flowrra.stop(wait=False)
