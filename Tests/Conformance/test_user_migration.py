"""UserMigration (spec/triggers.md): users of a legacy SQLite directory with bcrypt hashes move into the
pool at their first password sign-in (UserMigration_Authentication) or at ForgotPassword
(UserMigration_ForgotPassword), through the shipped example plugins/examples/usermigration_sqlite.py
run unmodified by plugins/shims/python-lambda."""
import json
import os
import subprocess

import pytest

from support import POSTERN_BIN, REPO_ROOT, attrs, claims, expect_error, unique

LEGACY = "arn:aws:lambda:us-east-1:123456789012:function:usermigration-legacy"
SCRIPTED = "arn:aws:lambda:us-east-1:123456789012:function:scripted"
LEGACY_DB = "/tmp/postern-legacy-users.sqlite"
LEGACY_PASSWORD = "legacy-pw"  # weaker than the pool's policy: migrated passwords are not checked against it


def legacy_user(name="Legacy Person"):
    username = unique("old")
    subprocess.run(["/usr/bin/python3", str(REPO_ROOT / "plugins/examples/make_legacy_db.py"), LEGACY_DB,
                    f"{username}:{username}@legacy.example:{LEGACY_PASSWORD}:{name}"], check=True)
    return username


@pytest.fixture
def migrating(pool_factory, client_factory):
    pool = pool_factory(LambdaConfig={"UserMigration": LEGACY}, AutoVerifiedAttributes=["email"])
    return pool, client_factory(pool_id=pool["Id"])


def sign_in(anon_idp, client, username, password=LEGACY_PASSWORD, **extra):
    return anon_idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="USER_PASSWORD_AUTH",
                                  AuthParameters={"USERNAME": username, "PASSWORD": password}, **extra)


def events(stream, event_type):
    out = subprocess.run([POSTERN_BIN, "events", "--stream", stream, "--type", event_type], cwd=REPO_ROOT,
                         env=dict(os.environ), capture_output=True, text=True, check=True).stdout
    return [json.loads(line) for line in out.splitlines()]


def test_a_legacy_user_signs_in_with_their_old_password_and_is_created(idp, anon_idp, migrating):
    pool, client = migrating
    username = legacy_user()
    tokens = sign_in(anon_idp, client, username)["AuthenticationResult"]
    assert claims(tokens["IdToken"])["email"] == f"{username}@legacy.example"
    assert claims(tokens["IdToken"])["name"] == "Legacy Person"
    user = idp.admin_get_user(UserPoolId=pool["Id"], Username=username)
    assert user["UserStatus"] == "CONFIRMED"
    assert attrs(user["UserAttributes"])["email_verified"] == "true"
    # From now on the pool knows the user: the same password works without the legacy database.
    assert sign_in(anon_idp, client, username)["AuthenticationResult"]["AccessToken"]

    sub = claims(tokens["IdToken"])["sub"]
    [registered] = events(f"user-{sub}", "UserSignedUp")
    assert registered["data"]["origin"] == "UserMigration"
    migration = registered["data"]["migration"]
    assert migration["triggerSource"] == "UserMigration_Authentication" and migration["function"] == "usermigration-legacy"
    assert migration["decision"] == {"finalUserStatus": "CONFIRMED", "messageAction": "SUPPRESS",
                                     "userAttributes": ["email", "email_verified", "name"]}
    assert LEGACY_PASSWORD not in json.dumps(registered), "the password never reaches the log"


def test_the_email_works_as_the_typed_name_in_an_email_username_pool(idp, anon_idp, pool_factory, client_factory):
    pool = pool_factory(LambdaConfig={"UserMigration": LEGACY}, UsernameAttributes=["email"])
    client = client_factory(pool_id=pool["Id"])
    username = legacy_user()
    tokens = sign_in(anon_idp, client, f"{username}@legacy.example")["AuthenticationResult"]
    assert claims(tokens["IdToken"])["email"] == f"{username}@legacy.example"
    assert claims(tokens["IdToken"])["cognito:username"] == claims(tokens["IdToken"])["sub"]


def test_a_wrong_legacy_password_is_refused_and_creates_nothing(idp, anon_idp, migrating):
    pool, client = migrating
    username = legacy_user()
    with expect_error("UserLambdaValidationException", "UserMigration failed with error Bad password."):
        sign_in(anon_idp, client, username, password="not-it")
    with expect_error("UserNotFoundException"):
        idp.admin_get_user(UserPoolId=pool["Id"], Username=username)


def test_an_answer_without_attributes_means_not_found(idp, anon_idp, pool_factory, client_factory):
    pool = pool_factory(LambdaConfig={"UserMigration": SCRIPTED})
    client = client_factory(pool_id=pool["Id"])
    username = unique("ghost")
    with expect_error("UserNotFoundException"):
        sign_in(anon_idp, client, username, ClientMetadata={"answer": json.dumps({"userAttributes": None})})
    with open(f"/tmp/postern-hook-events/{pool['Id']}-{username}.UserMigration_Authentication.json") as f:
        event = json.load(f)
    assert event["request"]["password"] == LEGACY_PASSWORD
    assert event["request"]["validationData"] == {"answer": json.dumps({"userAttributes": None})}
    assert event["response"] == {"userAttributes": None, "finalUserStatus": None, "messageAction": None,
                                 "desiredDeliveryMediums": None, "forceAliasCreation": None, "enableSMSMFA": None}


def test_reset_required_is_the_default_final_status(idp, anon_idp, pool_factory, client_factory):
    pool = pool_factory(LambdaConfig={"UserMigration": SCRIPTED})
    client = client_factory(pool_id=pool["Id"])
    username = unique("reset")
    answer = {"answer": json.dumps({"userAttributes": {"email": f"{username}@example.com"}})}
    with expect_error("PasswordResetRequiredException"):
        sign_in(anon_idp, client, username, ClientMetadata=answer)
    assert idp.admin_get_user(UserPoolId=pool["Id"], Username=username)["UserStatus"] == "RESET_REQUIRED"


@pytest.mark.parametrize("response", [{"userAttributes": {"email": 5}}, {"userAttributes": {"email": "a@b.c"}, "finalUserStatus": "MAYBE"},
                                      {"userAttributes": "email"}], ids=["non-string attribute", "unknown status", "attributes not a map"])
def test_an_ill_typed_answer_is_an_invalid_lambda_response(idp, anon_idp, pool_factory, client_factory, response):
    pool = pool_factory(LambdaConfig={"UserMigration": SCRIPTED})
    client = client_factory(pool_id=pool["Id"])
    username = unique("bad")
    with expect_error("InvalidLambdaResponseException"):
        sign_in(anon_idp, client, username, ClientMetadata={"answer": json.dumps(response)})
    with expect_error("UserNotFoundException"):
        idp.admin_get_user(UserPoolId=pool["Id"], Username=username)


def test_forgot_password_migrates_the_user_and_sends_a_reset_code(idp, anon_idp, migrating, outbox):
    pool, client = migrating
    username = legacy_user(name="")
    delivery = anon_idp.forgot_password(ClientId=client["ClientId"], Username=username)["CodeDeliveryDetails"]
    assert delivery["DeliveryMedium"] == "EMAIL" and delivery["AttributeName"] == "email"
    user = idp.admin_get_user(UserPoolId=pool["Id"], Username=username)
    assert user["UserStatus"] == "RESET_REQUIRED"
    code = outbox.code(pool["Id"], username, kind="ForgotPassword")
    anon_idp.confirm_forgot_password(ClientId=client["ClientId"], Username=username, ConfirmationCode=code,
                                     Password="Brand-New-Pa55!")
    assert sign_in(anon_idp, client, username, password="Brand-New-Pa55!")["AuthenticationResult"]["AccessToken"]
    sub = attrs(user["UserAttributes"])["sub"]
    [registered] = events(f"user-{sub}", "UserSignedUp")
    assert registered["data"]["migration"]["triggerSource"] == "UserMigration_ForgotPassword"


def test_a_broken_migration_hook_fails_the_sign_in(anon_idp, pool_factory, client_factory):
    pool = pool_factory(LambdaConfig={"UserMigration": "arn:aws:lambda:us-east-1:123456789012:function:presignup-crash"})
    client = client_factory(pool_id=pool["Id"])
    with expect_error("UnexpectedLambdaException"):
        sign_in(anon_idp, client, unique("crash"))
