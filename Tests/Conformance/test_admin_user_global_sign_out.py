"""AdminUserGlobalSignOut (tokens.md §6)."""
from support import expect_error, refresh, sign_up, tokens


def test_sign_out_everywhere(idp, anon_idp, confirmed_user):
    user = confirmed_user
    auth = tokens(anon_idp, user)
    idp.admin_user_global_sign_out(UserPoolId=user.pool_id, Username=user.username)
    with expect_error("NotAuthorizedException", "Refresh Token has been revoked"):
        refresh(anon_idp, user, auth["RefreshToken"])
    with expect_error("NotAuthorizedException", "Access Token has been revoked"):
        anon_idp.get_user(AccessToken=auth["AccessToken"])
    again = tokens(anon_idp, user)
    assert anon_idp.get_user(AccessToken=again["AccessToken"])["Username"] == user.username


def test_other_users_are_unaffected(idp, anon_idp, pool, client, confirmed_user):
    other = sign_up(anon_idp, pool["Id"], client)
    idp.admin_confirm_sign_up(UserPoolId=pool["Id"], Username=other.username)
    other_tokens = tokens(anon_idp, other)
    idp.admin_user_global_sign_out(UserPoolId=pool["Id"], Username=confirmed_user.username)
    assert anon_idp.get_user(AccessToken=other_tokens["AccessToken"])["Username"] == other.username


def test_unknown_user(idp, pool):
    with expect_error("UserNotFoundException"):
        idp.admin_user_global_sign_out(UserPoolId=pool["Id"], Username="nobody-here")
