"""AdminRespondToAuthChallenge: NEW_PASSWORD_REQUIRED via the admin flow (auth-flows.md §6)."""
import json

import pytest

from support import OTHER_PASSWORD, PASSWORD, WEAK_PASSWORD, expect_error, unique


@pytest.fixture
def invited(idp, pool, client):
    username = unique("invited")
    idp.admin_create_user(UserPoolId=pool["Id"], Username=username, TemporaryPassword=PASSWORD,
                          MessageAction="SUPPRESS",
                          UserAttributes=[{"Name": "email", "Value": f"{username}@example.com"}])
    return pool["Id"], client["ClientId"], username


def _challenge(idp, invited):
    pool_id, client_id, username = invited
    resp = idp.admin_initiate_auth(UserPoolId=pool_id, ClientId=client_id, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                   AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD})
    assert resp["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    assert len(resp["Session"]) >= 20
    params = resp["ChallengeParameters"]
    assert params["USER_ID_FOR_SRP"] == username
    assert json.loads(params["requiredAttributes"]) == []
    assert json.loads(params["userAttributes"])["email"] == f"{username}@example.com"
    return resp["Session"]


def _respond(idp, invited, session, new_password=OTHER_PASSWORD):
    pool_id, client_id, username = invited
    return idp.admin_respond_to_auth_challenge(
        UserPoolId=pool_id, ClientId=client_id, ChallengeName="NEW_PASSWORD_REQUIRED", Session=session,
        ChallengeResponses={"USERNAME": username, "NEW_PASSWORD": new_password})


def test_new_password_completes_sign_in(idp, invited):
    result = _respond(idp, invited, _challenge(idp, invited))["AuthenticationResult"]
    assert result["AccessToken"] and result["IdToken"] and result["RefreshToken"]
    assert result["ExpiresIn"] == 3600
    pool_id, client_id, username = invited
    assert idp.admin_get_user(UserPoolId=pool_id, Username=username)["UserStatus"] == "CONFIRMED"
    again = idp.admin_initiate_auth(UserPoolId=pool_id, ClientId=client_id, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                    AuthParameters={"USERNAME": username, "PASSWORD": OTHER_PASSWORD})
    assert again["AuthenticationResult"]["AccessToken"]


def test_weak_new_password(idp, invited):
    with expect_error("InvalidPasswordException"):
        _respond(idp, invited, _challenge(idp, invited), WEAK_PASSWORD)


def test_session_is_single_use(idp, invited):
    session = _challenge(idp, invited)
    _respond(idp, invited, session)
    with expect_error("NotAuthorizedException", "Invalid session for the user, session can only be used once."):
        _respond(idp, invited, session, "An0ther-Password!")
