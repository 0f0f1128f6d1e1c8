"""flowrra_live: the results endpoint the flowrra-client SDK reads, for a Flowrra app.

A framework-free core (``index``: the run index; ``changelog``: cursors and the change log;
``seeding``: an app's index, fed and seeded; ``endpoint``: a request's answer; ``fanout``: the
shared Redis Stream) and one thin module per framework. Importing this package imports no web
framework (nor Redis). ``flowrra_live.fastapi``, ``flowrra_live.quart``
and ``flowrra_live.django`` each import only their own, on first use::

    import flowrra_live
    app.include_router(flowrra_live.fastapi.create_router(flowrra), prefix="/flowrra")
"""

from __future__ import annotations

import importlib
from types import ModuleType

from .endpoint import DEFAULT_LIMIT, MAX_LIMIT, REQUIRED_KEYS, Reply, ResultsEndpoint
from .index import DEFAULT_MAX_RUNS, CursorGone, RunIndex
from .read_tokens import read_token
from .seeding import index_of
from .tags import tag

__all__ = ["DEFAULT_LIMIT", "DEFAULT_MAX_RUNS", "MAX_LIMIT", "REQUIRED_KEYS", "CursorGone", "Reply", "ResultsEndpoint", "RunIndex", "index_of", "read_token", "stats", "tag"]
__version__ = "0.1.0"


def stats() -> dict:
    """This app's monitoring figures as a plain dict (``docs/monitoring.md``): open sockets, task
    events, subscriber errors, polls, fan-out, runs; summed over workers in multiprocess mode."""
    from .metrics import current

    return current().stats()


def __getattr__(name: str) -> ModuleType:
    # Framework modules load on first attribute access (PEP 562), so `import flowrra_live` alone
    # is enough for the one-liners and still imports no framework the app does not use.
    if name.startswith("_"):
        raise AttributeError(name)
    try:
        return importlib.import_module(f"{__name__}.{name}")
    except ModuleNotFoundError as error:
        if error.name == f"{__name__}.{name}":
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
        raise
