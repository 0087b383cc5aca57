"""AdminDeleteUser."""
from support import expect_error, sign_in, sign_up


def test_delete(idp, anon_idp, confirmed_user):
    user = confirmed_user
    idp.admin_delete_user(UserPoolId=user.pool_id, Username=user.username)
    with expect_error("UserNotFoundException", "User does not exist."):
        idp.admin_get_user(UserPoolId=user.pool_id, Username=user.username)
    with expect_error("UserNotFoundException"):
        sign_in(anon_idp, user)
    with expect_error("UserNotFoundException"):
        idp.admin_delete_user(UserPoolId=user.pool_id, Username=user.username)


def test_username_can_be_reused(idp, anon_idp, pool, client, confirmed_user):
    idp.admin_delete_user(UserPoolId=pool["Id"], Username=confirmed_user.username)
    again = sign_up(anon_idp, pool["Id"], client, username=confirmed_user.username)
    # A sub is never reused (user-pools.md ids).
    assert again.sub != confirmed_user.sub


def test_unknown_user(idp, pool):
    with expect_error("UserNotFoundException", "User does not exist."):
        idp.admin_delete_user(UserPoolId=pool["Id"], Username="nobody-here")
