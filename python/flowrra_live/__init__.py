"""flowrra_live: the polling endpoint the flowrra-client SDK reads, for a Flowrra app.

Importing this package imports no web framework. ``flowrra_live.fastapi``, ``flowrra_live.quart``
and ``flowrra_live.django`` each import only their own, on first use::

    import flowrra_live
    app.include_router(flowrra_live.fastapi.create_router(flowrra), prefix="/flowrra")
"""

from __future__ import annotations

import importlib
from types import ModuleType

from .endpoint import DEFAULT_LIMIT, MAX_LIMIT, REQUIRED_KEYS, Reply, ResultsEndpoint
from .read_tokens import read_token
from .tags import tag

__all__ = ["DEFAULT_LIMIT", "MAX_LIMIT", "REQUIRED_KEYS", "Reply", "ResultsEndpoint", "read_token", "tag"]
__version__ = "0.1.0"


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
