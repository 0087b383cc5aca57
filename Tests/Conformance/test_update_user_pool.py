"""UpdateUserPool: replaces mutable settings; omitted settings reset to defaults (user-pools.md)."""
from support import expect_error, sign_up


def test_changes_persist(idp, pool_factory):
    pool = pool_factory()
    idp.update_user_pool(
        UserPoolId=pool["Id"],
        Policies={"PasswordPolicy": {"MinimumLength": 10, "RequireUppercase": False, "RequireLowercase": True,
                                     "RequireNumbers": True, "RequireSymbols": False,
                                     "TemporaryPasswordValidityDays": 2}},
        AutoVerifiedAttributes=["email"],
        EmailVerificationSubject="Your Postern code",
    )
    described = idp.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]
    policy = described["Policies"]["PasswordPolicy"]
    assert policy["MinimumLength"] == 10
    assert policy["RequireUppercase"] is False
    assert policy["RequireSymbols"] is False
    assert policy["TemporaryPasswordValidityDays"] == 2
    assert described["AutoVerifiedAttributes"] == ["email"]
    assert described["Name"] == pool["Name"]
    assert described["LastModifiedDate"] >= pool["LastModifiedDate"]


def test_new_password_policy_applies(idp, anon_idp, pool_factory):
    pool = pool_factory()
    client = idp.create_user_pool_client(UserPoolId=pool["Id"], ClientName="c")["UserPoolClient"]
    idp.update_user_pool(
        UserPoolId=pool["Id"],
        Policies={"PasswordPolicy": {"MinimumLength": 6, "RequireUppercase": False, "RequireLowercase": True,
                                     "RequireNumbers": False, "RequireSymbols": False}},
    )
    sign_up(anon_idp, pool["Id"], client, password="lowercaseonly")  # would fail the default policy


def test_omitted_settings_reset_to_defaults(idp, pool_factory):
    pool = pool_factory(
        Policies={"PasswordPolicy": {"MinimumLength": 12, "RequireUppercase": False, "RequireLowercase": False,
                                     "RequireNumbers": False, "RequireSymbols": False}},
        AutoVerifiedAttributes=["email"],
    )
    # Not a patch: Policies and AutoVerifiedAttributes omitted here go back to their defaults.
    idp.update_user_pool(UserPoolId=pool["Id"], MfaConfiguration="OFF")
    described = idp.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]
    policy = described["Policies"]["PasswordPolicy"]
    assert policy["MinimumLength"] == 8
    assert policy["RequireUppercase"] is True
    assert policy["RequireLowercase"] is True
    assert policy["RequireNumbers"] is True
    assert policy["RequireSymbols"] is True
    assert not described.get("AutoVerifiedAttributes")


def test_unknown_pool(idp):
    with expect_error("ResourceNotFoundException"):
        idp.update_user_pool(UserPoolId="us-east-1_doesNotExist0", MfaConfiguration="OFF")


def test_invalid_policy(idp, pool_factory):
    pool = pool_factory()
    with expect_error("InvalidParameterException"):
        idp.update_user_pool(UserPoolId=pool["Id"], Policies={"PasswordPolicy": {"MinimumLength": 100}})
