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


def _checkpoints() -> int:
    """The number of signed checkpoints, read directly: a full `verify` holds a snapshot of the whole log
    for seconds, and a checkpoint only covers transactions older than the oldest one running, so polling
    with `verify` back to back would itself hold the next checkpoint back."""
    owner = os.environ.get("POSTERN_MIGRATION_DATABASE_URL") or os.environ["POSTERN_DATABASE_URL"]
    out = subprocess.run(["psql", owner, "-tAc", "SELECT count(*) FROM eventlog.log_checkpoints"], capture_output=True, text=True,
                         check=True).stdout
    return int(out.strip())


def test_the_server_signs_checkpoints_that_cover_new_events(anon_idp, pool, client):
    before = _checkpoints()
    sign_up(anon_idp, pool["Id"], client)
    deadline = time.monotonic() + 30
    while _checkpoints() <= before:
        assert time.monotonic() < deadline, "no new checkpoint within 30 s (the server signs one every 10 s)"
        time.sleep(0.5)
    _, checkpoints, _ = _verify()
    assert checkpoints > before, "verify accepts the new checkpoint"
