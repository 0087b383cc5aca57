"""ForgotPassword, ConfirmForgotPassword and AdminResetUserPassword, with the triggers they run:
CustomMessage_ForgotPassword for the code message and PostConfirmation_ConfirmForgotPassword after
the reset (spec/triggers.md §4)."""
import json

from support import OTHER_PASSWORD, PASSWORD, WEAK_PASSWORD, expect_error, other_code, sign_up, unique

SCRIPTED = "arn:aws:lambda:us-east-1:123456789012:function:scripted"


def confirmed(idp, anon_idp, pool, client, outbox):
    user = sign_up(anon_idp, pool["Id"], client)
    anon_idp.confirm_sign_up(ClientId=client["ClientId"], Username=user.username,
                             ConfirmationCode=outbox.code(pool["Id"], user.username, kind="SignUp"))
    return user


def sign_in(anon_idp, client, username, password):
    return anon_idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="USER_PASSWORD_AUTH",
                                  AuthParameters={"USERNAME": username, "PASSWORD": password})


def test_a_reset_code_sets_a_new_password(idp, anon_idp, pool, client, outbox):
    user = confirmed(idp, anon_idp, pool, client, outbox)
    delivery = anon_idp.forgot_password(ClientId=client["ClientId"], Username=user.username)["CodeDeliveryDetails"]
    assert delivery == {"Destination": delivery["Destination"], "DeliveryMedium": "EMAIL", "AttributeName": "email"}
    assert "***" in delivery["Destination"]
    code = outbox.code(pool["Id"], user.username, kind="ForgotPassword")
    anon_idp.confirm_forgot_password(ClientId=client["ClientId"], Username=user.username, ConfirmationCode=code, Password=OTHER_PASSWORD)
    assert sign_in(anon_idp, client, user.username, OTHER_PASSWORD)["AuthenticationResult"]
    with expect_error("NotAuthorizedException"):
        sign_in(anon_idp, client, user.username, PASSWORD)
    with expect_error("CodeMismatchException"):
        anon_idp.confirm_forgot_password(ClientId=client["ClientId"], Username=user.username, ConfirmationCode=code,
                                         Password=PASSWORD)


def test_a_wrong_code_or_a_weak_password_changes_nothing(idp, anon_idp, pool, client, outbox):
    user = confirmed(idp, anon_idp, pool, client, outbox)
    anon_idp.forgot_password(ClientId=client["ClientId"], Username=user.username)
    code = outbox.code(pool["Id"], user.username, kind="ForgotPassword")
    with expect_error("CodeMismatchException"):
        anon_idp.confirm_forgot_password(ClientId=client["ClientId"], Username=user.username, ConfirmationCode=other_code(code),
                                         Password=OTHER_PASSWORD)
    with expect_error("InvalidPasswordException"):
        anon_idp.confirm_forgot_password(ClientId=client["ClientId"], Username=user.username, ConfirmationCode=code,
                                         Password=WEAK_PASSWORD)
    assert sign_in(anon_idp, client, user.username, PASSWORD)["AuthenticationResult"]


def test_an_unverified_user_has_nowhere_to_receive_a_code(anon_idp, pool, client):
    user = sign_up(anon_idp, pool["Id"], client)
    with expect_error("InvalidParameterException",
                      "Cannot reset password for the user as there is no registered/verified email or phone_number"):
        anon_idp.forgot_password(ClientId=client["ClientId"], Username=user.username)


def test_unknown_users(anon_idp, pool, client_factory):
    legacy = client_factory(PreventUserExistenceErrors="LEGACY")
    with expect_error("UserNotFoundException"):
        anon_idp.forgot_password(ClientId=legacy["ClientId"], Username="nobody-at-all")
    hidden = client_factory(PreventUserExistenceErrors="ENABLED")
    assert anon_idp.forgot_password(ClientId=hidden["ClientId"], Username="nobody-at-all")["CodeDeliveryDetails"]
    with expect_error("CodeMismatchException"):
        anon_idp.confirm_forgot_password(ClientId=hidden["ClientId"], Username="nobody-at-all", ConfirmationCode="123456",
                                         Password=OTHER_PASSWORD)


def test_admin_reset_requires_a_new_password_at_sign_in(idp, anon_idp, pool, client, outbox):
    user = confirmed(idp, anon_idp, pool, client, outbox)
    idp.admin_reset_user_password(UserPoolId=pool["Id"], Username=user.username)
    assert idp.admin_get_user(UserPoolId=pool["Id"], Username=user.username)["UserStatus"] == "RESET_REQUIRED"
    with expect_error("PasswordResetRequiredException"):
        sign_in(anon_idp, client, user.username, PASSWORD)
    code = outbox.code(pool["Id"], user.username, kind="ForgotPassword")
    anon_idp.confirm_forgot_password(ClientId=client["ClientId"], Username=user.username, ConfirmationCode=code, Password=OTHER_PASSWORD)
    assert idp.admin_get_user(UserPoolId=pool["Id"], Username=user.username)["UserStatus"] == "CONFIRMED"
    assert sign_in(anon_idp, client, user.username, OTHER_PASSWORD)["AuthenticationResult"]


def test_the_hooks_of_a_reset(idp, anon_idp, pool_factory, client_factory, outbox):
    pool = pool_factory(LambdaConfig={"CustomMessage": SCRIPTED, "PostConfirmation": SCRIPTED}, AutoVerifiedAttributes=["email"])
    client = client_factory(pool_id=pool["Id"])
    metadata = {"answer": json.dumps({"emailSubject": "Reset your Acme password", "emailMessage": "Reset code: {####}"})}
    verified = unique("ver")
    idp.admin_create_user(UserPoolId=pool["Id"], Username=verified, MessageAction="SUPPRESS",
                          UserAttributes=[{"Name": "email", "Value": f"{verified}@example.com"},
                                          {"Name": "email_verified", "Value": "true"}])
    idp.admin_set_user_password(UserPoolId=pool["Id"], Username=verified, Password=PASSWORD, Permanent=True)
    anon_idp.forgot_password(ClientId=client["ClientId"], Username=verified, ClientMetadata=metadata)
    message = outbox.wait_message(pool["Id"], verified, kind="ForgotPassword")
    assert message["subject"] == "Reset your Acme password" and message["message"] == f"Reset code: {message['code']}"
    with open(f"/tmp/postern-hook-events/{pool['Id']}-{verified}.CustomMessage_ForgotPassword.json") as f:
        assert json.load(f)["request"]["clientMetadata"] == metadata

    anon_idp.confirm_forgot_password(ClientId=client["ClientId"], Username=verified, ConfirmationCode=message["code"],
                                     Password=OTHER_PASSWORD, ClientMetadata={"app": "web"})
    with open(f"/tmp/postern-hook-events/{pool['Id']}-{verified}.PostConfirmation_ConfirmForgotPassword.json") as f:
        event = json.load(f)
    assert event["request"]["clientMetadata"] == {"app": "web"}
    assert event["request"]["userAttributes"]["cognito:user_status"] == "CONFIRMED"
    assert event["callerContext"]["clientId"] == client["ClientId"]
