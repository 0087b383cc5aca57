"""UpdateUserPoolClient: replaces the client config; omitted fields reset to defaults (user-pools.md)."""
from support import PASSWORD, expect_error, sign_up


def test_changes_persist_and_secret_is_kept(idp, pool, client_factory):
    created = client_factory(GenerateSecret=True, PreventUserExistenceErrors="ENABLED")
    updated = idp.update_user_pool_client(
        UserPoolId=pool["Id"], ClientId=created["ClientId"], ClientName="renamed",
        ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        AccessTokenValidity=2, TokenValidityUnits={"AccessToken": "hours"},
    )["UserPoolClient"]
    assert updated["ClientId"] == created["ClientId"]
    assert updated["ClientName"] == "renamed"
    assert sorted(updated["ExplicitAuthFlows"]) == ["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH"]
    assert updated["AccessTokenValidity"] == 2
    assert updated["ClientSecret"] == created["ClientSecret"]

    described = idp.describe_user_pool_client(UserPoolId=pool["Id"], ClientId=created["ClientId"])["UserPoolClient"]
    assert described["ClientName"] == "renamed"
    assert sorted(described["ExplicitAuthFlows"]) == ["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH"]
    assert described["ClientSecret"] == created["ClientSecret"]
    # Omitted PreventUserExistenceErrors goes back to its default, LEGACY.
    assert described.get("PreventUserExistenceErrors", "LEGACY") == "LEGACY"


def test_removed_flow_is_refused(idp, anon_idp, pool, client):
    user = sign_up(anon_idp, pool["Id"], client)
    idp.admin_confirm_sign_up(UserPoolId=pool["Id"], Username=user.username)
    idp.update_user_pool_client(UserPoolId=pool["Id"], ClientId=client["ClientId"],
                                ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    with expect_error("InvalidParameterException"):
        anon_idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="USER_PASSWORD_AUTH",
                               AuthParameters={"USERNAME": user.username, "PASSWORD": PASSWORD})


def test_unknown_client(idp, pool):
    with expect_error("ResourceNotFoundException"):
        idp.update_user_pool_client(UserPoolId=pool["Id"], ClientId="a" * 26, ClientName="x")
