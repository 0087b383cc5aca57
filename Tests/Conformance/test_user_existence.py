"""PreventUserExistenceErrors = ENABLED: every answer about a user the pool does not know is the answer
about a real user (shape and error), so a caller cannot enumerate accounts. LEGACY keeps Cognito's
revealing errors."""
from __future__ import annotations

import json
import os
import re
import subprocess

import pytest

from support import PASSWORD, POSTERN_BIN, REPO_ROOT, expect_error, sign_up, unique

ARN = "arn:aws:lambda:us-east-1:123456789012:function:"
MASKED_EMAIL = re.compile(r"^[a-z0-9]\*\*\*@[a-z0-9]\*\*\*$")


@pytest.fixture
def hidden(client_factory):
    return client_factory(PreventUserExistenceErrors="ENABLED")


def confirmed(idp, anon_idp, pool, client, outbox):
    user = sign_up(anon_idp, pool["Id"], client)
    anon_idp.confirm_sign_up(ClientId=client["ClientId"], Username=user.username,
                             ConfirmationCode=outbox.code(pool["Id"], user.username, kind="SignUp"))
    return user


def test_forgot_password_for_an_unknown_user_looks_like_a_real_delivery(idp, anon_idp, pool, hidden, outbox):
    real = confirmed(idp, anon_idp, pool, hidden, outbox)
    real_answer = anon_idp.forgot_password(ClientId=hidden["ClientId"], Username=real.username)["CodeDeliveryDetails"]
    fake_answer = anon_idp.forgot_password(ClientId=hidden["ClientId"], Username="nobody-" + real.username)["CodeDeliveryDetails"]
    assert set(fake_answer) == set(real_answer)
    assert fake_answer["DeliveryMedium"] == real_answer["DeliveryMedium"] == "EMAIL"
    assert fake_answer["AttributeName"] == "email"
    assert MASKED_EMAIL.match(fake_answer["Destination"]), fake_answer  # not the typed name behind ***
    assert "nobody" not in fake_answer["Destination"]
    # The same name gives the same decoy, as the same user gives the same address.
    again = anon_idp.forgot_password(ClientId=hidden["ClientId"], Username="nobody-" + real.username)["CodeDeliveryDetails"]
    assert again == fake_answer
    # An email typed in is masked as the address itself would be.
    typed = anon_idp.forgot_password(ClientId=hidden["ClientId"], Username="zed@example.net")["CodeDeliveryDetails"]
    assert typed["Destination"] == "z***@e***"


def test_a_user_without_a_verified_contact_answers_like_anyone_else(idp, anon_idp, pool, hidden, client_factory):
    user = sign_up(anon_idp, pool["Id"], hidden)
    idp.admin_confirm_sign_up(UserPoolId=pool["Id"], Username=user.username)  # email never verified
    answer = anon_idp.forgot_password(ClientId=hidden["ClientId"], Username=user.username)["CodeDeliveryDetails"]
    assert MASKED_EMAIL.match(answer["Destination"]) and answer["DeliveryMedium"] == "EMAIL"
    legacy = client_factory(PreventUserExistenceErrors="LEGACY")
    with expect_error("InvalidParameterException",
                      "Cannot reset password for the user as there is no registered/verified email or phone_number"):
        anon_idp.forgot_password(ClientId=legacy["ClientId"], Username=user.username)
    hidden_events = [e for e in hidden_requests_about(user.sub) if e["data"]["reason"] == "no_verified_contact"]
    assert hidden_events, "the hidden answer is recorded for auditors"


def hidden_requests_about(sub):
    out = subprocess.run([POSTERN_BIN, "events", "--type", "UserExistenceHidden", "--limit", "100000"], cwd=REPO_ROOT,
                         env=dict(os.environ), capture_output=True, text=True, check=True).stdout
    return [e for e in map(json.loads, out.splitlines()) if e["data"].get("sub") == sub]


def test_already_confirmed_users_answer_like_unknown_ones(idp, anon_idp, pool, hidden, outbox):
    user = confirmed(idp, anon_idp, pool, hidden, outbox)
    resent = anon_idp.resend_confirmation_code(ClientId=hidden["ClientId"], Username=user.username)["CodeDeliveryDetails"]
    unknown = anon_idp.resend_confirmation_code(ClientId=hidden["ClientId"], Username="ghost-" + user.username)["CodeDeliveryDetails"]
    assert set(resent) == set(unknown) and MASKED_EMAIL.match(resent["Destination"]) and MASKED_EMAIL.match(unknown["Destination"])
    for name in (user.username, "ghost-" + user.username):
        with expect_error("CodeMismatchException"):
            anon_idp.confirm_sign_up(ClientId=hidden["ClientId"], Username=name, ConfirmationCode="123456")


def test_a_locked_user_answers_like_a_wrong_password(idp, anon_idp, pool, hidden, outbox, client_factory):
    for client, expected in ((hidden, "Incorrect username or password."), (client_factory(), "Password attempts exceeded")):
        user = confirmed(idp, anon_idp, pool, client, outbox)
        for _ in range(5):
            with expect_error("NotAuthorizedException", "Incorrect username or password."):
                anon_idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="USER_PASSWORD_AUTH",
                                       AuthParameters={"USERNAME": user.username, "PASSWORD": "Wr0ng-password!"})
        with expect_error("NotAuthorizedException", expected):
            anon_idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="USER_PASSWORD_AUTH",
                                   AuthParameters={"USERNAME": user.username, "PASSWORD": PASSWORD})


def test_a_failing_migration_hook_answers_like_an_unknown_user(idp, anon_idp, pool_factory, client_factory):
    pool = pool_factory(AutoVerifiedAttributes=["email"], LambdaConfig={"UserMigration": ARN + "presignup-crash"})
    hidden = client_factory(pool_id=pool["Id"], PreventUserExistenceErrors="ENABLED")
    legacy = client_factory(pool_id=pool["Id"], PreventUserExistenceErrors="LEGACY")
    with expect_error("NotAuthorizedException", "Incorrect username or password."):
        anon_idp.initiate_auth(ClientId=hidden["ClientId"], AuthFlow="USER_PASSWORD_AUTH",
                               AuthParameters={"USERNAME": unique("legacy"), "PASSWORD": PASSWORD})
    answer = anon_idp.forgot_password(ClientId=hidden["ClientId"], Username=unique("legacy"))["CodeDeliveryDetails"]
    assert MASKED_EMAIL.match(answer["Destination"])
    with expect_error("UnexpectedLambdaException"):
        anon_idp.initiate_auth(ClientId=legacy["ClientId"], AuthFlow="USER_PASSWORD_AUTH",
                               AuthParameters={"USERNAME": unique("legacy"), "PASSWORD": PASSWORD})
