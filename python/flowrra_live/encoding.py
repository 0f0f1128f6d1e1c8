"""Task data to JSON bytes, for any value a result backend may hold.

Two promises: encoding never fails (Flowrra's in-memory backend keeps whatever a task returned,
such as a ``datetime``, which ``json.dumps`` refuses), and the same data gives the same bytes in
every process, because the ETag is a hash of them and a client that moves between workers must
get a 304 when nothing changed. Hence sorted keys, sets sorted, and no ``repr`` with addresses
for the types listed here.
"""

from __future__ import annotations

import datetime
import enum
import json
import math
from collections.abc import Mapping
from typing import Any


def dumps(value: Any) -> bytes:
    """Compact JSON with sorted keys; ``value`` must already be :func:`json_safe`."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), allow_nan=False).encode("ascii")


def json_safe(value: Any) -> Any:
    """``value`` as plain JSON types; what JSON has no type for becomes a string.

    Datetimes, dates and times become ISO 8601 (``T`` between date and time, as Flowrra's own
    timestamps), enums their value, sets a sorted list, NaN and infinities ``"nan"`` / ``"inf"``,
    anything else ``str(value)``. A value that cannot be walked (a cycle) is served whole as text.
    """
    try:
        return _convert(value)
    except Exception:  # RecursionError on a cycle, or a __str__ that raises deep inside
        return _text(value)


def _convert(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, enum.Enum):
        return _convert(value.value)
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {_key(key): _convert(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_convert(item) for item in value]
    if isinstance(value, (set, frozenset)):
        # Set iteration order follows string hashes, which differ per process.
        return sorted((_convert(item) for item in value), key=lambda item: json.dumps(item, sort_keys=True))
    return _text(value)


def _key(key: Any) -> str:
    if isinstance(key, str):
        return key
    if key is None or isinstance(key, (bool, int, float)):
        return json.dumps(key)  # the same text json.dumps would give the key itself
    converted = _convert(key)
    return converted if isinstance(converted, str) else _text(key)


def _text(value: Any) -> str:
    try:
        return str(value)
    except Exception:
        return f"<unprintable {type(value).__name__}>"
