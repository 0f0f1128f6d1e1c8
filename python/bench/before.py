"""flowrra_live as it was before the run index (issue 18), importable beside today's as ``flowrra_live_before``.

The benchmarks compare both in one run. The old code is read from git (``BEFORE_REV``, the last
commit that read the whole store at every poll), not kept as a copy in the tree.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

PYTHON_DIR = Path(__file__).resolve().parents[1]
#: The last commit whose endpoint read the whole result store at every poll.
BEFORE_REV = "df69b33"


def install(rev: str = BEFORE_REV) -> Path:
    """Writes that revision's ``python/flowrra_live`` as package ``flowrra_live_before`` into a
    temporary directory, puts it on ``sys.path`` and returns the directory."""
    repo = PYTHON_DIR.parent
    names = subprocess.run(["git", "-C", str(repo), "ls-tree", "--name-only", f"{rev}:python/flowrra_live"], check=True, capture_output=True, text=True).stdout.split()
    root = Path(tempfile.mkdtemp(prefix="flowrra-live-before-"))
    package = root / "flowrra_live_before"
    package.mkdir()
    for name in names:
        if name.endswith(".py"):
            source = subprocess.run(["git", "-C", str(repo), "show", f"{rev}:python/flowrra_live/{name}"], check=True, capture_output=True).stdout
            (package / name).write_bytes(source)
    sys.path.insert(0, str(root))
    return root
