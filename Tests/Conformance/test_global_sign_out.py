"""GlobalSignOut: revokes every refresh token of the user and their access tokens (tokens.md §6)."""
from support import expect_error, refresh, tokens


def test_sign_out_everywhere(anon_idp, confirmed_user):
    user = confirmed_user
    first = tokens(anon_idp, user)
    second = tokens(anon_idp, user)
    anon_idp.global_sign_out(AccessToken=first["AccessToken"])
    for session in (first, second):
        # Observed texts (auth-flows.md §10, §11).
        with expect_error("NotAuthorizedException", "Refresh Token has been revoked"):
            refresh(anon_idp, user, session["RefreshToken"])
        with expect_error("NotAuthorizedException", "Access Token has been revoked"):
            anon_idp.get_user(AccessToken=session["AccessToken"])


def test_new_sign_in_after_sign_out_works(anon_idp, confirmed_user):
    user = confirmed_user
    old = tokens(anon_idp, user)
    anon_idp.global_sign_out(AccessToken=old["AccessToken"])
    new = tokens(anon_idp, user)
    assert anon_idp.get_user(AccessToken=new["AccessToken"])["Username"] == user.username
    assert refresh(anon_idp, user, new["RefreshToken"])["AuthenticationResult"]["AccessToken"]


def test_with_garbage(anon_idp):
    with expect_error("NotAuthorizedException"):
        anon_idp.global_sign_out(AccessToken="not-a-token")
