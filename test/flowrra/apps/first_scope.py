"""Test-only: an ASGI app that runs ``start()`` on the server's loop before serving its first scope.

For Django under daphne, which has no lifespan (and uvicorn ``--lifespan off``): Flowrra and the
fan-out start where the sockets and the views run.
"""

import asyncio


def started_first(app, start):
    started = None

    async def serve(scope, receive, send):
        nonlocal started
        if started is None:
            started = asyncio.ensure_future(start())
        await asyncio.shield(started)
        await app(scope, receive, send)

    return serve
