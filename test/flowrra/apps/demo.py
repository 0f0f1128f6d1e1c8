"""The Flowrra app, demo tasks and test-only logic shared by the three framework test apps.

FLOWRRA_LIVE=0 leaves flowrra_live out, so a test can face plain Flowrra. With it, each app also
mounts flowrra_live for end users at /live (``secret=SECRET``, ``exclude=MOUNT_EXCLUDE``) and serves
``GET /test/token`` (:func:`token`). REDIS_URL (``redis://host:port/0``): a Redis broker and backend
(db 0 and 1), and :func:`start_links` starts the fan-out, which carries tags too (several workers).
"""

import asyncio
import os

from flowrra import Flowrra

LIVE = os.environ.get("FLOWRRA_LIVE", "1") != "0"
REDIS_URL = os.environ.get("REDIS_URL")
SECRET = "scoped-test-secret"
#: Keys the /live mount never serves; tokens add more in the tests.
MOUNT_EXCLUDE = {"kwargs"}

flowrra = Flowrra.from_urls(REDIS_URL, REDIS_URL.rsplit("/", 1)[0] + "/1") if REDIS_URL else Flowrra.from_urls()


@flowrra.task()
async def quick(n: int = 1):
    return {"double": n * 2}


@flowrra.task()
async def slow(seconds: float = 0.3):
    await asyncio.sleep(seconds)
    return f"slept {seconds}s"


# One retry, then failed: pending, running, retrying, running, failed.
@flowrra.task(max_retries=1, retry_delay=0.1)
async def fail(message: str = "boom"):
    raise RuntimeError(message)


@flowrra.task()
async def big(kib: int = 64):
    return "x" * (kib * 1024)


TASKS = {"quick": quick, "slow": slow, "fail": fail, "big": big}


async def submit(body: dict) -> dict:
    """`{"task": "slow", "args": [0.5], "user": "ann"}` -> `{"task_id": "...", "pid": ...}`.

    With ``user``, the run is tagged ``user:<user>`` after submit returned, so its pending event
    went out untagged, as in real apps.
    """
    task_id = await flowrra.submit(TASKS[body["task"]], *body.get("args", []))
    if body.get("user"):
        import flowrra_live

        flowrra_live.tag(task_id, f"user:{body['user']}")
    return {"task_id": task_id, "pid": os.getpid()}


async def submit_many(body: dict) -> dict:
    """`{"task": "quick", "count": 1000}` -> `{"task_ids": [...]}`, task i given the argument i:
    one request for a burst, so the burst is not paced by the test's round trips."""
    task = TASKS[body["task"]]
    return {"task_ids": [await flowrra.submit(task, index) for index in range(body["count"])]}


def token(query) -> str:
    """A read token from query parameters (``query.get(name)``): ``user``, ``task_id``,
    ``expires_in``, ``exclude`` (comma-separated), ``other_secret`` (signed with another secret)."""
    import flowrra_live

    return flowrra_live.read_token(
        "another-secret" if query.get("other_secret") else SECRET,
        task_ids=[query.get("task_id")] if query.get("task_id") else (),
        tags=[f"user:{query.get('user')}"] if query.get("user") else (),
        expires_in=float(query.get("expires_in") or 900),
        exclude=[key for key in (query.get("exclude") or "").split(",") if key],
    )


async def start_links() -> list:
    """With REDIS_URL: the fan-out (events and tags) started (stop each at shutdown)."""
    if not (LIVE and REDIS_URL):
        return []
    from flowrra_live.fanout import start_fanout

    return [await start_fanout(REDIS_URL)]
