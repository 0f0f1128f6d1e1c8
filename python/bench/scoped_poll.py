"""Cost of one scoped poll (a page's reconcile on open, or its polling fallback) against the run
index: it must follow the page's own runs, not every run the index holds.

The index holds N runs, 100 users' runs tagged ``user:<n>``; each round changes the index (so no
cached answer is reused) and answers one page: by tag (that user's runs) and by one run id, beside
the unscoped operator answer of the same size (200 runs).

    /usr/bin/python3 python/bench/scoped_poll.py [runs ...]   # default 1000 10000
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

PYTHON_DIR = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(PYTHON_DIR), os.environ.get("FLOWRRA_SRC") or str(PYTHON_DIR.parents[1] / "shared" / "flowrra-0.1.8" / "src")]

from flowrra_live.endpoint import _Answers  # noqa: E402
from flowrra_live.index import RunIndex  # noqa: E402
from flowrra_live.read_tokens import ReadTokenVerifier, read_token  # noqa: E402

ROUNDS = 500


def per_answer_ms(index: RunIndex, scope) -> float:
    answers = _Answers()
    best = float("inf")
    for _ in range(5):
        started = time.perf_counter()
        for round_ in range(ROUNDS):
            index.version += 1
            answers.get(index, 200, None, frozenset(), scope)
        best = min(best, (time.perf_counter() - started) / ROUNDS * 1000)
    return best


def main(sizes: list[int]) -> None:
    verifier = ReadTokenVerifier("bench")
    print(f"{'runs':>7} {'by tag ms':>10} {'one run ms':>11} {'operator ms':>12}")
    for size in sizes:
        index = RunIndex(size)
        for n in range(size):
            index.record({"task_id": f"t{n}", "status": "success", "task_name": "job", "retries": 0, "finished_at": f"2026-12-05T10:{n // 60 % 60:02d}:{n % 60:02d}"})
            index.tag(f"t{n}", f"user:{n % 100}")
        by_tag = verifier.verify(read_token("bench", tags=["user:7"]))
        one_run = verifier.verify(read_token("bench", task_ids=[f"t{size // 2}"]))
        print(f"{size:>7} {per_answer_ms(index, by_tag):>10.3f} {per_answer_ms(index, one_run):>11.3f} {per_answer_ms(index, None):>12.3f}")


if __name__ == "__main__":
    main([int(arg) for arg in sys.argv[1:]] or [1000, 10000])
