"""CreateUserPool: defaults and validation (user-pools.md "Pool defaults worth reproducing")."""
import datetime
import re

from support import expect_error, unique


def test_defaults(idp, pool_factory):
    name = unique("pool")
    pool = pool_factory(PoolName=name)

    # Id `{region}_{suffix}`, suffix alphanumeric (model pattern `[\w-]+_[0-9a-zA-Z]+`; user-pools.md ids).
    assert re.fullmatch(r"us-east-1_[0-9A-Za-z]+", pool["Id"]), pool["Id"]
    # ARN arn:aws:cognito-idp:{region}:{account}:userpool/{poolId} (user-pools.md ids).
    assert re.fullmatch(r"arn:aws:cognito-idp:us-east-1:\d{12}:userpool/" + re.escape(pool["Id"]), pool["Arn"]), pool["Arn"]
    assert pool["Name"] == name

    # Password policy defaults observed in real CreateUserPool output (user-pools.md).
    policy = pool["Policies"]["PasswordPolicy"]
    assert policy["MinimumLength"] == 8
    assert policy["RequireUppercase"] is True
    assert policy["RequireLowercase"] is True
    assert policy["RequireNumbers"] is True
    assert policy["RequireSymbols"] is True
    assert policy["TemporaryPasswordValidityDays"] == 7

    assert pool["MfaConfiguration"] == "OFF"
    assert pool.get("DeletionProtection", "INACTIVE") == "INACTIVE"
    assert isinstance(pool["CreationDate"], datetime.datetime)
    assert isinstance(pool["LastModifiedDate"], datetime.datetime)

    # Standard schema attributes (user-pools.md).
    schema = {a["Name"]: a for a in pool["SchemaAttributes"]}
    for standard in ("sub", "email", "email_verified", "phone_number", "phone_number_verified",
                     "name", "given_name", "family_name", "preferred_username", "updated_at"):
        assert standard in schema, f"{standard} missing from SchemaAttributes"
    assert schema["sub"]["Mutable"] is False
    assert schema["email"]["AttributeDataType"] == "String"


def test_custom_attribute_in_schema(pool_factory):
    pool = pool_factory(Schema=[{"Name": "tier", "AttributeDataType": "String", "Mutable": True}])
    schema = {a["Name"]: a for a in pool["SchemaAttributes"]}
    # Custom attributes are named `custom:<name>` (user-pools.md).
    assert "custom:tier" in schema
    assert schema["custom:tier"]["AttributeDataType"] == "String"


def test_policy_and_settings_are_stored(pool_factory):
    pool = pool_factory(
        Policies={"PasswordPolicy": {"MinimumLength": 12, "RequireUppercase": False, "RequireLowercase": True,
                                     "RequireNumbers": False, "RequireSymbols": False,
                                     "TemporaryPasswordValidityDays": 3}},
        AutoVerifiedAttributes=["email"],
        DeletionProtection="INACTIVE",
    )
    policy = pool["Policies"]["PasswordPolicy"]
    assert policy["MinimumLength"] == 12
    assert policy["RequireUppercase"] is False
    assert policy["RequireSymbols"] is False
    assert policy["TemporaryPasswordValidityDays"] == 3
    assert pool["AutoVerifiedAttributes"] == ["email"]


def test_ids_are_unique(pool_factory):
    assert pool_factory()["Id"] != pool_factory()["Id"]


def test_pool_name_too_long(idp):
    # PoolName is 1-128 chars (model UserPoolNameType); the server enforces max lengths (wire-protocol.md §1).
    with expect_error("InvalidParameterException"):
        idp.create_user_pool(PoolName="p" * 129)


def test_minimum_length_out_of_range(idp):
    # PasswordPolicyMinLengthType is 6-99 (model); botocore only checks the minimum client-side.
    with expect_error("InvalidParameterException"):
        idp.create_user_pool(PoolName=unique("pool"), Policies={"PasswordPolicy": {"MinimumLength": 100}})


def test_alias_and_username_attributes_are_exclusive(idp):
    # AliasAttributes and UsernameAttributes are mutually exclusive (user-pools.md).
    with expect_error("InvalidParameterException"):
        idp.create_user_pool(PoolName=unique("pool"), AliasAttributes=["email"], UsernameAttributes=["email"])
