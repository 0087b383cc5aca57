"""CreateUserPoolClient (user-pools.md "App-client defaults")."""
import datetime
import re

from support import ALL_FLOWS, expect_error, unique


def test_public_client(idp, pool):
    name = unique("client")
    client = idp.create_user_pool_client(UserPoolId=pool["Id"], ClientName=name,
                                         ExplicitAuthFlows=ALL_FLOWS)["UserPoolClient"]
    # Real client ids are 26 lowercase alphanumerics (user-pools.md ids, observed).
    assert re.fullmatch(r"[a-z0-9]{26}", client["ClientId"]), client["ClientId"]
    assert client["UserPoolId"] == pool["Id"]
    assert client["ClientName"] == name
    assert "ClientSecret" not in client
    assert sorted(client["ExplicitAuthFlows"]) == sorted(ALL_FLOWS)
    assert isinstance(client["CreationDate"], datetime.datetime)
    assert isinstance(client["LastModifiedDate"], datetime.datetime)
    # EnableTokenRevocation defaults to true for new clients (user-pools.md).
    assert client["EnableTokenRevocation"] is True
    # PreventUserExistenceErrors defaults to LEGACY in the API (user-pools.md).
    assert client.get("PreventUserExistenceErrors", "LEGACY") == "LEGACY"


def test_client_with_secret(idp, pool):
    client = idp.create_user_pool_client(UserPoolId=pool["Id"], ClientName="c", GenerateSecret=True)["UserPoolClient"]
    # ClientSecretType: 24-64 chars, pattern [\w+]+ (model).
    assert re.fullmatch(r"[\w+]{24,64}", client["ClientSecret"]), client["ClientSecret"]


def test_ids_and_secrets_are_unique(idp, pool):
    a = idp.create_user_pool_client(UserPoolId=pool["Id"], ClientName="a", GenerateSecret=True)["UserPoolClient"]
    b = idp.create_user_pool_client(UserPoolId=pool["Id"], ClientName="b", GenerateSecret=True)["UserPoolClient"]
    assert a["ClientId"] != b["ClientId"]
    assert a["ClientSecret"] != b["ClientSecret"]


def test_token_validity_and_units(idp, pool):
    units = {"AccessToken": "minutes", "IdToken": "minutes", "RefreshToken": "days"}
    client = idp.create_user_pool_client(
        UserPoolId=pool["Id"], ClientName="c",
        AccessTokenValidity=30, IdTokenValidity=45, RefreshTokenValidity=10, TokenValidityUnits=units,
    )["UserPoolClient"]
    assert client["AccessTokenValidity"] == 30
    assert client["IdTokenValidity"] == 45
    assert client["RefreshTokenValidity"] == 10
    assert client["TokenValidityUnits"] == units


def test_prevent_user_existence_errors_and_revocation_flags(idp, pool):
    client = idp.create_user_pool_client(
        UserPoolId=pool["Id"], ClientName="c",
        PreventUserExistenceErrors="ENABLED", EnableTokenRevocation=False,
    )["UserPoolClient"]
    assert client["PreventUserExistenceErrors"] == "ENABLED"
    assert client["EnableTokenRevocation"] is False


def test_unknown_pool(idp):
    with expect_error("ResourceNotFoundException"):
        idp.create_user_pool_client(UserPoolId="us-east-1_doesNotExist0", ClientName="c")


def test_legacy_and_allow_flows_cannot_mix(idp, pool):
    # Legacy ExplicitAuthFlows values cannot be mixed with ALLOW_* values (user-pools.md).
    with expect_error("InvalidParameterException"):
        idp.create_user_pool_client(UserPoolId=pool["Id"], ClientName="c",
                                    ExplicitAuthFlows=["USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])


def test_unknown_auth_flow(idp, pool):
    # ExplicitAuthFlowsType is an enum; the server validates enums (wire-protocol.md §1).
    with expect_error("InvalidParameterException"):
        idp.create_user_pool_client(UserPoolId=pool["Id"], ClientName="c", ExplicitAuthFlows=["ALLOW_EVERYTHING"])


def test_access_token_validity_out_of_range(idp, pool):
    # Access-token validity ranges from 5 minutes to 1 day (model TokenValidityUnitsType docs).
    with expect_error("InvalidParameterException"):
        idp.create_user_pool_client(UserPoolId=pool["Id"], ClientName="c", AccessTokenValidity=2,
                                    TokenValidityUnits={"AccessToken": "days"})
