"""`postern projections rebuild` on the live database reproduces the directory exactly.

A rebuild once recreated the tables under other constraint names, so a duplicate SignUp answered
InternalErrorException instead of UsernameExistsException (Cognito's SignUp error for a taken
username). The server stays up during and after the rebuild; the rest of the suite runs on the result.
"""
import os
import re
import subprocess

import pytest

from support import POSTERN_BIN, REPO_ROOT, expect_error, sign_up, unique


def _cli(*args):
    if not os.path.exists(POSTERN_BIN):
        pytest.skip(f"{POSTERN_BIN} not built")
    env = dict(os.environ)
    assert env.get("POSTERN_DATABASE_URL"), "POSTERN_DATABASE_URL must be set for the CLI"
    return subprocess.run([POSTERN_BIN, *args], cwd=REPO_ROOT, env=env, capture_output=True, text=True,
                          timeout=300, stdin=subprocess.DEVNULL)


def _rebuild():
    proc = _cli("projections", "rebuild")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert re.search(r"rebuilt from \d+ events", proc.stdout), proc.stdout


def test_same_username_twice_after_a_rebuild_is_username_exists(idp, anon_idp, pool, client):
    existing = sign_up(anon_idp, pool["Id"], client)
    _rebuild()
    # A user from before the rebuild is still there, under the same unique constraint.
    with expect_error("UsernameExistsException"):
        sign_up(anon_idp, pool["Id"], client, username=existing.username)
    username = unique("user")
    sign_up(anon_idp, pool["Id"], client, username=username)
    with expect_error("UsernameExistsException"):
        sign_up(anon_idp, pool["Id"], client, username=username)
    users = idp.list_users(UserPoolId=pool["Id"])["Users"]
    assert sorted(u["Username"] for u in users) == sorted([existing.username, username])


def test_the_log_still_verifies_after_a_rebuild(anon_idp, pool, client):
    sign_up(anon_idp, pool["Id"], client)
    _rebuild()
    proc = _cli("verify")
    assert proc.returncode == 0, proc.stdout + proc.stderr
