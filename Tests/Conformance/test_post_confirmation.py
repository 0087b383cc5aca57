"""PostConfirmation through real hook executables (spec/triggers.md §3 PostConfirmation): it runs after the
confirmation is committed; its failure reaches the caller, but the user stays confirmed (observed in Cognito)."""
import json
import os
import subprocess

from support import PASSWORD, POSTERN_BIN, REPO_ROOT, expect_error, unique


def arn(name):
    return f"arn:aws:lambda:us-east-1:123456789012:function:{name}"


def hooked_pool(pool_factory, client_factory, function):
    pool = pool_factory(AutoVerifiedAttributes=["email"], LambdaConfig={"PostConfirmation": arn(function)})
    return pool, client_factory(pool_id=pool["Id"])


def sign_up(anon_idp, client, username):
    return anon_idp.sign_up(ClientId=client["ClientId"], Username=username, Password=PASSWORD,
                            UserAttributes=[{"Name": "email", "Value": f"{username}@example.com"}])["UserSub"]


def test_confirm_sign_up_runs_the_hook_with_the_confirmed_user(anon_idp, pool_factory, client_factory, outbox):
    pool, client = hooked_pool(pool_factory, client_factory, "postconfirm-log")
    username = unique("alice")
    sub = sign_up(anon_idp, client, username)
    code = outbox.code(pool["Id"], username)
    anon_idp.confirm_sign_up(ClientId=client["ClientId"], Username=username, ConfirmationCode=code,
                             ClientMetadata={"campaign": "spring"})
    with open(f"/tmp/postern-hook-events/{pool['Id']}-{username}.postconfirmation.json") as f:
        event = json.load(f)
    assert event["triggerSource"] == "PostConfirmation_ConfirmSignUp"
    assert event["callerContext"]["clientId"] == client["ClientId"]
    attributes = event["request"]["userAttributes"]
    assert attributes["sub"] == sub
    assert attributes["email_verified"] == "true"
    assert attributes["cognito:user_status"] == "CONFIRMED"
    assert event["request"]["clientMetadata"] == {"campaign": "spring"}

    out = subprocess.run([POSTERN_BIN, "events", "--stream", f"user-{sub}"], cwd=REPO_ROOT, env=dict(os.environ),
                         capture_output=True, text=True, check=True).stdout
    invoked = [json.loads(line) for line in out.splitlines() if '"HookInvoked"' in line]
    assert invoked and invoked[0]["data"]["invocation"]["outcome"] == "ok"
    assert invoked[0]["data"]["invocation"]["function"] == "postconfirm-log"


def test_a_failing_hook_is_reported_but_the_user_stays_confirmed(idp, anon_idp, pool_factory, client_factory, outbox):
    pool, client = hooked_pool(pool_factory, client_factory, "postconfirm-fail")
    username = unique("bob")
    sign_up(anon_idp, client, username)
    code = outbox.code(pool["Id"], username)
    with expect_error("UserLambdaValidationException", "PostConfirmation failed with error audit store down."):
        anon_idp.confirm_sign_up(ClientId=client["ClientId"], Username=username, ConfirmationCode=code)
    assert idp.admin_get_user(UserPoolId=pool["Id"], Username=username)["UserStatus"] == "CONFIRMED"


def test_admin_confirm_sign_up_runs_the_hook_too(idp, anon_idp, pool_factory, client_factory):
    pool, client = hooked_pool(pool_factory, client_factory, "postconfirm-log")
    username = unique("carol")
    sign_up(anon_idp, client, username)
    idp.admin_confirm_sign_up(UserPoolId=pool["Id"], Username=username)
    with open(f"/tmp/postern-hook-events/{pool['Id']}-{username}.postconfirmation.json") as f:
        assert json.load(f)["triggerSource"] == "PostConfirmation_ConfirmSignUp"
