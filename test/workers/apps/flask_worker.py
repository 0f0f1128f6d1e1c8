"""The Flowrra worker process beside the Flask app: runs the tasks the app queues in Redis."""

import asyncio
import os

# Its changes reach the Flask process's results endpoint only through the fan-out.
os.environ["FANOUT"] = "1"

from workload import Lifecycle  # noqa: E402


async def main() -> None:
    await Lifecycle().start()
    await asyncio.Event().wait()


asyncio.run(main())
