"""ResendConfirmationCode: a new code replaces the old one."""
from support import expect_error, tokens


def test_new_code_works_old_code_does_not(idp, anon_idp, signed_up_user, outbox):
    user = signed_up_user
    old = outbox.code(user.pool_id, user.username, kind="SignUp")
    before = outbox.count(user.pool_id, user.username)

    resp = anon_idp.resend_confirmation_code(ClientId=user.client_id, Username=user.username)
    details = resp["CodeDeliveryDetails"]
    assert details["DeliveryMedium"] == "EMAIL"
    assert details["AttributeName"] == "email"
    assert "*" in details["Destination"]

    message = outbox.wait_message(user.pool_id, user.username, after=before)
    assert message["kind"] == "ResendCode", f"outbox kind for a resent code: {message['kind']!r}"
    new = message["code"]
    if new != old:  # equal only by a 1-in-a-million chance
        with expect_error("CodeMismatchException"):
            anon_idp.confirm_sign_up(ClientId=user.client_id, Username=user.username, ConfirmationCode=old)
    anon_idp.confirm_sign_up(ClientId=user.client_id, Username=user.username, ConfirmationCode=new)
    assert idp.admin_get_user(UserPoolId=user.pool_id, Username=user.username)["UserStatus"] == "CONFIRMED"
    tokens(anon_idp, user)


def test_unknown_user(anon_idp, client):
    with expect_error("UserNotFoundException", "User does not exist."):
        anon_idp.resend_confirmation_code(ClientId=client["ClientId"], Username="nobody-here")


def test_unknown_client(anon_idp):
    with expect_error("ResourceNotFoundException"):
        anon_idp.resend_confirmation_code(ClientId="a" * 26, Username="nobody-here")
