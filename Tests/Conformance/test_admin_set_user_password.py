"""AdminSetUserPassword: Permanent → CONFIRMED, temporary → FORCE_CHANGE_PASSWORD (user-pools.md)."""
from support import OTHER_PASSWORD, WEAK_PASSWORD, expect_error, sign_in, tokens


def test_permanent_password(idp, anon_idp, signed_up_user):
    user = signed_up_user  # UNCONFIRMED: a permanent password confirms the user
    idp.admin_set_user_password(UserPoolId=user.pool_id, Username=user.username, Password=OTHER_PASSWORD,
                                Permanent=True)
    assert idp.admin_get_user(UserPoolId=user.pool_id, Username=user.username)["UserStatus"] == "CONFIRMED"
    assert tokens(anon_idp, user, OTHER_PASSWORD)["AccessToken"]
    with expect_error("NotAuthorizedException", "Incorrect username or password."):
        sign_in(anon_idp, user)  # the old password


def test_temporary_password(idp, anon_idp, confirmed_user):
    user = confirmed_user
    idp.admin_set_user_password(UserPoolId=user.pool_id, Username=user.username, Password=OTHER_PASSWORD,
                                Permanent=False)
    assert idp.admin_get_user(UserPoolId=user.pool_id, Username=user.username)["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    assert sign_in(anon_idp, user, OTHER_PASSWORD)["ChallengeName"] == "NEW_PASSWORD_REQUIRED"


def test_weak_password(idp, confirmed_user):
    with expect_error("InvalidPasswordException"):
        idp.admin_set_user_password(UserPoolId=confirmed_user.pool_id, Username=confirmed_user.username,
                                    Password=WEAK_PASSWORD, Permanent=True)


def test_unknown_user(idp, pool):
    with expect_error("UserNotFoundException"):
        idp.admin_set_user_password(UserPoolId=pool["Id"], Username="nobody-here", Password=OTHER_PASSWORD,
                                    Permanent=True)
