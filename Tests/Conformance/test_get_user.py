"""GetUser: authorized by the access token only (unsigned; tokens.md §5)."""
from support import attrs, expect_error, tokens


def test_with_access_token(anon_idp, confirmed_user):
    user = confirmed_user
    auth = tokens(anon_idp, user)
    got = anon_idp.get_user(AccessToken=auth["AccessToken"])
    assert got["Username"] == user.username
    a = attrs(got["UserAttributes"])
    assert a["sub"] == user.sub
    assert a["email"] == user.email


def test_with_id_token(anon_idp, confirmed_user):
    auth = tokens(anon_idp, confirmed_user)
    # token_use must be "access" (tokens.md §5).
    with expect_error("NotAuthorizedException"):
        anon_idp.get_user(AccessToken=auth["IdToken"])


def test_with_garbage(anon_idp):
    # "Invalid Access Token" (auth-flows.md §11, observed).
    with expect_error("NotAuthorizedException", "Invalid Access Token"):
        anon_idp.get_user(AccessToken="not-a-token")
