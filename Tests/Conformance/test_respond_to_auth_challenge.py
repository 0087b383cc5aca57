"""RespondToAuthChallenge: NEW_PASSWORD_REQUIRED for an AdminCreateUser user (auth-flows.md §6)."""
import json

import pytest

from support import (OTHER_PASSWORD, PASSWORD, WEAK_PASSWORD, User, attrs, expect_error, sign_in, tokens, unique)


@pytest.fixture
def invited_user(idp, pool, client):
    """An AdminCreateUser user in FORCE_CHANGE_PASSWORD whose temporary password is PASSWORD."""
    username = unique("invited")
    email = f"{username}@example.com"
    created = idp.admin_create_user(UserPoolId=pool["Id"], Username=username, TemporaryPassword=PASSWORD,
                                    MessageAction="SUPPRESS",
                                    UserAttributes=[{"Name": "email", "Value": email}])["User"]
    return User(pool["Id"], client["ClientId"], username, PASSWORD, email, attrs(created["Attributes"])["sub"])


def _challenge(anon_idp, user):
    resp = sign_in(anon_idp, user)
    assert resp["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    assert "AuthenticationResult" not in resp
    return resp


def _respond(anon_idp, user, session, new_password=OTHER_PASSWORD):
    return anon_idp.respond_to_auth_challenge(
        ClientId=user.client_id, ChallengeName="NEW_PASSWORD_REQUIRED", Session=session,
        ChallengeResponses={"USERNAME": user.username, "NEW_PASSWORD": new_password})


def test_challenge_parameters(anon_idp, invited_user):
    resp = _challenge(anon_idp, invited_user)
    # Session: opaque, 20-2048 chars (botocore rejects < 20 client-side; auth-flows.md §1).
    assert 20 <= len(resp["Session"]) <= 2048
    params = resp["ChallengeParameters"]
    assert params["USER_ID_FOR_SRP"] == invited_user.username
    # requiredAttributes: JSON-array string; userAttributes: JSON-object string (auth-flows.md §6).
    assert json.loads(params["requiredAttributes"]) == []
    user_attributes = json.loads(params["userAttributes"])
    assert isinstance(user_attributes, dict)
    assert user_attributes["email"] == invited_user.email


def test_new_password_completes_sign_in(idp, anon_idp, invited_user):
    session = _challenge(anon_idp, invited_user)["Session"]
    resp = _respond(anon_idp, invited_user, session)
    result = resp["AuthenticationResult"]
    assert result["AccessToken"] and result["IdToken"] and result["RefreshToken"]
    assert result["TokenType"] == "Bearer"
    assert resp.get("ChallengeParameters", {}) == {}
    got = idp.admin_get_user(UserPoolId=invited_user.pool_id, Username=invited_user.username)
    assert got["UserStatus"] == "CONFIRMED"
    assert anon_idp.get_user(AccessToken=result["AccessToken"])["Username"] == invited_user.username
    # The new password is now the password; the temporary one is gone.
    assert tokens(anon_idp, invited_user, OTHER_PASSWORD)["AccessToken"]
    with expect_error("NotAuthorizedException", "Incorrect username or password."):
        sign_in(anon_idp, invited_user, PASSWORD)


def test_weak_new_password(idp, anon_idp, invited_user):
    session = _challenge(anon_idp, invited_user)["Session"]
    with expect_error("InvalidPasswordException"):
        _respond(anon_idp, invited_user, session, WEAK_PASSWORD)
    got = idp.admin_get_user(UserPoolId=invited_user.pool_id, Username=invited_user.username)
    assert got["UserStatus"] == "FORCE_CHANGE_PASSWORD"


def test_session_is_single_use(anon_idp, invited_user):
    session = _challenge(anon_idp, invited_user)["Session"]
    _respond(anon_idp, invited_user, session)
    # Observed text (auth-flows.md §1).
    with expect_error("NotAuthorizedException", "Invalid session for the user, session can only be used once."):
        _respond(anon_idp, invited_user, session, "An0ther-Password!")


def test_forged_session(anon_idp, invited_user):
    _challenge(anon_idp, invited_user)
    with expect_error("NotAuthorizedException"):
        _respond(anon_idp, invited_user, "x" * 64)
