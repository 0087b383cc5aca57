"""DescribeUserPoolClient (the only read that reveals ClientSecret besides Create)."""
from support import ALL_FLOWS, expect_error


def test_returns_the_created_client(idp, pool, secret_client):
    described = idp.describe_user_pool_client(UserPoolId=pool["Id"], ClientId=secret_client["ClientId"])["UserPoolClient"]
    assert described["ClientId"] == secret_client["ClientId"]
    assert described["ClientName"] == secret_client["ClientName"]
    assert described["UserPoolId"] == pool["Id"]
    assert described["ClientSecret"] == secret_client["ClientSecret"]
    assert sorted(described["ExplicitAuthFlows"]) == sorted(ALL_FLOWS)
    assert described["EnableTokenRevocation"] is True


def test_public_client_has_no_secret(idp, pool, client):
    described = idp.describe_user_pool_client(UserPoolId=pool["Id"], ClientId=client["ClientId"])["UserPoolClient"]
    assert "ClientSecret" not in described


def test_unknown_client(idp, pool):
    with expect_error("ResourceNotFoundException"):
        idp.describe_user_pool_client(UserPoolId=pool["Id"], ClientId="a" * 26)


def test_client_of_another_pool(idp, pool_factory, client):
    other = pool_factory()
    with expect_error("ResourceNotFoundException"):
        idp.describe_user_pool_client(UserPoolId=other["Id"], ClientId=client["ClientId"])


def test_unknown_pool(idp, client):
    with expect_error("ResourceNotFoundException"):
        idp.describe_user_pool_client(UserPoolId="us-east-1_doesNotExist0", ClientId=client["ClientId"])
