"""AdminInitiateAuth: ADMIN_USER_PASSWORD_AUTH (auth-flows.md §2)."""
from support import PASSWORD, claims, expect_error, secret_hash, sign_up


def _admin_auth(idp, user, password=PASSWORD, client_id=None, **extra):
    params = {"USERNAME": user.username, "PASSWORD": password, **extra}
    return idp.admin_initiate_auth(UserPoolId=user.pool_id, ClientId=client_id or user.client_id,
                                   AuthFlow="ADMIN_USER_PASSWORD_AUTH", AuthParameters=params)


def test_returns_tokens(idp, confirmed_user):
    resp = _admin_auth(idp, confirmed_user)
    result = resp["AuthenticationResult"]
    assert result["TokenType"] == "Bearer"
    assert result["ExpiresIn"] == 3600
    assert result["AccessToken"] and result["IdToken"] and result["RefreshToken"]
    assert resp["ChallengeParameters"] == {}
    assert claims(result["AccessToken"])["username"] == confirmed_user.username


def test_wrong_password(idp, confirmed_user):
    with expect_error("NotAuthorizedException", "Incorrect username or password."):
        _admin_auth(idp, confirmed_user, password="Wr0ng-Password!")


def test_unknown_user(idp, confirmed_user):
    confirmed_user.username = "nobody-here"
    with expect_error("UserNotFoundException", "User does not exist."):
        _admin_auth(idp, confirmed_user)


def test_unconfirmed(idp, signed_up_user):
    with expect_error("UserNotConfirmedException", "User is not confirmed."):
        _admin_auth(idp, signed_up_user)


def test_flow_not_enabled(idp, client_factory, confirmed_user):
    client = client_factory(ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    with expect_error("InvalidParameterException"):
        _admin_auth(idp, confirmed_user, client_id=client["ClientId"])


def test_refresh_token_auth(idp, confirmed_user):
    first = _admin_auth(idp, confirmed_user)["AuthenticationResult"]
    result = idp.admin_initiate_auth(UserPoolId=confirmed_user.pool_id, ClientId=confirmed_user.client_id,
                                     AuthFlow="REFRESH_TOKEN_AUTH",
                                     AuthParameters={"REFRESH_TOKEN": first["RefreshToken"]})["AuthenticationResult"]
    assert "RefreshToken" not in result
    assert claims(result["AccessToken"])["origin_jti"] == claims(first["AccessToken"])["origin_jti"]


def test_secret_client(idp, anon_idp, pool, secret_client):
    user = sign_up(anon_idp, pool["Id"], secret_client)
    idp.admin_confirm_sign_up(UserPoolId=pool["Id"], Username=user.username)
    with expect_error("NotAuthorizedException", f"Unable to verify secret hash for client {secret_client['ClientId']}"):
        _admin_auth(idp, user)
    result = _admin_auth(idp, user, SECRET_HASH=secret_hash(user.username, user.client_id, user.client_secret))
    assert result["AuthenticationResult"]["AccessToken"]


def test_unknown_pool(idp, confirmed_user):
    confirmed_user.pool_id = "us-east-1_doesNotExist0"
    with expect_error("ResourceNotFoundException"):
        _admin_auth(idp, confirmed_user)


def test_requires_signature(anon_idp, confirmed_user):
    # Admin operations are SigV4-signed (wire-protocol.md §1); see test_admin_auth.py for the codes.
    with expect_error("MissingAuthenticationTokenException", status=(400, 403)):
        _admin_auth(anon_idp, confirmed_user)
