"""DescribeUserPool."""
from support import expect_error


def test_returns_the_created_pool(idp, pool_factory):
    created = pool_factory(AutoVerifiedAttributes=["email"])
    pool = idp.describe_user_pool(UserPoolId=created["Id"])["UserPool"]
    assert pool["Id"] == created["Id"]
    assert pool["Name"] == created["Name"]
    assert pool["Arn"] == created["Arn"]
    assert pool["Policies"] == created["Policies"]
    assert pool["MfaConfiguration"] == "OFF"
    assert pool["AutoVerifiedAttributes"] == ["email"]
    assert {a["Name"] for a in pool["SchemaAttributes"]} == {a["Name"] for a in created["SchemaAttributes"]}


def test_unknown_pool(idp):
    with expect_error("ResourceNotFoundException"):
        idp.describe_user_pool(UserPoolId="us-east-1_doesNotExist0")


def test_malformed_pool_id(idp):
    # UserPoolIdType pattern `[\w-]+_[0-9a-zA-Z]+` is enforced server-side (wire-protocol.md §1).
    with expect_error("InvalidParameterException"):
        idp.describe_user_pool(UserPoolId="not-a-pool-id")
