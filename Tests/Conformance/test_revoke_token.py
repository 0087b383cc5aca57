"""RevokeToken: one refresh token and the access tokens minted from it (tokens.md §6)."""
import secrets

from support import expect_error, refresh, sign_up, tokens


def test_revokes_refresh_and_its_access_tokens(anon_idp, confirmed_user):
    user = confirmed_user
    revoked = tokens(anon_idp, user)
    kept = tokens(anon_idp, user)
    refreshed = refresh(anon_idp, user, revoked["RefreshToken"])["AuthenticationResult"]

    anon_idp.revoke_token(Token=revoked["RefreshToken"], ClientId=user.client_id)

    with expect_error("NotAuthorizedException", "Refresh Token has been revoked"):
        refresh(anon_idp, user, revoked["RefreshToken"])
    # Every access token with the same origin_jti is revoked, including ones minted by refresh.
    for access in (revoked["AccessToken"], refreshed["AccessToken"]):
        with expect_error("NotAuthorizedException"):
            anon_idp.get_user(AccessToken=access)
    # Other refresh tokens of the user are unaffected.
    assert anon_idp.get_user(AccessToken=kept["AccessToken"])["Username"] == user.username
    assert refresh(anon_idp, user, kept["RefreshToken"])["AuthenticationResult"]["AccessToken"]


def test_revoking_twice_succeeds(anon_idp, confirmed_user):
    auth = tokens(anon_idp, confirmed_user)
    anon_idp.revoke_token(Token=auth["RefreshToken"], ClientId=confirmed_user.client_id)
    anon_idp.revoke_token(Token=auth["RefreshToken"], ClientId=confirmed_user.client_id)


def test_unknown_token_succeeds(anon_idp, client):
    # Unknown or already revoked token → success, as /oauth2/revoke (tokens.md §6).
    resp = anon_idp.revoke_token(Token=secrets.token_urlsafe(48), ClientId=client["ClientId"])
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_access_token_is_not_a_refresh_token(anon_idp, confirmed_user):
    auth = tokens(anon_idp, confirmed_user)
    with expect_error("UnsupportedTokenTypeException"):
        anon_idp.revoke_token(Token=auth["AccessToken"], ClientId=confirmed_user.client_id)


def test_revocation_disabled(idp, anon_idp, pool, client_factory):
    client = client_factory(EnableTokenRevocation=False)
    user = sign_up(anon_idp, pool["Id"], client)
    idp.admin_confirm_sign_up(UserPoolId=pool["Id"], Username=user.username)
    auth = tokens(anon_idp, user)
    with expect_error("UnsupportedOperationException"):
        anon_idp.revoke_token(Token=auth["RefreshToken"], ClientId=client["ClientId"])


def test_secret_client_needs_its_secret(idp, anon_idp, pool, secret_client):
    user = sign_up(anon_idp, pool["Id"], secret_client)
    idp.admin_confirm_sign_up(UserPoolId=pool["Id"], Username=user.username)
    auth = tokens(anon_idp, user)
    with expect_error("UnauthorizedException"):
        anon_idp.revoke_token(Token=auth["RefreshToken"], ClientId=user.client_id, ClientSecret="w" * 40)
    anon_idp.revoke_token(Token=auth["RefreshToken"], ClientId=user.client_id, ClientSecret=user.client_secret)
    with expect_error("NotAuthorizedException", "Refresh Token has been revoked"):
        refresh(anon_idp, user, auth["RefreshToken"])
