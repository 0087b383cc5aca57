"""AdminDisableUser and AdminEnableUser.

The botocore model: AdminDisableUser "deactivates a user profile and revokes all access tokens for the
user"; a deactivated user can't sign in but still appears in ListUsers. Sign-in answers
NotAuthorizedException "User is disabled." as Cognito does.
"""
from support import expect_error, log_events, refresh, sign_in, tokens


def _events(user, event_type):
    return log_events(f"user-{user.sub}", event_type)


def test_a_disabled_user_cannot_sign_in_and_their_tokens_stop_working(idp, anon_idp, confirmed_user):
    user = confirmed_user
    auth = tokens(anon_idp, user)
    idp.admin_disable_user(UserPoolId=user.pool_id, Username=user.username)
    with expect_error("NotAuthorizedException", "User is disabled."):
        sign_in(anon_idp, user)
    with expect_error("NotAuthorizedException", "User is disabled."):
        idp.admin_initiate_auth(UserPoolId=user.pool_id, ClientId=user.client_id, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                AuthParameters={"USERNAME": user.username, "PASSWORD": user.password})
    with expect_error("NotAuthorizedException"):
        refresh(anon_idp, user, auth["RefreshToken"])
    with expect_error("NotAuthorizedException"):
        anon_idp.get_user(AccessToken=auth["AccessToken"])
    # A disabled user's sign-in with a wrong password still says the password is wrong (the password comes first).
    with expect_error("NotAuthorizedException", "Incorrect username or password."):
        sign_in(anon_idp, user, password="Wr0ng-Password!")


def test_the_directory_shows_a_disabled_user(idp, confirmed_user):
    user = confirmed_user
    before = idp.admin_get_user(UserPoolId=user.pool_id, Username=user.username)
    assert before["Enabled"] is True
    idp.admin_disable_user(UserPoolId=user.pool_id, Username=user.username)
    after = idp.admin_get_user(UserPoolId=user.pool_id, Username=user.username)
    assert after["Enabled"] is False and after["UserStatus"] == "CONFIRMED"
    assert after["UserLastModifiedDate"] >= before["UserLastModifiedDate"]
    [listed] = [u for u in idp.list_users(UserPoolId=user.pool_id)["Users"] if u["Username"] == user.username]
    assert listed["Enabled"] is False
    disabled = idp.list_users(UserPoolId=user.pool_id, Filter='status = "Disabled"')["Users"]
    assert [u["Username"] for u in disabled] == [user.username]
    assert idp.list_users(UserPoolId=user.pool_id, Filter='status = "Enabled"')["Users"] == []


def test_enabling_lets_the_user_sign_in_again_but_revoked_tokens_stay_revoked(idp, anon_idp, confirmed_user):
    user = confirmed_user
    old = tokens(anon_idp, user)
    idp.admin_disable_user(UserPoolId=user.pool_id, Username=user.username)
    idp.admin_enable_user(UserPoolId=user.pool_id, Username=user.username)
    assert idp.admin_get_user(UserPoolId=user.pool_id, Username=user.username)["Enabled"] is True
    again = tokens(anon_idp, user)
    assert anon_idp.get_user(AccessToken=again["AccessToken"])["Username"] == user.username
    assert "AuthenticationResult" in refresh(anon_idp, user, again["RefreshToken"])
    with expect_error("NotAuthorizedException", "Refresh Token has been revoked"):
        refresh(anon_idp, user, old["RefreshToken"])
    with expect_error("NotAuthorizedException", "Access Token has been revoked"):
        anon_idp.get_user(AccessToken=old["AccessToken"])


def test_disabling_and_enabling_are_recorded_once(idp, confirmed_user):
    user = confirmed_user
    # Cognito answers a repeated AdminDisableUser / AdminEnableUser with success; nothing new is recorded.
    idp.admin_enable_user(UserPoolId=user.pool_id, Username=user.username)
    assert _events(user, "UserEnabled") == []
    idp.admin_disable_user(UserPoolId=user.pool_id, Username=user.username)
    idp.admin_disable_user(UserPoolId=user.pool_id, Username=user.username)
    [disabled] = _events(user, "UserDisabled")
    assert disabled["data"]["by"] == "admin"
    signed_out = _events(user, "UserSignedOutGlobally")
    assert len(signed_out) == 1 and signed_out[0]["position"] > disabled["position"]
    idp.admin_enable_user(UserPoolId=user.pool_id, Username=user.username)
    idp.admin_enable_user(UserPoolId=user.pool_id, Username=user.username)
    assert len(_events(user, "UserEnabled")) == 1


def test_a_disabled_user_cannot_reset_their_password(idp, anon_idp, confirmed_user):
    user = confirmed_user
    idp.admin_disable_user(UserPoolId=user.pool_id, Username=user.username)
    with expect_error("NotAuthorizedException", "User is disabled."):
        anon_idp.forgot_password(ClientId=user.client_id, Username=user.username)


def test_other_users_are_unaffected(idp, anon_idp, pool, client, confirmed_user):
    from support import sign_up

    other = sign_up(anon_idp, pool["Id"], client)
    idp.admin_confirm_sign_up(UserPoolId=pool["Id"], Username=other.username)
    other_tokens = tokens(anon_idp, other)
    idp.admin_disable_user(UserPoolId=pool["Id"], Username=confirmed_user.username)
    assert anon_idp.get_user(AccessToken=other_tokens["AccessToken"])["Username"] == other.username


def test_unknown_user_and_pool(idp, pool):
    for operation in (idp.admin_disable_user, idp.admin_enable_user):
        with expect_error("UserNotFoundException"):
            operation(UserPoolId=pool["Id"], Username="nobody-here")
        with expect_error("ResourceNotFoundException"):
            operation(UserPoolId="us-east-1_NoSuchPool", Username="nobody-here")


def test_unsigned_requests_are_refused(anon_idp, confirmed_user):
    user = confirmed_user
    with expect_error("MissingAuthenticationTokenException", status=(400, 403)):
        anon_idp.admin_disable_user(UserPoolId=user.pool_id, Username=user.username)
