"""PreSignUp through real hook executables in Tests/Fixtures/hooks (spec/triggers.md §2, §3 PreSignUp).

Cognito reports a hook's error as "<Trigger> failed with error <errorMessage>." (it appends the period)."""
import json
import os
import subprocess
import time

import pytest

from support import PASSWORD, POSTERN_BIN, REPO_ROOT, expect_error, unique

EVENTS = "/tmp/postern-hook-events"


def arn(name):
    return f"arn:aws:lambda:us-east-1:123456789012:function:{name}"


@pytest.fixture
def hooked(pool_factory, client_factory):
    def make(function):
        pool = pool_factory(AutoVerifiedAttributes=["email"], LambdaConfig={"PreSignUp": arn(function)})
        return pool, client_factory(pool_id=pool["Id"])
    return make


def received(pool_id, username):
    with open(os.path.join(EVENTS, f"{pool_id}-{username}.json")) as f:
        return json.load(f)


def test_describe_returns_the_lambda_config_as_set(idp, hooked):
    pool, _ = hooked("presignup-domain")
    assert idp.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]["LambdaConfig"] == {"PreSignUp": arn("presignup-domain")}


def test_hook_auto_confirms_and_verifies_and_gets_cognitos_event(idp, anon_idp, hooked):
    pool, client = hooked("presignup-domain")
    username = unique("alice")
    result = anon_idp.sign_up(ClientId=client["ClientId"], Username=username, Password=PASSWORD,
                              UserAttributes=[{"Name": "email", "Value": f"{username}@example.com"}],
                              ValidationData=[{"Name": "invite", "Value": "42"}], ClientMetadata={"source": "test"})
    assert result["UserConfirmed"] is True
    assert "CodeDeliveryDetails" not in result
    user = idp.admin_get_user(UserPoolId=pool["Id"], Username=username)
    assert user["UserStatus"] == "CONFIRMED"
    assert {"Name": "email_verified", "Value": "true"} in user["UserAttributes"]

    event = received(pool["Id"], username)
    assert event["version"] == "1"
    assert event["triggerSource"] == "PreSignUp_SignUp"
    assert event["region"] == "us-east-1"
    assert event["userPoolId"] == pool["Id"]
    assert event["callerContext"]["clientId"] == client["ClientId"]
    assert event["request"]["userAttributes"]["email"] == f"{username}@example.com"
    assert event["request"]["validationData"] == {"invite": "42"}
    assert event["request"]["clientMetadata"] == {"source": "test"}
    assert event["response"] == {"autoConfirmUser": False, "autoVerifyEmail": False, "autoVerifyPhone": False}

    # The decision is recorded in the event, so a replay never runs the hook again.
    out = subprocess.run([POSTERN_BIN, "events", "--type", "UserSignedUp", "--limit", "100000"], cwd=REPO_ROOT,
                         env=dict(os.environ), capture_output=True, text=True, check=True).stdout
    mine = [json.loads(line) for line in out.splitlines() if result["UserSub"] in line]
    assert mine and mine[0]["data"]["preSignUp"]["function"] == "presignup-domain"
    assert mine[0]["data"]["preSignUp"]["decision"]["autoConfirmUser"] is True


def test_hook_passes_other_domains_through(idp, anon_idp, hooked):
    pool, client = hooked("presignup-domain")
    username = unique("carol")
    result = anon_idp.sign_up(ClientId=client["ClientId"], Username=username, Password=PASSWORD,
                              UserAttributes=[{"Name": "email", "Value": f"{username}@other.org"}])
    assert result["UserConfirmed"] is False
    assert result["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"


def test_rejection_leaves_nothing_behind(idp, anon_idp, hooked):
    pool, client = hooked("presignup-domain")
    username = unique("bob")
    with expect_error("UserLambdaValidationException", "PreSignUp failed with error Domain not allowed."):
        anon_idp.sign_up(ClientId=client["ClientId"], Username=username, Password=PASSWORD,
                         UserAttributes=[{"Name": "email", "Value": f"{username}@blocked.test"}])
    with expect_error("UserNotFoundException"):
        idp.admin_get_user(UserPoolId=pool["Id"], Username=username)
    assert idp.list_users(UserPoolId=pool["Id"])["Users"] == []


@pytest.mark.parametrize("function, code", [
    ("presignup-garbage", "InvalidLambdaResponseException"),
    ("presignup-crash", "UnexpectedLambdaException"),
    ("presignup-slow", "UnexpectedLambdaException"),
    ("presignup-missing", "UnexpectedLambdaException"),
])
def test_broken_hooks_fail_the_sign_up_with_cognitos_errors(idp, anon_idp, hooked, function, code):
    pool, client = hooked(function)
    started = time.monotonic()
    with expect_error(code):
        anon_idp.sign_up(ClientId=client["ClientId"], Username=unique("dave"), Password=PASSWORD,
                         UserAttributes=[{"Name": "email", "Value": "dave@example.com"}])
    assert time.monotonic() - started < 4, "the 1 s timeout is enforced"
    assert idp.list_users(UserPoolId=pool["Id"])["Users"] == []


def test_admin_create_user_runs_the_hook_but_ignores_its_decision(idp, hooked):
    pool, _ = hooked("presignup-domain")
    username = unique("erin")
    user = idp.admin_create_user(UserPoolId=pool["Id"], Username=username, MessageAction="SUPPRESS",
                                 UserAttributes=[{"Name": "email", "Value": f"{username}@example.com"}])["User"]
    assert user["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    assert received(pool["Id"], username)["triggerSource"] == "PreSignUp_AdminCreateUser"
    with expect_error("UserLambdaValidationException", "PreSignUp failed with error Domain not allowed."):
        idp.admin_create_user(UserPoolId=pool["Id"], Username=unique("frank"), MessageAction="SUPPRESS",
                              UserAttributes=[{"Name": "email", "Value": "frank@blocked.test"}])
