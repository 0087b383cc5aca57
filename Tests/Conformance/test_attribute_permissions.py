"""App-client attribute permissions (ReadAttributes / WriteAttributes), enforced on every path.

Cognito: writing an attribute the client may not write is NotAuthorizedException "A client attempted
to write unauthorized attribute"; attributes outside ReadAttributes are left out of GetUser and the ID
token; developer-only attributes (dev:custom:*) are never readable or writable through a client.
"""
from __future__ import annotations

from support import PASSWORD, OTHER_PASSWORD, attrs, claims, expect_error, sign_up, tokens, unique

UNAUTHORIZED = "A client attempted to write unauthorized attribute"
SCHEMA = [
    {"Name": "tier", "AttributeDataType": "String", "Mutable": True},
    {"Name": "secret", "AttributeDataType": "String", "Mutable": True, "DeveloperOnlyAttribute": True},
]


def restricted_pool(pool_factory):
    return pool_factory(Schema=SCHEMA)


def test_sign_up_refuses_an_attribute_the_client_may_not_write(anon_idp, pool_factory, client_factory):
    pool = restricted_pool(pool_factory)
    client = client_factory(pool_id=pool["Id"], WriteAttributes=["email", "name"], ReadAttributes=["email", "name"])
    with expect_error("NotAuthorizedException", UNAUTHORIZED):
        sign_up(anon_idp, pool["Id"], client, extra_attributes=[{"Name": "custom:tier", "Value": "gold"}])
    # The refused sign-up created nothing: the same name signs up cleanly afterwards.
    user = sign_up(anon_idp, pool["Id"], client, extra_attributes=[{"Name": "name", "Value": "Ann"}])
    assert user.sub


def test_developer_only_attributes_are_never_written_or_read_through_a_client(idp, anon_idp, pool_factory, client_factory):
    pool = restricted_pool(pool_factory)
    client = client_factory(pool_id=pool["Id"])  # no lists: every non-developer attribute
    with expect_error("NotAuthorizedException", UNAUTHORIZED):
        sign_up(anon_idp, pool["Id"], client, extra_attributes=[{"Name": "dev:custom:secret", "Value": "x"}])
    user = sign_up(anon_idp, pool["Id"], client)
    idp.admin_confirm_sign_up(UserPoolId=pool["Id"], Username=user.username)
    idp.admin_update_user_attributes(UserPoolId=pool["Id"], Username=user.username,
                                     UserAttributes=[{"Name": "dev:custom:secret", "Value": "hidden-value"}])
    # The administrator sees it; the user, their ID token and their access token never do.
    assert attrs(idp.admin_get_user(UserPoolId=pool["Id"], Username=user.username)["UserAttributes"])["dev:custom:secret"] == "hidden-value"
    result = tokens(anon_idp, user)
    assert "dev:custom:secret" not in attrs(anon_idp.get_user(AccessToken=result["AccessToken"])["UserAttributes"])
    assert "dev:custom:secret" not in claims(result["IdToken"])
    with expect_error("NotAuthorizedException", UNAUTHORIZED):
        anon_idp.update_user_attributes(AccessToken=result["AccessToken"], UserAttributes=[{"Name": "dev:custom:secret", "Value": "y"}])


def test_read_attributes_limit_get_user_and_the_id_token(idp, anon_idp, pool_factory, client_factory):
    pool = restricted_pool(pool_factory)
    client = client_factory(pool_id=pool["Id"], ReadAttributes=["email"], WriteAttributes=["email", "custom:tier"])
    user = sign_up(anon_idp, pool["Id"], client, extra_attributes=[{"Name": "custom:tier", "Value": "gold"}])
    idp.admin_confirm_sign_up(UserPoolId=pool["Id"], Username=user.username)
    result = tokens(anon_idp, user)
    shown = attrs(anon_idp.get_user(AccessToken=result["AccessToken"])["UserAttributes"])
    assert shown == {"sub": user.sub, "email": user.email}
    id_claims = claims(result["IdToken"])
    assert id_claims["email"] == user.email and "custom:tier" not in id_claims
    # The attribute exists: the administrator and an unrestricted client see it.
    assert attrs(idp.admin_get_user(UserPoolId=pool["Id"], Username=user.username)["UserAttributes"])["custom:tier"] == "gold"


def test_update_and_delete_user_attributes_obey_write_attributes(idp, anon_idp, pool_factory, client_factory):
    pool = restricted_pool(pool_factory)
    client = client_factory(pool_id=pool["Id"], WriteAttributes=["email", "name"])
    user = sign_up(anon_idp, pool["Id"], client, extra_attributes=[{"Name": "name", "Value": "Ann"}])
    idp.admin_confirm_sign_up(UserPoolId=pool["Id"], Username=user.username)
    idp.admin_update_user_attributes(UserPoolId=pool["Id"], Username=user.username, UserAttributes=[{"Name": "custom:tier", "Value": "gold"}])
    access = tokens(anon_idp, user)["AccessToken"]
    with expect_error("NotAuthorizedException", UNAUTHORIZED):
        anon_idp.update_user_attributes(AccessToken=access, UserAttributes=[{"Name": "custom:tier", "Value": "platinum"}])
    with expect_error("NotAuthorizedException", UNAUTHORIZED):
        anon_idp.delete_user_attributes(AccessToken=access, UserAttributeNames=["custom:tier"])
    with expect_error("NotAuthorizedException", UNAUTHORIZED):
        anon_idp.update_user_attributes(AccessToken=access, UserAttributes=[{"Name": "email_verified", "Value": "true"}])
    assert attrs(idp.admin_get_user(UserPoolId=pool["Id"], Username=user.username)["UserAttributes"])["custom:tier"] == "gold"
    # What the client may write, it may change and delete.
    anon_idp.update_user_attributes(AccessToken=access, UserAttributes=[{"Name": "name", "Value": "Anna"}])
    anon_idp.delete_user_attributes(AccessToken=access, UserAttributeNames=["name"])
    assert "name" not in attrs(idp.admin_get_user(UserPoolId=pool["Id"], Username=user.username)["UserAttributes"])
    idp.admin_delete_user_attributes(UserPoolId=pool["Id"], Username=user.username, UserAttributeNames=["custom:tier"])
    assert "custom:tier" not in attrs(idp.admin_get_user(UserPoolId=pool["Id"], Username=user.username)["UserAttributes"])


def test_new_password_challenge_obeys_both_lists(idp, anon_idp, pool_factory, client_factory):
    pool = restricted_pool(pool_factory)
    client = client_factory(pool_id=pool["Id"], ReadAttributes=["email"], WriteAttributes=["email", "name"])
    username = unique("invited")
    idp.admin_create_user(UserPoolId=pool["Id"], Username=username, TemporaryPassword=PASSWORD, MessageAction="SUPPRESS",
                          UserAttributes=[{"Name": "email", "Value": f"{username}@example.com"}, {"Name": "custom:tier", "Value": "gold"}])
    challenge = anon_idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="USER_PASSWORD_AUTH",
                                       AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD})
    assert challenge["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    import json

    shown = json.loads(challenge["ChallengeParameters"]["userAttributes"])
    assert "custom:tier" not in shown and shown["email"] == f"{username}@example.com"
    with expect_error("NotAuthorizedException", UNAUTHORIZED):
        anon_idp.respond_to_auth_challenge(
            ClientId=client["ClientId"], ChallengeName="NEW_PASSWORD_REQUIRED", Session=challenge["Session"],
            ChallengeResponses={"USERNAME": username, "NEW_PASSWORD": OTHER_PASSWORD, "userAttributes.custom:tier": "platinum"})
    # The refused answer consumed nothing: the same session completes with writable attributes only.
    done = anon_idp.respond_to_auth_challenge(
        ClientId=client["ClientId"], ChallengeName="NEW_PASSWORD_REQUIRED", Session=challenge["Session"],
        ChallengeResponses={"USERNAME": username, "NEW_PASSWORD": OTHER_PASSWORD, "userAttributes.name": "Ann"})
    assert "custom:tier" not in claims(done["AuthenticationResult"]["IdToken"])
    assert attrs(idp.admin_get_user(UserPoolId=pool["Id"], Username=username)["UserAttributes"])["custom:tier"] == "gold"


def test_client_lists_must_name_attributes_of_the_pool(pool_factory, client_factory):
    pool = restricted_pool(pool_factory)
    with expect_error("InvalidParameterException"):
        client_factory(pool_id=pool["Id"], ReadAttributes=["email", "custom:nope"])
    with expect_error("InvalidParameterException"):
        client_factory(pool_id=pool["Id"], WriteAttributes=["dev:custom:secret"])
