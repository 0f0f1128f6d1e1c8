"""Test-only: which worker process a socket landed on."""

import os


def tag_sockets(app):
    """ASGI middleware: each socket handshake and each HTTP answer carries ``x-worker-pid``, so a
    test knows where a client landed."""
    pid = str(os.getpid()).encode()

    async def tagged(scope, receive, send):
        if scope["type"] not in ("websocket", "http"):
            return await app(scope, receive, send)

        async def send_tagged(message):
            if message["type"] in ("websocket.accept", "http.response.start"):
                message = {**message, "headers": [*message.get("headers", []), (b"x-worker-pid", pid)]}
            await send(message)

        return await app(scope, receive, send_tagged)

    return tagged
