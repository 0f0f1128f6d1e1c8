"""A Flowrra app for end-user pages, shared by the scoped_* test apps: each framework mounts
flowrra_live at /live with a secret (beside the operator mount at /flowrra) and routes to these.

Test-only routes: ``POST /test/submit`` ``{"user", "task", "args"}`` submits and tags the run
``user:<user>`` (after submit returned, so its pending event went out untagged, as in real apps);
``GET /test/token?...`` signs a read token (``user=``, ``task_id=``, ``expires_in=``,
``other_secret=1``, ``exclude=``).
"""

import asyncio
import os

import flowrra_live
from flowrra import Flowrra

SECRET = "scoped-test-secret"
OPERATOR_TOKEN = "operator-test-token"
#: Keys the /live mount never serves; tokens add ``args`` in the tests.
MOUNT_EXCLUDE = {"kwargs"}

flowrra = Flowrra.from_urls(*([os.environ["REDIS_URL"], os.environ["REDIS_URL"].rsplit("/", 1)[0] + "/1"] if os.environ.get("REDIS_URL") else []))


@flowrra.task()
async def quick(n: int = 1):
    return {"double": n * 2}


@flowrra.task()
async def slow(seconds: float = 0.3):
    await asyncio.sleep(seconds)
    return f"slept {seconds}s"


@flowrra.task()
async def big(kib: int = 64):
    return "x" * (kib * 1024)


TASKS = {"quick": quick, "slow": slow, "big": big}


async def submit(body: dict) -> dict:
    task_id = await flowrra.submit(TASKS[body["task"]], *body.get("args", []))
    if body.get("user"):
        flowrra_live.tag(task_id, f"user:{body['user']}")
    return {"task_id": task_id, "pid": os.getpid()}


def token(query) -> str:
    """``query.get(name)`` gives one query parameter."""
    secret = "another-secret" if query.get("other_secret") else SECRET
    return flowrra_live.read_token(
        secret,
        task_ids=[query.get("task_id")] if query.get("task_id") else (),
        tags=[f"user:{query.get('user')}"] if query.get("user") else (),
        expires_in=float(query.get("expires_in") or 900),
        exclude=[key for key in (query.get("exclude") or "").split(",") if key],
    )


async def start_fanout() -> list:
    """With REDIS_URL (several workers): the fan-out and the tag link, and the started handles."""
    if not os.environ.get("REDIS_URL"):
        return []
    from flowrra_live.fanout import start_fanout
    from flowrra_live.tag_link import start_tag_link

    return [await start_fanout(os.environ["REDIS_URL"]), await start_tag_link(os.environ["REDIS_URL"])]
