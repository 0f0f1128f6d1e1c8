"""Puts Flowrra and this repository's flowrra_live on sys.path, and the shared fixtures.

Flowrra is looked up as an installed package first, then at $FLOWRRA_SRC, then at
../shared/flowrra-0.1.8/src beside the repository. Without it the run stops with one line
saying what to install; under CI (CI=true) that is a failure.
"""

from __future__ import annotations

import asyncio
import importlib
import importlib.util
import os
import sys
from pathlib import Path

import pytest

PYTHON_DIR = Path(__file__).resolve().parents[1]
REPO_ROOT = PYTHON_DIR.parent
IN_CI = os.environ.get("CI") == "true"


def _flowrra_source() -> Path | None:
    if importlib.util.find_spec("flowrra") is not None:
        return None
    candidates = [os.environ.get("FLOWRRA_SRC"), REPO_ROOT.parent / "shared" / "flowrra-0.1.8" / "src"]
    for candidate in candidates:
        if candidate and (Path(candidate) / "flowrra" / "__init__.py").is_file():
            return Path(candidate)
    raise LookupError(
        "flowrra-live tests need Flowrra: pip install flowrra, or set FLOWRRA_SRC to the src/ "
        "directory of its source, or put it at ../shared/flowrra-0.1.8/ beside the repository"
    )


try:
    _source = _flowrra_source()
    _missing = None
except LookupError as error:
    _source, _missing = None, str(error)
if _source is not None:
    sys.path.insert(0, str(_source))
sys.path.insert(0, str(PYTHON_DIR))


def pytest_sessionstart(session):
    # Here rather than at import, where pytest would print a traceback instead of the one line.
    if _missing is not None:
        pytest.exit(_missing, returncode=1 if IN_CI else 0)


def require(module: str, debian_package: str):
    """Import a framework for the tests that need it; skip them without it, fail under CI."""
    try:
        return importlib.import_module(module)
    except ImportError:
        message = f"{module} is not installed: apt-get install {debian_package}"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)


def run(coroutine):
    """Run a coroutine on a fresh loop, as each framework's test client does per request."""
    return asyncio.run(coroutine)


@pytest.fixture(params=["fastapi", "quart", "django", "flask"])
def serve(request):
    """`serve(flowrra, **options)` mounts the endpoint in one framework and returns its `get`."""
    from servers import FRAMEWORKS

    return FRAMEWORKS[request.param]
