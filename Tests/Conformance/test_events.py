"""The event log seen through the CLI: `postern events --type T` and `postern verify` (DESIGN.md).

Events carry metadata (request id, source IP, user agent, client id) and never a secret in plaintext.
"""
import json
import os
import re
import subprocess

import pytest

from support import POSTERN_BIN, REPO_ROOT, USER_AGENT_MARKER, expect_error, sign_in, sign_up, tokens

EVENT_KEYS = {"position", "streamId", "streamVersion", "type", "data", "metadata"}
META_KEYS = {"requestId", "sourceIp", "userAgent", "clientId"}
WRONG_PASSWORD = "Wr0ng-Password-zq!"


def _cli(*args):
    if not os.path.exists(POSTERN_BIN):
        pytest.skip(f"{POSTERN_BIN} not built")
    env = dict(os.environ)
    assert env.get("POSTERN_DATABASE_URL"), "POSTERN_DATABASE_URL must be set for the CLI"
    return subprocess.run([POSTERN_BIN, *args], cwd=REPO_ROOT, env=env, capture_output=True, text=True,
                          timeout=60, stdin=subprocess.DEVNULL)


def _events(event_type):
    proc = _cli("events", "--type", event_type)
    assert proc.returncode == 0, proc.stderr
    lines = [line for line in proc.stdout.splitlines() if line.strip()]
    return lines, [json.loads(line) for line in lines]


@pytest.fixture
def history(idp, anon_idp, pool, client, outbox):
    """Sign-up, confirmation with the emailed code, a successful and a failed sign-in."""
    user = sign_up(anon_idp, pool["Id"], client)
    code = outbox.code(pool["Id"], user.username, kind="SignUp")
    anon_idp.confirm_sign_up(ClientId=client["ClientId"], Username=user.username, ConfirmationCode=code)
    tokens(anon_idp, user)
    with expect_error("NotAuthorizedException"):
        sign_in(anon_idp, user, password=WRONG_PASSWORD)
    return user, code


def _mine(events, lines, user):
    """Events (and their raw lines) of this user: stream `user-<sub>`, or the sub/username in the line."""
    return [(e, line) for e, line in zip(events, lines)
            if e.get("streamId") == f"user-{user.sub}" or user.sub in line or f'"{user.username}"' in line]


@pytest.mark.parametrize("event_type", ["UserSignedUp", "UserConfirmed", "SignInSucceeded", "SignInFailed"])
def test_event_is_recorded_with_metadata(history, event_type):
    user, _ = history
    lines, events = _events(event_type)
    mine = _mine(events, lines, user)
    assert len(mine) >= 1, f"no {event_type} event for sub {user.sub}"
    for event, _ in mine:
        assert EVENT_KEYS <= set(event), sorted(event)
        assert event["type"] == event_type
        assert isinstance(event["position"], int)
        assert isinstance(event["streamVersion"], int)
        meta = event["metadata"]
        assert META_KEYS <= set(meta), sorted(meta)
        assert meta["clientId"] == user.client_id
        assert meta["sourceIp"] == "127.0.0.1"
        assert USER_AGENT_MARKER in meta["userAgent"]
        assert meta["requestId"]


def test_sign_up_event_carries_the_response_request_id(history):
    user, _ = history
    lines, events = _events("UserSignedUp")
    (event, _), = _mine(events, lines, user)
    assert event["metadata"]["requestId"] == user.sign_up_request_id
    assert event["streamId"] == f"user-{user.sub}"


def test_failed_sign_in_reason(history):
    user, _ = history
    lines, events = _events("SignInFailed")
    reasons = [e["data"].get("reason") for e, _ in _mine(events, lines, user)]
    assert "incorrect_password" in reasons


def test_positions_increase(history):
    user, _ = history
    positions = []
    for event_type in ("UserSignedUp", "UserConfirmed", "SignInSucceeded"):
        lines, events = _events(event_type)
        positions.append(_mine(events, lines, user)[0][0]["position"])
    assert positions == sorted(positions) and len(set(positions)) == 3


def test_no_secret_in_plaintext(history):
    user, code = history
    for event_type in ("UserSignedUp", "UserConfirmed", "SignInSucceeded", "SignInFailed"):
        lines, _ = _events(event_type)
        for line in lines:
            assert user.password not in line
            assert WRONG_PASSWORD not in line
            if user.sub in line or user.username in line:
                assert not re.search(rf"(?<!\d){code}(?!\d)", line), f"confirmation code in {event_type} event"


def test_verify(history):
    proc = _cli("verify")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert re.search(r"\bok\b", proc.stdout), proc.stdout
