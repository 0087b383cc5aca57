"""`postern verify` on the live server's database: every keyed hash chain and signed checkpoint holds.

The server connects as the application role (scripts/test: postern_app, SELECT/INSERT on the log) and
signs a checkpoint of the log every few seconds; verify recomputes everything with the master key.
"""
import os
import re
import subprocess
import time

import pytest

from support import POSTERN_BIN, REPO_ROOT, sign_up


def _cli(*args, timeout=120):
    if not os.path.exists(POSTERN_BIN):
        pytest.skip(f"{POSTERN_BIN} not built")
    env = dict(os.environ)
    assert env.get("POSTERN_DATABASE_URL"), "POSTERN_DATABASE_URL must be set for the CLI"
    return subprocess.run([POSTERN_BIN, *args], cwd=REPO_ROOT, env=env, capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL)


def _verify():
    proc = _cli("verify")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    match = re.search(r"^ok: (\d+) events .*?(\d+) signed checkpoints, (\d+) events after the last one", proc.stdout, re.M)
    assert match, proc.stdout
    return tuple(int(group) for group in match.groups())


def test_verify_reports_a_clean_log(anon_idp, pool, client):
    sign_up(anon_idp, pool["Id"], client)
    events, checkpoints, _ = _verify()
    assert events > 0
    assert checkpoints >= 1, "the server signs a checkpoint shortly after start"


def test_the_server_signs_checkpoints_that_cover_new_events(anon_idp, pool, client):
    sign_up(anon_idp, pool["Id"], client)
    _, before, _ = _verify()
    deadline = time.monotonic() + 30
    while True:
        _, checkpoints, _ = _verify()
        if checkpoints > before:
            break
        assert time.monotonic() < deadline, "no new checkpoint within 30 s (the server signs one every 10 s)"
        time.sleep(1)
