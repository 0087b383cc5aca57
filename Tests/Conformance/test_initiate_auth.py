"""InitiateAuth: USER_PASSWORD_AUTH and REFRESH_TOKEN_AUTH (auth-flows.md §1-4, §10)."""
import re

from support import (PASSWORD, User, claims, expect_error, refresh, secret_hash, sign_in, sign_up, tokens)

TOKEN_RE = r"[A-Za-z0-9\-_=.]+"  # TokenModelType (model)
FLOW_NOT_ENABLED = {  # auth-flows.md §2 (observed; both wordings seen)
    "USER_PASSWORD_AUTH flow not enabled for this client",
    "Auth flow not enabled for this client",
}


def test_user_password_auth_returns_tokens(anon_idp, confirmed_user):
    resp = sign_in(anon_idp, confirmed_user)
    result = resp["AuthenticationResult"]
    for name in ("AccessToken", "IdToken", "RefreshToken"):
        assert re.fullmatch(TOKEN_RE, result[name]), name
    assert result["TokenType"] == "Bearer"
    assert result["ExpiresIn"] == 3600  # default access-token lifetime (tokens.md §1)
    # Real Cognito returns an empty ChallengeParameters object alongside tokens (auth-flows.md §1, observed).
    assert resp["ChallengeParameters"] == {}
    assert "ChallengeName" not in resp
    assert "Session" not in resp


def test_expires_in_follows_client_validity(anon_idp, pool, client_factory, idp):
    client = client_factory(AccessTokenValidity=30, TokenValidityUnits={"AccessToken": "minutes"})
    user = sign_up(anon_idp, pool["Id"], client)
    idp.admin_confirm_sign_up(UserPoolId=pool["Id"], Username=user.username)
    result = tokens(anon_idp, user)
    assert result["ExpiresIn"] == 1800
    access = claims(result["AccessToken"])
    assert access["exp"] - access["iat"] == 1800


def test_wrong_password(anon_idp, confirmed_user):
    # auth-flows.md §4 step 3 (observed text).
    with expect_error("NotAuthorizedException", "Incorrect username or password."):
        sign_in(anon_idp, confirmed_user, password="Wr0ng-Password!")


def test_unconfirmed_user(anon_idp, signed_up_user):
    # auth-flows.md §4 step 4 (observed text).
    with expect_error("UserNotConfirmedException", "User is not confirmed."):
        sign_in(anon_idp, signed_up_user)


def test_unconfirmed_user_with_wrong_password(anon_idp, signed_up_user):
    # The state check comes after a correct password (auth-flows.md §4).
    with expect_error("NotAuthorizedException", "Incorrect username or password."):
        sign_in(anon_idp, signed_up_user, password="Wr0ng-Password!")


def test_unknown_user(anon_idp, pool, client):
    ghost = User(pool["Id"], client["ClientId"], "nobody-here", PASSWORD, "", "")
    # LEGACY: "User does not exist." (user-pools.md PreventUserExistenceErrors, auth-flows.md §11).
    with expect_error("UserNotFoundException", "User does not exist."):
        sign_in(anon_idp, ghost)


def test_unknown_user_with_prevent_user_existence_errors(anon_idp, pool, client_factory):
    client = client_factory(PreventUserExistenceErrors="ENABLED")
    ghost = User(pool["Id"], client["ClientId"], "nobody-here", PASSWORD, "", "")
    # ENABLED: same answer as a wrong password (user-pools.md PreventUserExistenceErrors).
    with expect_error("NotAuthorizedException", "Incorrect username or password."):
        sign_in(anon_idp, ghost)


def test_flow_not_enabled(idp, anon_idp, pool, confirmed_user):
    # No ExplicitAuthFlows ⇒ SRP + REFRESH + CUSTOM only (auth-flows.md §2).
    client = idp.create_user_pool_client(UserPoolId=pool["Id"], ClientName="srp-only")["UserPoolClient"]
    with expect_error("InvalidParameterException") as info:
        anon_idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="USER_PASSWORD_AUTH",
                               AuthParameters={"USERNAME": confirmed_user.username, "PASSWORD": PASSWORD})
    assert info.value.response["Error"]["Message"] in FLOW_NOT_ENABLED


def test_unknown_auth_flow(anon_idp, confirmed_user):
    # AuthFlowType is an enum validated by the server (wire-protocol.md §1).
    with expect_error("InvalidParameterException"):
        anon_idp.initiate_auth(ClientId=confirmed_user.client_id, AuthFlow="BOGUS_AUTH",
                               AuthParameters={"USERNAME": confirmed_user.username, "PASSWORD": PASSWORD})


def test_unknown_client(anon_idp, confirmed_user):
    with expect_error("ResourceNotFoundException"):
        anon_idp.initiate_auth(ClientId="a" * 26, AuthFlow="USER_PASSWORD_AUTH",
                               AuthParameters={"USERNAME": confirmed_user.username, "PASSWORD": PASSWORD})


def test_secret_client_needs_secret_hash(idp, anon_idp, pool, secret_client):
    user = sign_up(anon_idp, pool["Id"], secret_client)
    idp.admin_confirm_sign_up(UserPoolId=pool["Id"], Username=user.username)
    message = f"Unable to verify secret hash for client {secret_client['ClientId']}"  # auth-flows.md §2 (observed)
    base = {"USERNAME": user.username, "PASSWORD": PASSWORD}
    with expect_error("NotAuthorizedException", message):
        anon_idp.initiate_auth(ClientId=user.client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters=base)
    with expect_error("NotAuthorizedException", message):
        anon_idp.initiate_auth(ClientId=user.client_id, AuthFlow="USER_PASSWORD_AUTH",
                               AuthParameters={**base, "SECRET_HASH": secret_hash(user.username, user.client_id, "nope")})
    assert tokens(anon_idp, user)["AccessToken"]


def test_refresh_token_auth(anon_idp, confirmed_user):
    first = tokens(anon_idp, confirmed_user)
    resp = refresh(anon_idp, confirmed_user, first["RefreshToken"])
    result = resp["AuthenticationResult"]
    # New access + ID token, no refresh token (auth-flows.md §10).
    assert result["AccessToken"] and result["IdToken"]
    assert "RefreshToken" not in result
    assert result["TokenType"] == "Bearer"
    assert result["ExpiresIn"] == 3600
    for kind in ("AccessToken", "IdToken"):
        old, new = claims(first[kind]), claims(result[kind])
        assert new["sub"] == old["sub"]
        # Same origin_jti and auth_time, new jti (tokens.md §7).
        assert new["origin_jti"] == old["origin_jti"]
        assert new["auth_time"] == old["auth_time"]
        assert new["jti"] != old["jti"]
    assert anon_idp.get_user(AccessToken=result["AccessToken"])["Username"] == confirmed_user.username


def test_refresh_on_secret_client(idp, anon_idp, pool, secret_client):
    user = sign_up(anon_idp, pool["Id"], secret_client)
    idp.admin_confirm_sign_up(UserPoolId=pool["Id"], Username=user.username)
    first = tokens(anon_idp, user)
    # SECRET_HASH over the username (auth-flows.md §3: accept username or sub).
    assert refresh(anon_idp, user, first["RefreshToken"])["AuthenticationResult"]["AccessToken"]
    with expect_error("NotAuthorizedException"):
        anon_idp.initiate_auth(ClientId=user.client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                               AuthParameters={"REFRESH_TOKEN": first["RefreshToken"]})


def test_refresh_with_garbage(anon_idp, confirmed_user):
    with expect_error("NotAuthorizedException"):
        refresh(anon_idp, confirmed_user, "not-a-refresh-token")


def test_refresh_with_another_client(anon_idp, client_factory, confirmed_user):
    # A refresh token must be used with the client that received it (tokens.md §7).
    first = tokens(anon_idp, confirmed_user)
    other = client_factory()
    with expect_error("NotAuthorizedException"):
        anon_idp.initiate_auth(ClientId=other["ClientId"], AuthFlow="REFRESH_TOKEN_AUTH",
                               AuthParameters={"REFRESH_TOKEN": first["RefreshToken"]})
