"""PreAuthentication and PostAuthentication through a real hook (spec/triggers.md §3): both run on password
sign-in, a refusal denies it with UserLambdaValidationException, and refresh runs neither."""
import json
import os
import subprocess

from support import PASSWORD, POSTERN_BIN, REPO_ROOT, expect_error, unique

GATE = "arn:aws:lambda:us-east-1:123456789012:function:auth-gate"


def gated(idp, pool_factory, client_factory, username, email):
    pool = pool_factory(LambdaConfig={"PreAuthentication": GATE, "PostAuthentication": GATE})
    client = client_factory(pool_id=pool["Id"])
    idp.admin_create_user(UserPoolId=pool["Id"], Username=username, MessageAction="SUPPRESS",
                          UserAttributes=[{"Name": "email", "Value": email}])
    idp.admin_set_user_password(UserPoolId=pool["Id"], Username=username, Password=PASSWORD, Permanent=True)
    return pool, client


def recorded(pool_id, username, source):
    path = f"/tmp/postern-hook-events/{pool_id}-{username}.{source}.json"
    with open(path) as f:
        return json.load(f)


def test_both_hooks_run_on_a_password_sign_in(idp, anon_idp, pool_factory, client_factory):
    username = unique("ana")
    pool, client = gated(idp, pool_factory, client_factory, username, f"{username}@example.com")
    result = anon_idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="USER_PASSWORD_AUTH", ClientMetadata={"app": "web"},
                                    AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD})
    assert result["AuthenticationResult"]["AccessToken"]
    pre = recorded(pool["Id"], username, "PreAuthentication_Authentication")
    assert pre["request"]["validationData"] == {"app": "web"}, "InitiateAuth's ClientMetadata arrives as validationData"
    assert pre["request"]["userAttributes"]["cognito:user_status"] == "CONFIRMED"
    post = recorded(pool["Id"], username, "PostAuthentication_Authentication")
    assert post["callerContext"]["clientId"] == client["ClientId"]

    sub = pre["request"]["userAttributes"]["sub"]
    out = subprocess.run([POSTERN_BIN, "events", "--stream", f"user-{sub}", "--type", "SignInSucceeded"], cwd=REPO_ROOT,
                         env=dict(os.environ), capture_output=True, text=True, check=True).stdout
    hooks = json.loads(out.splitlines()[-1])["data"]["hooks"]
    assert [h["triggerSource"] for h in hooks] == ["PreAuthentication_Authentication", "PostAuthentication_Authentication"]


def test_a_refusing_hook_denies_the_sign_in(idp, anon_idp, pool_factory, client_factory):
    username = unique("blocked")
    pool, client = gated(idp, pool_factory, client_factory, username, f"blocked-{username}@example.com")
    with expect_error("UserLambdaValidationException", "PreAuthentication failed with error Sign-in blocked by policy."):
        anon_idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="USER_PASSWORD_AUTH",
                               AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD})
    assert not os.path.exists(f"/tmp/postern-hook-events/{pool['Id']}-{username}.PostAuthentication_Authentication.json")


def test_pre_authentication_sees_unknown_users_only_under_prevent_user_existence_errors(anon_idp, pool_factory, client_factory):
    pool = pool_factory(LambdaConfig={"PreAuthentication": "arn:aws:lambda:us-east-1:123456789012:function:scripted"})
    hidden = client_factory(pool_id=pool["Id"], PreventUserExistenceErrors="ENABLED")
    ghost = unique("ghost")
    with expect_error("NotAuthorizedException", "Incorrect username or password."):
        anon_idp.initiate_auth(ClientId=hidden["ClientId"], AuthFlow="USER_PASSWORD_AUTH", ClientMetadata={"app": "web"},
                               AuthParameters={"USERNAME": ghost, "PASSWORD": PASSWORD})
    event = recorded(pool["Id"], ghost, "PreAuthentication_Authentication")
    assert event["request"]["userNotFound"] is True
    assert event["request"]["userAttributes"] == {}
    assert event["request"]["validationData"] == {"app": "web"}

    legacy = client_factory(pool_id=pool["Id"], PreventUserExistenceErrors="LEGACY")
    other = unique("ghost")
    with expect_error("UserNotFoundException"):
        anon_idp.initiate_auth(ClientId=legacy["ClientId"], AuthFlow="USER_PASSWORD_AUTH",
                               AuthParameters={"USERNAME": other, "PASSWORD": PASSWORD})
    assert not os.path.exists(f"/tmp/postern-hook-events/{pool['Id']}-{other}.PreAuthentication_Authentication.json")
