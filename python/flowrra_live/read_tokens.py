"""Signed read tokens: which task runs a page may read, until when, and which keys it never gets.

    token = flowrra_live.read_token(SECRET, task_ids=[task_id])                      # one run
    token = flowrra_live.read_token(SECRET, tags=[f"user:{user.id}"], expires_in=600)  # a user's runs

A token is ``<payload>.<signature>``, both unpadded URL-safe base64 (as itsdangerous and Django's
``signing`` write them): the payload is compact JSON, the signature HMAC-SHA256 over the payload's
text, keyed with a key derived from the secret and a salt that names this purpose, so a signature
made with the same secret for anything else (a session cookie...) is never a read token. The
payload is signed but not encrypted: whoever holds a token can read its scope.

The mount verifies with :class:`ReadTokenVerifier`, given one secret or a list (the first signs,
all verify: add the new secret first, drop the old one once its tokens have expired).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import math
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .tasks import checked_exclude

__all__ = ["MAX_TOKEN_LENGTH", "InvalidReadToken", "ReadTokenVerifier", "Scope", "read_token"]

#: The longest token accepted, in characters. A one-run token (uuid4 id) is 126; this leaves room for
#: scopes of a few dozen entries while staying far under the 8 KiB request line of common proxies.
MAX_TOKEN_LENGTH = 2048
DEFAULT_EXPIRES_IN = 900

# Names this use of the secret (the "salt" of itsdangerous and Django signing). Changing it voids
# every token issued; the version suffix is there for a future payload format.
_SALT = b"flowrra_live.read_token.v1"
# base64 of 32 bytes without padding.
_SIGNATURE_LENGTH = 43
_ALPHABET = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
_SCOPE_KEYS = {"i": "task_ids", "t": "tags", "n": "task_names"}

Secrets = str | bytes | Sequence[str | bytes]


class InvalidReadToken(Exception):
    """A token that grants nothing. ``reason`` is ``missing``, ``malformed``, ``signature`` or
    ``expired``; neither it nor the message ever contains the token."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(f"read token rejected: {reason}")


@dataclass(frozen=True)
class Scope:
    """What one verified token grants: runs whose id, tag or task name is listed (the union),
    until ``expires_at`` (Unix time), without the ``exclude`` keys."""

    task_ids: frozenset[str] = frozenset()
    tags: frozenset[str] = frozenset()
    task_names: frozenset[str] = frozenset()
    expires_at: float = math.inf
    exclude: frozenset[str] = frozenset()

    def matches(self, task_id: str, task_name: str | None, tags: Iterable[str] = ()) -> bool:
        if task_id in self.task_ids or task_name in self.task_names:
            return True
        return any(tag in self.tags for tag in tags)

    def expired(self, now: float | None = None) -> bool:
        return (time.time() if now is None else now) >= self.expires_at


def read_token(
    secret: Secrets,
    *,
    task_ids: Iterable[str] = (),
    tags: Iterable[str] = (),
    task_names: Iterable[str] = (),
    expires_in: float = DEFAULT_EXPIRES_IN,
    exclude: Iterable[str] = (),
) -> str:
    """A token granting the runs listed by id, by tag or by task name, for ``expires_in`` seconds.

    ``task_names`` is not an ownership boundary: every user's run of that task matches. With a list
    of secrets, the first signs. Raises ``ValueError``/``TypeError`` for an empty scope, an
    ``expires_in`` that is not a positive finite number, an unknown or required ``exclude`` key,
    or a scope too large for :data:`MAX_TOKEN_LENGTH`.
    """
    payload: dict[str, object] = {}
    for short, (name, values) in zip(_SCOPE_KEYS, (("task_ids", task_ids), ("tags", tags), ("task_names", task_names))):
        listed = _strings(name, values)
        if listed:
            payload[short] = listed
    if not payload:
        raise ValueError("read_token needs a scope: at least one of task_ids, tags or task_names")
    if isinstance(expires_in, bool) or not isinstance(expires_in, (int, float)) or not 0 < expires_in < math.inf:
        raise ValueError(f"expires_in must be a positive number of seconds, got {expires_in!r}")
    # Whole seconds, rounded up, so that a short lifetime never yields a token already expired.
    payload["e"] = math.ceil(time.time() + expires_in)
    excluded = sorted(checked_exclude(exclude))
    if excluded:
        payload["x"] = excluded
    body = _b64(json.dumps(payload, separators=(",", ":")).encode())
    token = f"{body}.{_signature(_keys(secret)[0], body)}"
    if len(token) > MAX_TOKEN_LENGTH:
        raise ValueError(f"the scope makes a token of {len(token)} characters, over {MAX_TOKEN_LENGTH}: use a tag instead of many ids")
    return token


class ReadTokenVerifier:
    """Checks tokens against one secret or a list of them (rotation: every one verifies)."""

    def __init__(self, secret: Secrets) -> None:
        self._keys = _keys(secret)

    def verify(self, token: object, now: float | None = None) -> Scope:
        """The scope ``token`` grants, or :class:`InvalidReadToken` (never another exception)."""
        if token is None or token == "":
            raise InvalidReadToken("missing")
        if not isinstance(token, str) or len(token) > MAX_TOKEN_LENGTH or not token.isascii():
            raise InvalidReadToken("malformed")
        body, dot, signature = token.partition(".")
        raw = body.encode()
        if not dot or len(signature) != _SIGNATURE_LENGTH or not raw or not _ALPHABET.issuperset(raw):
            raise InvalidReadToken("malformed")
        # Every key is tried, whichever matches, so the time taken does not tell which one did.
        valid = False
        for key in self._keys:
            valid |= hmac.compare_digest(_signature(key, body), signature)
        if not valid:
            raise InvalidReadToken("signature")
        scope = _scope(raw)
        if scope.expired(now):
            raise InvalidReadToken("expired")
        return scope


def _scope(raw: bytes) -> Scope:
    # Signed by us, so well-formed unless a secret leaked or the format changed: checked anyway, so
    # that a bad payload is an InvalidReadToken and not a TypeError in a socket handler.
    try:
        payload = json.loads(base64.urlsafe_b64decode(raw + b"=" * (-len(raw) % 4)))
        lists = {name: frozenset(_strings(name, payload.get(short, ()))) for short, name in _SCOPE_KEYS.items()}
        expires_at = payload["e"]
        exclude = frozenset(_strings("exclude", payload.get("x", ())))
    except (ValueError, TypeError, KeyError, AttributeError, binascii.Error):
        raise InvalidReadToken("malformed") from None
    if type(expires_at) is not int:
        raise InvalidReadToken("malformed")
    return Scope(expires_at=expires_at, exclude=exclude, **lists)


def _strings(name: str, values: Iterable[str]) -> list[str]:
    if isinstance(values, (str, bytes)):
        raise TypeError(f"{name} takes a collection of strings, e.g. [{values!r}], not a string")
    listed: list[str] = []
    for value in values:
        if not isinstance(value, str) or not value:
            raise TypeError(f"{name} holds non-empty strings, got {value!r}")
        if value not in listed:
            listed.append(value)
    return listed


def _keys(secret: Secrets) -> list[bytes]:
    secrets = [secret] if isinstance(secret, (str, bytes)) else list(secret) if isinstance(secret, Sequence) else []
    if not secrets or not all(isinstance(one, (str, bytes)) and one for one in secrets):
        raise ValueError("secret must be a non-empty string (or bytes), or a non-empty list of them")
    # Derived once per secret (itsdangerous's "hmac" derivation): the salt makes these keys sign
    # read tokens only.
    return [hmac.new(one.encode() if isinstance(one, str) else one, _SALT, hashlib.sha256).digest() for one in secrets]


def _signature(key: bytes, body: str) -> str:
    # Compared as text, not decoded bytes: base64 decoding ignores the unused low bits of the last
    # character, so two different strings could otherwise carry one signature.
    return _b64(hmac.new(key, body.encode(), hashlib.sha256).digest())


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")
