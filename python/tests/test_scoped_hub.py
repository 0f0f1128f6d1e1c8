"""The scoped socket hub and session, without a framework: routing, frames, exclude, retag, bounded
queues (1013), token expiry (4401) and a session's life from handshake to close."""

from __future__ import annotations

import asyncio
import functools
import json
import math
import time

import pytest

from flowrra_live.read_tokens import ReadTokenVerifier, Scope, read_token
from flowrra_live.scoped_hub import CLOSE_BEHIND, CLOSE_UNAUTHORIZED, ScopedHub, SocketClosed, SocketSession

SECRET = "hub-secret"


def on_loop(test):
    """Runs an async test on a fresh event loop (the hub's timers and events need a running one)."""

    @functools.wraps(test)
    def run(*args, **kwargs):
        return asyncio.run(test(*args, **kwargs))

    return run


def task(task_id: str, status: str = "running", name: str = "report", **extra) -> dict:
    return {
        "task_id": task_id,
        "status": status,
        "task_name": name,
        "result": None,
        "error": None,
        "submitted_at": None,
        "started_at": "2026-12-05T10:00:00",
        "finished_at": None,
        "retries": 0,
        "args": ["secret-arg"],
        "kwargs": {"k": 1},
        **extra,
    }


def scope(**lists) -> Scope:
    return Scope(**{key: frozenset(value) for key, value in lists.items()})


def queued(subscriber) -> list[dict]:
    """The frames waiting in a subscriber's queue, decoded, without waiting for more."""
    frames = []
    while subscriber._frames:
        frames.append(json.loads(subscriber._frames.popleft()))
    subscriber._bytes = 0
    return frames


@on_loop
async def test_routes_by_id_tag_and_name_and_nothing_else():
    hub = ScopedHub()
    by_id = hub.register(scope(task_ids={"a"}))
    by_tag = hub.register(scope(tags={"user:1"}))
    by_name = hub.register(scope(task_names={"export"}))
    other = hub.register(scope(task_ids={"z"}, tags={"user:2"}))

    hub.publish(task("a"), tags=(), cursor=1)
    hub.publish(task("b"), tags=["user:1"], cursor=2)
    hub.publish(task("c", name="export"), tags=["user:3"], cursor=3)

    assert [f["task"]["task_id"] for f in queued(by_id)] == ["a"]
    assert [f["task"]["task_id"] for f in queued(by_tag)] == ["b"]
    assert [f["task"]["task_id"] for f in queued(by_name)] == ["c"]
    assert queued(other) == []


@on_loop
async def test_a_socket_matched_twice_gets_one_frame():
    hub = ScopedHub()
    subscriber = hub.register(scope(task_ids={"a"}, tags={"user:1", "team:1"}, task_names={"report"}))
    hub.publish(task("a"), tags=["user:1", "team:1"], cursor=7)
    assert len(queued(subscriber)) == 1


@on_loop
async def test_frame_is_flowrras_format_plus_the_cursor():
    hub = ScopedHub()
    subscriber = hub.register(scope(task_ids={"a"}))
    sent = task("a", status="success", result={"rows": 3})
    hub.publish(sent, cursor="c-42")
    hub.publish(sent)
    with_cursor, without = queued(subscriber)
    assert with_cursor == {"type": "task.update", "task": sent, "cursor": "c-42"}
    assert without == {"type": "task.update", "task": sent}


@on_loop
async def test_values_json_cannot_encode_are_served_as_text():
    import datetime

    hub = ScopedHub()
    subscriber = hub.register(scope(task_ids={"a"}))
    hub.publish(task("a", result=datetime.datetime(2026, 12, 5, 10, 0)), cursor=1)
    assert queued(subscriber)[0]["task"]["result"] == "2026-12-05T10:00:00"


@on_loop
async def test_exclude_of_the_mount_and_of_the_token_both_apply():
    hub = ScopedHub(exclude=["kwargs"])
    plain = hub.register(scope(task_ids={"a"}))
    strict = hub.register(Scope(task_ids=frozenset({"a"}), exclude=frozenset({"args", "result"})))
    hub.publish(task("a"), cursor=1)
    assert set(queued(plain)[0]["task"]) == set(task("a")) - {"kwargs"}
    assert set(queued(strict)[0]["task"]) == set(task("a")) - {"kwargs", "args", "result"}


def test_hub_refuses_bad_options():
    with pytest.raises(ValueError):
        ScopedHub(exclude=["arg"])
    with pytest.raises(ValueError):
        ScopedHub(max_frames=0)
    with pytest.raises(ValueError):
        ScopedHub(max_bytes=1.5)


@on_loop
async def test_malformed_tasks_do_not_raise_in_the_emitter():
    hub = ScopedHub()
    subscriber = hub.register(scope(task_ids={"a"}, tags={"t"}))
    hub.publish({"task_id": ["a"], "task_name": {"x": 1}}, tags=[["t"]])
    hub.retag({"task_id": None}, tags=["t"])
    hub.retag({"task_id": "b"}, tags=[["t"], "u"], previous_tags=[{"x": 1}])
    assert queued(subscriber) == []


@on_loop
async def test_retag_sends_the_current_state_to_sockets_the_run_now_matches():
    hub = ScopedHub()
    owner = hub.register(scope(tags={"user:1"}))
    by_id = hub.register(scope(task_ids={"a"}))
    by_old_tag = hub.register(scope(tags={"batch:9"}))
    stranger = hub.register(scope(tags={"user:2"}))
    pending = task("a", status="pending")

    hub.publish(pending, tags=["batch:9"], cursor=1)  # submit emits before the app can tag
    queued(by_id), queued(by_old_tag)
    hub.retag(pending, tags=["batch:9", "user:1"], cursor=1, previous_tags=["batch:9"])

    assert [f["task"]["status"] for f in queued(owner)] == ["pending"]
    assert queued(by_id) == [] and queued(by_old_tag) == [] and queued(stranger) == []

    hub.publish(task("a", status="success"), tags=["batch:9", "user:1"], cursor=2)
    assert [f["task"]["status"] for f in queued(owner)] == ["success"]


@on_loop
async def test_a_slow_socket_is_closed_1013_and_others_keep_their_frames():
    hub = ScopedHub(max_frames=3)
    slow = hub.register(scope(tags={"t"}))
    fast = hub.register(scope(tags={"t"}))
    for cursor in range(3):
        hub.publish(task(f"r{cursor}"), tags=["t"], cursor=cursor)
        queued(fast)
    assert slow.open
    hub.publish(task("r3"), tags=["t"], cursor=3)
    assert not slow.open and slow.code == CLOSE_BEHIND
    assert len(hub) == 1
    assert [f["cursor"] for f in queued(fast)] == [3]
    with pytest.raises(SocketClosed) as closed:
        await slow.next()
    assert closed.value.code == CLOSE_BEHIND


@on_loop
async def test_the_byte_bound_closes_before_the_frame_bound():
    hub = ScopedHub(max_frames=1000, max_bytes=2600)  # frames of about 1.1 KB each
    subscriber = hub.register(scope(tags={"t"}))
    big = "x" * 900
    hub.publish(task("a", result=big), tags=["t"])
    hub.publish(task("b", result=big), tags=["t"])
    assert subscriber.open
    hub.publish(task("c", result=big), tags=["t"])
    assert subscriber.code == CLOSE_BEHIND


@on_loop
async def test_one_frame_over_the_byte_bound_still_passes_an_empty_queue():
    hub = ScopedHub(max_bytes=100)
    subscriber = hub.register(scope(task_ids={"a"}))
    hub.publish(task("a", result="x" * 500))
    assert subscriber.open and len(queued(subscriber)) == 1


@on_loop
async def test_closed_sockets_leave_every_index():
    hub = ScopedHub()
    subscriber = hub.register(scope(task_ids={"a"}, tags={"t"}, task_names={"n"}))
    subscriber.close(None)
    subscriber.close(CLOSE_BEHIND)  # the first code stays
    assert subscriber.code is None
    assert len(hub) == 0 and all(index == {} for index in hub._indexes)


@on_loop
async def test_next_waits_for_a_frame_then_returns_them_in_order():
    hub = ScopedHub()
    subscriber = hub.register(scope(task_ids={"a"}))
    waiting = asyncio.create_task(subscriber.next())
    await asyncio.sleep(0)  # let it block on the empty queue
    assert not waiting.done()
    hub.publish(task("a", status="running"), cursor=1)
    hub.publish(task("a", status="success"), cursor=2)
    assert json.loads(await waiting)["cursor"] == 1
    assert json.loads(await subscriber.next())["cursor"] == 2


@on_loop
async def test_expiry_closes_4401_at_expiry():
    hub = ScopedHub()
    subscriber = hub.register(Scope(task_ids=frozenset({"a"}), expires_at=time.time() + 0.05))
    assert subscriber.open
    assert await asyncio.wait_for(subscriber.wait_closed(), 5) == CLOSE_UNAUTHORIZED
    assert len(hub) == 0


@on_loop
async def test_no_frame_is_queued_past_expiry_even_before_the_timer_runs():
    hub = ScopedHub()
    subscriber = hub.register(Scope(task_ids=frozenset({"a"}), expires_at=time.time() + 3600))
    object.__setattr__(subscriber.scope, "expires_at", time.time() - 1)  # as if the timer were late
    hub.publish(task("a"))
    assert subscriber.code == CLOSE_UNAUTHORIZED and queued(subscriber) == []


class FakeSocket:
    """What a framework module hands the session: accept, send and close, each recorded."""

    def __init__(self, *, block_sends: bool = False) -> None:
        self.log: list[tuple] = []
        self.frames: list[dict] = []
        self.accepted = asyncio.Event()
        self.got_frame = asyncio.Event()
        self.block_sends = block_sends
        self.gone = asyncio.Event()

    async def accept(self) -> None:
        self.log.append(("accept",))
        self.accepted.set()

    async def send(self, text: str) -> None:
        if self.block_sends:
            await asyncio.Event().wait()  # a client that stopped reading: the send never completes
        self.log.append(("frame",))
        self.frames.append(json.loads(text))
        self.got_frame.set()

    async def close(self, code: int, reason: str) -> None:
        self.log.append(("close", code))

    def session(self, hub: ScopedHub, secret=SECRET) -> SocketSession:
        return SocketSession(hub, ReadTokenVerifier(secret), accept=self.accept, send=self.send, close=self.close, close_timeout=1)


def tampered(token: str) -> str:
    # The signature's last character changed. Never to itself: a signature ending in "A" (1 in 16)
    # would stay valid, and its session would wait for ever for a client that never leaves.
    return token[:-1] + ("B" if token.endswith("A") else "A")


@pytest.mark.parametrize(
    "token",
    [None, "", "garbage", read_token("other-secret", tags=["t"]), tampered(read_token(SECRET, tags=["t"]))],
)
@on_loop
async def test_bad_tokens_are_accepted_then_closed_4401_before_any_frame(token):
    hub = ScopedHub()
    socket = FakeSocket()
    assert await socket.session(hub).run(token) == CLOSE_UNAUTHORIZED
    assert socket.log == [("accept",), ("close", CLOSE_UNAUTHORIZED)]
    assert len(hub) == 0


@on_loop
async def test_an_expired_token_is_closed_4401_before_any_frame():
    hub = ScopedHub()
    socket = FakeSocket()
    token = read_token(SECRET, tags=["t"], expires_in=1)
    verifier = ReadTokenVerifier(SECRET)
    late = verifier.verify(token).expires_at + 1
    session = SocketSession(hub, verifier, accept=socket.accept, send=socket.send, close=socket.close)
    verifier.verify = lambda token, now=None: ReadTokenVerifier.verify(verifier, token, now=late)
    assert await session.run(token) == CLOSE_UNAUTHORIZED
    assert socket.log == [("accept",), ("close", CLOSE_UNAUTHORIZED)]


@on_loop
async def test_session_registers_before_the_handshake_so_nothing_is_lost():
    hub = ScopedHub()
    socket = FakeSocket()
    session = socket.session(hub)

    async def accept_while_emitting() -> None:
        hub.publish(task("a"), tags=["t"], cursor=1)  # emitted while the handshake completes
        await socket.accept()

    session._accept = accept_while_emitting
    running = asyncio.create_task(session.run(read_token(SECRET, tags=["t"])))
    await asyncio.wait_for(socket.got_frame.wait(), 5)
    assert socket.frames[0]["cursor"] == 1
    session.stop()
    assert await asyncio.wait_for(running, 5) is None
    assert len(hub) == 0


@on_loop
async def test_session_pumps_only_its_scope_and_ends_when_the_client_leaves():
    hub = ScopedHub(exclude=["args"])
    socket = FakeSocket()
    running = asyncio.create_task(socket.session(hub).run(read_token(SECRET, task_ids=["mine"]), until_gone=socket.gone.wait))
    await asyncio.wait_for(socket.accepted.wait(), 5)
    hub.publish(task("theirs"), tags=["user:2"], cursor=1)
    hub.publish(task("mine", status="success"), cursor=2)
    await asyncio.wait_for(socket.got_frame.wait(), 5)
    socket.gone.set()
    assert await asyncio.wait_for(running, 5) is None
    assert [f["task"]["task_id"] for f in socket.frames] == ["mine"]
    assert "args" not in socket.frames[0]["task"]
    assert ("close", CLOSE_BEHIND) not in socket.log and len(hub) == 0


@on_loop
async def test_a_client_that_stops_reading_is_closed_1013_without_blocking_publish():
    hub = ScopedHub(max_frames=5)
    socket = FakeSocket(block_sends=True)
    running = asyncio.create_task(socket.session(hub).run(read_token(SECRET, tags=["t"])))
    await asyncio.wait_for(socket.accepted.wait(), 5)
    # publish is synchronous: the loop below never yields, so nothing here can wait on the client.
    for cursor in range(50):
        hub.publish(task(f"r{cursor}"), tags=["t"], cursor=cursor)
    assert await asyncio.wait_for(running, 5) == CLOSE_BEHIND
    assert socket.log[-1] == ("close", CLOSE_BEHIND)


@on_loop
async def test_a_token_expiring_mid_connection_closes_4401():
    hub = ScopedHub()
    socket = FakeSocket()
    verifier = ReadTokenVerifier(SECRET)
    # Whole-second expiry in real tokens: a scope expiring in 50 ms stands for one at its last moment.
    verifier.verify = lambda token, now=None: Scope(tags=frozenset({"t"}), expires_at=time.time() + 0.05)
    session = SocketSession(hub, verifier, accept=socket.accept, send=socket.send, close=socket.close)
    assert await asyncio.wait_for(session.run("any"), 5) == CLOSE_UNAUTHORIZED
    assert socket.log == [("accept",), ("close", CLOSE_UNAUTHORIZED)]


@on_loop
async def test_a_failing_send_ends_the_session_quietly():
    hub = ScopedHub()
    socket = FakeSocket()

    async def broken_send(text: str) -> None:
        raise ConnectionResetError("client gone")

    session = SocketSession(hub, ReadTokenVerifier(SECRET), accept=socket.accept, send=broken_send, close=socket.close)
    running = asyncio.create_task(session.run(read_token(SECRET, tags=["t"])))
    await asyncio.wait_for(socket.accepted.wait(), 5)
    hub.publish(task("a"), tags=["t"])
    assert await asyncio.wait_for(running, 5) is None
    assert len(hub) == 0 and not any(entry[0] == "close" for entry in socket.log)


@on_loop
async def test_a_close_the_client_never_takes_is_bounded():
    hub = ScopedHub()
    socket = FakeSocket()

    async def stuck_close(code: int, reason: str) -> None:
        await asyncio.Event().wait()

    session = SocketSession(hub, ReadTokenVerifier(SECRET), accept=socket.accept, send=socket.send, close=stuck_close, close_timeout=0.01)
    assert await asyncio.wait_for(session.run(None), 5) == CLOSE_UNAUTHORIZED


def test_scope_without_expiry_needs_no_loop():
    # The benchmark and a sync caller may register a never-expiring scope outside a running loop.
    subscriber = ScopedHub().register(Scope(task_ids=frozenset({"a"}), expires_at=math.inf))
    assert subscriber.open
