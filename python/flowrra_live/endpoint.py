"""The polling endpoint without a framework: options, authentication, limit, cursor, ETag, errors.

Each framework module turns its request into :meth:`ResultsEndpoint.respond` arguments and the
returned :class:`Reply` into its own response, so every framework answers byte for byte the same.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import inspect
import itertools
import logging
import re
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .changelog import CURSOR_HEADER, EXPOSED_HEADERS, MORE_HEADER
from .encoding import dumps
from .index import DEFAULT_MAX_RUNS, CursorGone, Run, RunIndex, checked_max_runs
from .metrics import count_poll
from .seeding import index_of
from .read_tokens import InvalidReadToken, ReadTokenVerifier, Scope
from .tasks import REQUIRED_KEYS, ListingUnsupported, checked_exclude

logger = logging.getLogger("flowrra_live")

DEFAULT_LIMIT = 200
MAX_LIMIT = 1000

Token = str | Callable[[Any], Any] | None
#: A request's headers as each framework gives them: a mapping whose ``get`` ignores case.
Headers = Mapping[str, str]
#: Every value of one query parameter, by name, as each framework gives them (``getlist``).
Query = Callable[[str], Sequence[str]]
# At most four digits: 1000 is the largest, and int() refuses strings of over 4300 digits.
_DIGITS = re.compile(r"[0-9]{1,4}")


@dataclass(frozen=True)
class Reply:
    """What to answer: a status, headers and a body (empty for 304)."""

    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


class ResultsEndpoint:
    """``GET {mount}/api/results`` for one Flowrra app; see ``python/README.md`` for the options
    and ``changelog`` for the cursor contract. Answers from the app's run index (``seeding``)."""

    def __init__(
        self,
        flowrra: Any,
        *,
        token: Token = None,
        limit: int = DEFAULT_LIMIT,
        exclude: Iterable[str] = (),
        max_runs: int = DEFAULT_MAX_RUNS,
        secret: Any = None,
    ) -> None:
        self.flowrra = flowrra
        self.token = _checked_token(token)
        #: Set with ``secret=``: a read token as the bearer reads the runs in its scope.
        self.verifier = None if secret is None else ReadTokenVerifier(secret)
        self.limit = _checked_limit(limit)
        self.exclude = checked_exclude(exclude)
        self.app_index = index_of(flowrra, checked_max_runs(max_runs))
        self._answers = _Answers()
        self._backend_failing = False

    async def respond(self, request: Any, headers: Headers, query: Query, method: str = "GET") -> Reply:
        """Answer one request. ``request`` is only handed to a callable ``token``; ``headers`` is the
        framework's case-insensitive header mapping; ``query`` gives every value of a query
        parameter (``query("limit")``); ``method`` is ``GET`` or ``HEAD`` (the same answer, no body)."""
        return await self.answer(self.authorize(request, headers), headers, query, method)

    def authorize(self, request: Any, headers: Headers) -> bool | Scope | Awaitable[Any]:
        """The token check, run in the caller's context: a sync framework calls a sync ``token``
        callable from its request thread, where the app's ORM and sessions may be used.

        With ``secret=``: the operator ``token`` reads everything; else a valid read token reads
        its :class:`~.read_tokens.Scope`; else a ``token`` callable decides; else nothing is read.
        """
        credentials = _bearer(headers)
        if isinstance(self.token, str) and credentials is not None and hmac.compare_digest(credentials.encode(), self.token.encode()):
            return True
        if self.verifier is not None and credentials:
            try:
                return self.verifier.verify(credentials)
            except InvalidReadToken:
                pass
        if callable(self.token):
            return self.token(request)
        return self.token is None and self.verifier is None

    async def answer(self, allowed: Any, headers: Headers, query: Query, method: str = "GET") -> Reply:
        """The reply once :meth:`authorize` has returned ``allowed`` (awaited here if awaitable)."""
        reply = await count_poll(self._answer(allowed, headers, query))
        if method == "HEAD":
            return Reply(reply.status, reply.headers)
        return reply

    async def _answer(self, allowed: Any, headers: Headers, query: Query) -> Reply:
        if inspect.isawaitable(allowed):
            allowed = await allowed
        if not allowed:
            return _error(401, "Not authenticated", {"WWW-Authenticate": "Bearer"})
        size = self._parse_limit(query("limit"))
        if size is None:
            return _error(400, f"limit must be one integer from 1 to {MAX_LIMIT}")
        since = query("since")
        if len(since) > 1:
            return _error(400, "since must be one cursor")
        try:
            index = await self.app_index.ready()
        except ListingUnsupported as error:
            return _error(501, _unsupported_message(error.backend_names))
        except Exception as error:
            # The backend is down (Redis unreachable...) while the index is seeded: an outage,
            # which the client retries. The message names only the type: a connection error may
            # carry a password in a URL.
            self._log_backend_failure()
            return _error(503, f"The result backend failed: {type(error).__name__}")
        if self._backend_failing:
            self._backend_failing = False
            logger.warning("flowrra_live: the result backend answers again")
        scope = allowed if isinstance(allowed, Scope) else None
        try:
            answer = self._answers.get(index, size, since[0] if since else None, self.exclude, scope)
        except CursorGone as gone:
            return _error(410, f"{gone}: take the full answer (without since) and resume from its cursor")
        if etag_matches(headers.get("If-None-Match"), answer.headers["ETag"]):
            return Reply(304, answer.headers)
        return Reply(200, {**answer.headers, "Content-Type": "application/json"}, answer.body)

    def _log_backend_failure(self) -> None:
        # Once per outage, not once per poll of every client.
        if not self._backend_failing:
            self._backend_failing = True
            logger.exception("flowrra_live: reading the result backend failed; answering 503 until it recovers")

    def _parse_limit(self, values: Sequence[str]) -> int | None:
        if not values:
            return self.limit
        if len(values) > 1 or not _DIGITS.fullmatch(values[0]):
            return None
        size = int(values[0])
        return size if 1 <= size <= MAX_LIMIT else None


class _Answers:
    """Each answer encoded once per index version and reused, so a repeated poll (a ``304``
    especially) compares a version and an ETag, and reads or encodes nothing."""

    def __init__(self, size: int = 256) -> None:
        self._size = size
        self._cache: dict[tuple, tuple[int, Reply]] = {}

    def get(self, index: RunIndex, limit: int, since: str | None, exclude: frozenset[str], scope: Scope | None = None) -> Reply:
        key = (limit, since, scope)
        cached = self._cache.get(key)
        if cached is not None and cached[0] == index.version:
            return cached[1]
        headers = {"Cache-Control": "no-cache", "Access-Control-Expose-Headers": EXPOSED_HEADERS}
        where = among = None
        if scope is not None:
            exclude = exclude | scope.exclude
            if scope.task_names:
                # Names are no ownership boundary and have no index: every run is tested.
                def where(run: Run) -> bool:
                    return scope.matches(run.task_id, run.task.get("task_name"), run.tags)

            else:
                among = index.runs_for(scope.task_ids, scope.tags)
        if since is None:
            runs, cursor = index.newest(limit, where, among), index.cursor
        else:
            runs, cursor, more = index.changed_since(since, limit, where, among)
            if more:
                headers[MORE_HEADER] = "1"
        body = b"[" + b",".join(run.encoded(exclude) for run in runs) + b"]"
        headers[CURSOR_HEADER] = cursor
        # The position, not the body, as the reference server's: an idle since-poll from any
        # answer's cursor, with that answer's ETag, is a 304 (a full answer then a since-poll
        # included), and with the fan-out the position is the same on every worker. The view
        # (limit, exclude, scope) is part of it: another view at the same position is another answer.
        headers["ETag"] = etag(_view_key(cursor, MORE_HEADER in headers, limit, exclude, scope))
        reply = Reply(200, headers, body)
        if len(self._cache) >= self._size:
            self._cache.pop(next(iter(self._cache)))
        self._cache[key] = (index.version, reply)
        return reply


_mounts = itertools.count(1)


def blueprint_name() -> str:
    """``flowrra_live`` for the first blueprint of a process, ``flowrra_live_2``... after: Flask
    and Quart refuse two blueprints of one name in an app."""
    number = next(_mounts)
    return "flowrra_live" if number == 1 else f"flowrra_live_{number}"


def _view_key(cursor: str, more: bool, limit: int, exclude: frozenset[str], scope: Scope | None) -> bytes:
    granted = None if scope is None else [sorted(scope.task_ids), sorted(scope.tags), sorted(scope.task_names)]
    return dumps([cursor, more, limit, sorted(exclude), granted])


def etag(body: bytes) -> str:
    """A strong ETag: the quoted hash of ``body``, the same in every process for the same bytes."""
    digest = hashlib.sha256(body).digest()[:18]
    return '"' + base64.urlsafe_b64encode(digest).decode("ascii") + '"'


def etag_matches(if_none_match: str | None, current: str) -> bool:
    """``If-None-Match`` uses the weak comparison (RFC 9110 13.1.2): a ``W/`` prefix is ignored."""
    if not if_none_match:
        return False
    for candidate in if_none_match.split(","):
        tag = candidate.strip()
        if tag == "*" or tag.removeprefix("W/") == current:
            return True
    return False


def _bearer(headers: Headers) -> str | None:
    scheme, _, credentials = (headers.get("Authorization") or "").strip().partition(" ")
    return credentials.strip() if scheme.lower() == "bearer" else None


def _error(status: int, detail: str, headers: dict[str, str] | None = None) -> Reply:
    # {"detail": ...} as FastAPI's own errors and the reference server's.
    return Reply(
        status,
        {"Content-Type": "application/json", "Cache-Control": "no-cache", **(headers or {})},
        dumps({"detail": detail}),
    )


def _unsupported_message(backend_names: list[str]) -> str:
    return (
        f"The result backend ({', '.join(backend_names)}) has no list_by_status(), so task runs "
        "cannot be listed. Flowrra's InMemoryBackend and RedisBackend have it; add it to a custom backend."
    )


def _checked_token(token: Token) -> Token:
    if token is None or callable(token):
        return token
    if not isinstance(token, str) or not token.strip():
        raise ValueError("token must be a non-empty string, a callable given the request, or None")
    if token != token.strip():
        # A token read from a file or an environment variable often ends in a newline; it would
        # never match what a client sends (headers lose surrounding whitespace), so say so now.
        raise ValueError("token has whitespace around it (a trailing newline?): strip it before mounting")
    return token


def _checked_limit(limit: int) -> int:
    if type(limit) is not int or not 1 <= limit <= MAX_LIMIT:
        raise ValueError(f"limit must be an integer from 1 to {MAX_LIMIT}, got {limit!r}")
    return limit
