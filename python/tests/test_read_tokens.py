"""Read tokens: round trip, expiry, rotation, tampering, size limits, refusals at call time."""

from __future__ import annotations

import base64
import json
import time
import uuid

import pytest

import flowrra_live
from flowrra_live.read_tokens import MAX_TOKEN_LENGTH, InvalidReadToken, ReadTokenVerifier, Scope, read_token

SECRET = "s3cret-" + "x" * 32
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."


def reason(verifier: ReadTokenVerifier, token: object, now: float | None = None) -> str:
    with pytest.raises(InvalidReadToken) as caught:
        verifier.verify(token, now=now)
    return caught.value.reason


def test_exported_from_the_package():
    assert flowrra_live.read_token is read_token


def test_round_trip_carries_the_whole_scope():
    task_id = str(uuid.uuid4())
    token = read_token(SECRET, task_ids=[task_id], tags=["user:7", "user:7"], task_names=["report"], exclude=["args", "kwargs"])
    scope = ReadTokenVerifier(SECRET).verify(token)
    assert scope.task_ids == {task_id}
    assert scope.tags == {"user:7"}
    assert scope.task_names == {"report"}
    assert scope.exclude == {"args", "kwargs"}
    assert time.time() + 899 <= scope.expires_at <= time.time() + 901


def test_scope_matches_the_union_of_ids_tags_and_names():
    scope = Scope(task_ids=frozenset({"a"}), tags=frozenset({"user:1"}), task_names=frozenset({"report"}))
    assert scope.matches("a", "other", ())
    assert scope.matches("b", "report", ())
    assert scope.matches("b", "other", ["x", "user:1"])
    assert not scope.matches("b", "other", ["user:2"])
    assert not scope.matches("b", None, ())


def test_token_is_url_safe_and_compact():
    token = read_token(SECRET, task_ids=[str(uuid.uuid4())])
    assert set(token) <= set(ALPHABET)
    # Measured: 126 characters for one uuid4 id, 87 for the tag "user:42" (docs/end-user-pages.md).
    assert len(token) == 126
    assert len(read_token(SECRET, tags=["user:42"])) == 87


def test_expiry():
    verifier = ReadTokenVerifier(SECRET)
    token = read_token(SECRET, tags=["t"], expires_in=60)
    scope = verifier.verify(token, now=time.time() + 59)
    assert reason(verifier, token, now=scope.expires_at) == "expired"
    assert reason(verifier, token, now=time.time() + 3600) == "expired"


def test_a_fraction_of_a_second_is_not_expired_at_once():
    assert ReadTokenVerifier(SECRET).verify(read_token(SECRET, tags=["t"], expires_in=0.001)).tags == {"t"}


def test_rotation_first_signs_all_verify():
    old, new = "old-secret", "new-secret"
    by_old = read_token(old, tags=["t"])
    by_list = read_token([new, old], tags=["t"])
    rotating = ReadTokenVerifier([new, old])
    assert rotating.verify(by_old).tags == {"t"}
    assert rotating.verify(by_list).tags == {"t"}
    # The list signs with its first secret: the new one alone accepts it, the old one alone does not.
    assert ReadTokenVerifier(new).verify(by_list).tags == {"t"}
    assert reason(ReadTokenVerifier(old), by_list) == "signature"
    assert reason(ReadTokenVerifier(new), by_old) == "signature"


def test_every_single_character_change_is_rejected():
    verifier = ReadTokenVerifier(SECRET)
    token = read_token(SECRET, task_ids=["run-1"], exclude=["result"])
    for position, original in enumerate(token):
        for replacement in ALPHABET:
            if replacement == original:
                continue
            tampered = token[:position] + replacement + token[position + 1 :]
            with pytest.raises(InvalidReadToken):
                verifier.verify(tampered)


def test_a_resigned_payload_from_another_purpose_is_rejected():
    # The same secret used without this module's salt (a plain HMAC over the payload) signs nothing here.
    import hashlib
    import hmac

    body = read_token(SECRET, tags=["t"]).split(".")[0]
    forged = base64.urlsafe_b64encode(hmac.new(SECRET.encode(), body.encode(), hashlib.sha256).digest()).rstrip(b"=").decode()
    assert reason(ReadTokenVerifier(SECRET), f"{body}.{forged}") == "signature"


@pytest.mark.parametrize(
    "token, expected",
    [
        (None, "missing"),
        ("", "missing"),
        (42, "malformed"),
        (b"abc.def", "malformed"),
        ("no-dot-at-all", "malformed"),
        (".", "malformed"),
        ("abc." + "A" * 42, "malformed"),
        ("abc." + "A" * 44, "malformed"),
        ("ab c." + "A" * 43, "malformed"),
        ("abé." + "A" * 43, "malformed"),
        ("a" * (MAX_TOKEN_LENGTH + 1), "malformed"),
        ("abc." + "A" * 43, "signature"),
    ],
)
def test_malformed_tokens_raise_only_invalid_read_token(token, expected):
    assert reason(ReadTokenVerifier(SECRET), token) == expected


def test_signed_but_malformed_payloads_are_invalid_read_tokens():
    # As if a secret leaked or the format changed: a valid signature over a payload of the wrong shape.
    from flowrra_live.read_tokens import _keys, _signature

    key = _keys(SECRET)[0]
    for payload in (b"not json", b"[1,2]", b'{"i":["a"]}', b'{"i":"a","e":1}', b'{"i":[1],"e":9999999999}', b'{"e":"soon"}'):
        body = base64.urlsafe_b64encode(payload).rstrip(b"=").decode()
        assert reason(ReadTokenVerifier(SECRET), f"{body}.{_signature(key, body)}") == "malformed"


def test_the_message_never_contains_the_token():
    token = read_token(SECRET, tags=["t"])
    with pytest.raises(InvalidReadToken) as caught:
        ReadTokenVerifier("another").verify(token)
    assert token not in str(caught.value) and token.split(".")[1] not in repr(caught.value)


@pytest.mark.parametrize(
    "kwargs, error",
    [
        ({}, ValueError),
        ({"task_ids": []}, ValueError),
        ({"task_ids": "abc"}, TypeError),
        ({"tags": [""]}, TypeError),
        ({"tags": [7]}, TypeError),
        ({"tags": ["t"], "expires_in": 0}, ValueError),
        ({"tags": ["t"], "expires_in": -5}, ValueError),
        ({"tags": ["t"], "expires_in": float("nan")}, ValueError),
        ({"tags": ["t"], "expires_in": float("inf")}, ValueError),
        ({"tags": ["t"], "expires_in": True}, ValueError),
        ({"tags": ["t"], "expires_in": "900"}, ValueError),
        ({"tags": ["t"], "exclude": ["arg"]}, ValueError),
        ({"tags": ["t"], "exclude": ["task_id"]}, ValueError),
        ({"tags": ["t"], "exclude": "args"}, TypeError),
        ({"task_ids": [str(uuid.uuid4()) for _ in range(60)]}, ValueError),
    ],
)
def test_refused_at_call_time(kwargs, error):
    with pytest.raises(error):
        read_token(SECRET, **kwargs)


@pytest.mark.parametrize("secret", ["", b"", [], [""], [SECRET, ""], None, 5])
def test_bad_secrets_are_refused(secret):
    with pytest.raises(ValueError):
        read_token(secret, tags=["t"])
    with pytest.raises(ValueError):
        ReadTokenVerifier(secret)


def test_the_largest_accepted_scope_verifies():
    ids = [f"{n:08d}" for n in range(200)]
    fitting = next(count for count in range(len(ids), 0, -1) if _fits(ids[:count]))
    token = read_token(SECRET, task_ids=ids[:fitting])
    assert len(token) <= MAX_TOKEN_LENGTH
    assert len(ReadTokenVerifier(SECRET).verify(token).task_ids) == fitting


def _fits(ids: list[str]) -> bool:
    try:
        read_token(SECRET, task_ids=ids)
    except ValueError:
        return False
    return True


def test_payload_is_readable_json_not_encrypted():
    body = read_token(SECRET, tags=["user:1"]).split(".")[0]
    payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    assert payload["t"] == ["user:1"]
