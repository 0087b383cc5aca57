"""A hook cannot outlive its timeout by closing its pipes (issue 7, item 13): the server waits for the
process to exit, not for its output to end, and kills the hook's process group when the deadline passes.
The `closes-pipes-and-sleeps` fixture closes stdout and stderr at once and leaves a `sleep 30` behind."""
import os
import time

from support import PASSWORD, REPO_ROOT, expect_error, unique

HOOKS = REPO_ROOT / "Tests" / "Fixtures" / "hooks"


def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(") ", 1)[1][0] != "Z"
    except FileNotFoundError:
        return False


def test_a_hook_that_closes_its_pipes_still_times_out_and_its_group_is_killed(idp, anon_idp, pool_factory, client_factory):
    pool = pool_factory(LambdaConfig={"PreSignUp": "arn:aws:lambda:us-east-1:123456789012:function:closes-pipes-and-sleeps"})
    client = client_factory(pool_id=pool["Id"])
    pid_file = HOOKS / "sleeper.pid"
    if pid_file.exists():
        pid_file.unlink()
    username = unique("pipes")
    with expect_error("UnexpectedLambdaException", "PreSignUp invocation failed due to error TimeoutError."):
        anon_idp.sign_up(ClientId=client["ClientId"], Username=username, Password=PASSWORD)
    # Nothing was created, and the hook's leftover child is gone (bounded wait for the kernel to reap it).
    assert idp.list_users(UserPoolId=pool["Id"])["Users"] == []
    pid = int(pid_file.read_text().strip())
    for _ in range(50):
        if not alive(pid):
            break
        time.sleep(0.1)
    assert not alive(pid), "the hook's child outlived the deadline"
