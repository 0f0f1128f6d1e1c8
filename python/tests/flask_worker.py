"""The Flowrra worker process beside a Flask app: runs the queued tasks and joins the fan-out.

    python3 flask_worker.py redis://127.0.0.1:PORT    # prints "ready" once it runs
"""

import asyncio
import sys

from flowrra import Flowrra

from flowrra_live.fanout import start_fanout


def make_app(redis: str):
    flowrra = Flowrra.from_urls(broker=f"{redis}/0", backend=f"{redis}/1")

    @flowrra.task(max_retries=0)
    async def double(n: int) -> int:
        return n * 2

    return flowrra, double


async def main(redis: str) -> None:
    flowrra, _ = make_app(redis)
    await flowrra.start()
    await start_fanout(f"{redis}/0", channel="test:flask")
    print("ready", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
