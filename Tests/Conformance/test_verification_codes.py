"""One-time codes: bound to the value they were sent to, and limited across re-issues.

Attacks reproduced here: verifying a new address with a code sent to the old one; guessing a code
online by asking for a fresh one (and so fresh attempts) every few guesses; sending codes without end.
Cognito answers a limit with LimitExceededException "Attempt limit exceeded, please try after some time."
"""
from __future__ import annotations

from support import PASSWORD, attrs, expect_error, other_code, sign_up, tokens

LIMIT = "Attempt limit exceeded, please try after some time."


def signed_in(idp, anon_idp, pool, client, outbox):
    user = sign_up(anon_idp, pool["Id"], client)
    anon_idp.confirm_sign_up(ClientId=client["ClientId"], Username=user.username,
                             ConfirmationCode=outbox.code(pool["Id"], user.username, kind="SignUp"))
    return user, tokens(anon_idp, user)["AccessToken"]


def confirmed_without_auto_verification(idp, anon_idp, pool_factory, client_factory):
    """A signed-in user of a pool that does not auto-verify: changing the email sends no code."""
    pool = pool_factory()
    client = client_factory(pool_id=pool["Id"])
    user = sign_up(anon_idp, pool["Id"], client)
    idp.admin_confirm_sign_up(UserPoolId=pool["Id"], Username=user.username)
    return pool, user, tokens(anon_idp, user)["AccessToken"]


def test_a_code_sent_to_the_old_address_does_not_verify_the_new_one(idp, anon_idp, pool_factory, client_factory, outbox):
    pool, user, access = confirmed_without_auto_verification(idp, anon_idp, pool_factory, client_factory)
    anon_idp.get_user_attribute_verification_code(AccessToken=access, AttributeName="email")
    old_code = outbox.code(pool["Id"], user.username, kind="VerifyUserAttribute")
    anon_idp.update_user_attributes(AccessToken=access, UserAttributes=[{"Name": "email", "Value": "victim@example.org"}])
    with expect_error("CodeMismatchException"):
        anon_idp.verify_user_attribute(AccessToken=access, AttributeName="email", Code=old_code)
    shown = attrs(idp.admin_get_user(UserPoolId=pool["Id"], Username=user.username)["UserAttributes"])
    assert shown["email"] == "victim@example.org" and shown.get("email_verified") != "true"
    # A code sent to the new address does verify it.
    anon_idp.get_user_attribute_verification_code(AccessToken=access, AttributeName="email")
    new_code = outbox.code(pool["Id"], user.username, kind="VerifyUserAttribute", after=1)
    anon_idp.verify_user_attribute(AccessToken=access, AttributeName="email", Code=new_code)
    assert attrs(idp.admin_get_user(UserPoolId=pool["Id"], Username=user.username)["UserAttributes"])["email_verified"] == "true"


def test_changing_back_does_not_revive_a_voided_code(idp, anon_idp, pool_factory, client_factory, outbox):
    pool, user, access = confirmed_without_auto_verification(idp, anon_idp, pool_factory, client_factory)
    anon_idp.get_user_attribute_verification_code(AccessToken=access, AttributeName="email")
    code = outbox.code(pool["Id"], user.username, kind="VerifyUserAttribute")
    anon_idp.update_user_attributes(AccessToken=access, UserAttributes=[{"Name": "email", "Value": "elsewhere@example.org"}])
    anon_idp.update_user_attributes(AccessToken=access, UserAttributes=[{"Name": "email", "Value": user.email}])
    with expect_error("CodeMismatchException"):
        anon_idp.verify_user_attribute(AccessToken=access, AttributeName="email", Code=code)


def test_new_codes_do_not_buy_new_guesses(idp, anon_idp, pool, client, outbox):
    user = sign_up(anon_idp, pool["Id"], client)
    wrong = lambda code: anon_idp.confirm_sign_up(ClientId=client["ClientId"], Username=user.username,  # noqa: E731
                                                  ConfirmationCode=other_code(code))
    code = outbox.code(pool["Id"], user.username, kind="SignUp")
    for _ in range(3):
        with expect_error("CodeMismatchException"):
            wrong(code)
    anon_idp.resend_confirmation_code(ClientId=client["ClientId"], Username=user.username)
    code = outbox.code(pool["Id"], user.username, after=1)
    for _ in range(2):
        with expect_error("CodeMismatchException"):
            wrong(code)
    # Five wrong guesses in the hour, over two codes: even the right code is refused now.
    with expect_error("LimitExceededException", LIMIT):
        anon_idp.confirm_sign_up(ClientId=client["ClientId"], Username=user.username, ConfirmationCode=code)
    assert idp.admin_get_user(UserPoolId=pool["Id"], Username=user.username)["UserStatus"] == "UNCONFIRMED"


def test_codes_cannot_be_requested_without_end(idp, anon_idp, pool, client, outbox):
    user = sign_up(anon_idp, pool["Id"], client)  # the sign-up code is the first of five
    for _ in range(4):
        anon_idp.resend_confirmation_code(ClientId=client["ClientId"], Username=user.username)
    with expect_error("LimitExceededException", LIMIT):
        anon_idp.resend_confirmation_code(ClientId=client["ClientId"], Username=user.username)
    outbox.wait_message(pool["Id"], user.username, after=4)
    assert outbox.count(pool["Id"], user.username) == 5


def test_forgot_password_and_attribute_codes_are_limited_too(idp, anon_idp, pool, client, outbox):
    user, access = signed_in(idp, anon_idp, pool, client, outbox)
    for _ in range(5):
        anon_idp.forgot_password(ClientId=client["ClientId"], Username=user.username)
    with expect_error("LimitExceededException", LIMIT):
        anon_idp.forgot_password(ClientId=client["ClientId"], Username=user.username)
    for _ in range(5):
        anon_idp.get_user_attribute_verification_code(AccessToken=access, AttributeName="email")
    with expect_error("LimitExceededException", LIMIT):
        anon_idp.get_user_attribute_verification_code(AccessToken=access, AttributeName="email")


def test_wrong_reset_codes_lock_the_reset_across_new_codes(idp, anon_idp, pool, client, outbox):
    user, _ = signed_in(idp, anon_idp, pool, client, outbox)
    anon_idp.forgot_password(ClientId=client["ClientId"], Username=user.username)
    code = outbox.code(pool["Id"], user.username, kind="ForgotPassword")
    for attempt in range(5):
        if attempt == 3:
            anon_idp.forgot_password(ClientId=client["ClientId"], Username=user.username)
            code = outbox.code(pool["Id"], user.username, kind="ForgotPassword", after=1)
        with expect_error("CodeMismatchException"):
            anon_idp.confirm_forgot_password(ClientId=client["ClientId"], Username=user.username,
                                             ConfirmationCode=other_code(code), Password=PASSWORD + "x")
    with expect_error("LimitExceededException", LIMIT):
        anon_idp.confirm_forgot_password(ClientId=client["ClientId"], Username=user.username, ConfirmationCode=code,
                                         Password=PASSWORD + "x")
    assert tokens(anon_idp, user)  # the old password still works
