"""ConfirmSignUp with the code from the message sink."""
from support import attrs, expect_error, other_code, secret_hash, sign_up


def test_confirm_with_code(idp, anon_idp, signed_up_user, outbox):
    user = signed_up_user
    code = outbox.code(user.pool_id, user.username, kind="SignUp")
    anon_idp.confirm_sign_up(ClientId=user.client_id, Username=user.username, ConfirmationCode=code)
    got = idp.admin_get_user(UserPoolId=user.pool_id, Username=user.username)
    assert got["UserStatus"] == "CONFIRMED"
    # Confirming with the emailed code verifies the email (user-pools.md ConfirmSignUp).
    assert attrs(got["UserAttributes"])["email_verified"] == "true"


def test_wrong_code(idp, anon_idp, signed_up_user, outbox):
    user = signed_up_user
    code = outbox.code(user.pool_id, user.username, kind="SignUp")
    # "Invalid verification code provided, please try again." (auth-flows.md §11, observed).
    with expect_error("CodeMismatchException", "Invalid verification code provided, please try again."):
        anon_idp.confirm_sign_up(ClientId=user.client_id, Username=user.username, ConfirmationCode=other_code(code))
    assert idp.admin_get_user(UserPoolId=user.pool_id, Username=user.username)["UserStatus"] == "UNCONFIRMED"


def test_reuse_after_confirm(anon_idp, signed_up_user, outbox):
    user = signed_up_user
    code = outbox.code(user.pool_id, user.username, kind="SignUp")
    anon_idp.confirm_sign_up(ClientId=user.client_id, Username=user.username, ConfirmationCode=code)
    # auth-flows.md §11 (observed).
    with expect_error("NotAuthorizedException", "User cannot be confirmed. Current status is CONFIRMED"):
        anon_idp.confirm_sign_up(ClientId=user.client_id, Username=user.username, ConfirmationCode=code)


def test_unknown_user(anon_idp, client):
    # "User does not exist." (auth-flows.md §11, observed).
    with expect_error("UserNotFoundException", "User does not exist."):
        anon_idp.confirm_sign_up(ClientId=client["ClientId"], Username="nobody-here", ConfirmationCode="123456")


def test_secret_client_requires_secret_hash(anon_idp, pool, secret_client, outbox):
    user = sign_up(anon_idp, pool["Id"], secret_client)
    code = outbox.code(user.pool_id, user.username, kind="SignUp")
    with expect_error("NotAuthorizedException"):
        anon_idp.confirm_sign_up(ClientId=user.client_id, Username=user.username, ConfirmationCode=code)
    anon_idp.confirm_sign_up(ClientId=user.client_id, Username=user.username, ConfirmationCode=code,
                             SecretHash=secret_hash(user.username, user.client_id, user.client_secret))
