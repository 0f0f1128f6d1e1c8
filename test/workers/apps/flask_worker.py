"""The Flowrra worker process beside the Flask app: runs the tasks the app queues in Redis."""

import asyncio

from workload import Lifecycle


async def main() -> None:
    await Lifecycle().start()
    await asyncio.Event().wait()


asyncio.run(main())
