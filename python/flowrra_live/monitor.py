"""``{mount}/metrics`` (Prometheus text) and ``{mount}/api/metrics`` (the same figures as JSON).

Both answer only what the mount's operator ``token=`` allows (never a read token) (the results endpoint's check, handed
in as ``authorize``); each framework module turns a request into :meth:`MonitorEndpoint.respond`
(async frameworks) or :meth:`MonitorEndpoint.respond_sync` (Django, Flask) and the :class:`Reply`
into its response.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Any

from .background_loop import run_in_background_loop
from .encoding import dumps
from .endpoint import Headers, Reply
from .metrics import PACKAGE, MetricsUnavailable, current
from .read_tokens import Scope

__all__ = ["MonitorEndpoint"]

#: Each route under the mount and what it serves: Prometheus text, or :func:`flowrra_live.stats`.
#: Not ``api/stats``: Flowrra's own UI answers that path when both are mounted at ``/flowrra``.
ROUTES = {"metrics": "metrics", "api/metrics": "stats"}


class MonitorEndpoint:
    def __init__(self, authorize: Callable[[Any, Headers], bool | Awaitable[Any]]) -> None:
        self.authorize = authorize
        # Counting starts with the mount, not with the first scrape.
        current()

    async def respond(self, request: Any, headers: Headers, kind: str) -> Reply:
        allowed = self.authorize(request, headers)
        if inspect.isawaitable(allowed):
            allowed = await allowed
        return self.answer(allowed, kind)

    def respond_sync(self, request: Any, headers: Headers, kind: str) -> Reply:
        # A sync token callable runs here, in the request thread, where the app's ORM may be used.
        allowed = self.authorize(request, headers)
        if inspect.isawaitable(allowed):
            allowed = run_in_background_loop(allowed)
        return self.answer(allowed, kind)

    def answer(self, allowed: Any, kind: str) -> Reply:
        # A read token (a Scope) grants its runs on a scoped mount, never the server's figures.
        if not allowed or isinstance(allowed, Scope):
            return _json(401, {"detail": "Not authenticated"}, {"WWW-Authenticate": "Bearer"})
        try:
            if kind == "metrics":
                body, content_type = current().exposition()
                return Reply(200, {"Content-Type": content_type, "Cache-Control": "no-store"}, body)
            return _json(200, current().stats())
        except MetricsUnavailable as error:
            return _json(501, {"detail": str(error), "package": PACKAGE})


def _json(status: int, body: Any, headers: dict[str, str] | None = None) -> Reply:
    return Reply(status, {"Content-Type": "application/json", "Cache-Control": "no-store", **(headers or {})}, dumps(body))
