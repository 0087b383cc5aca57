"""Fixtures for the conformance suite: boto3 clients, a fresh pool per test, app clients, users.

Every test gets its own user pool (unique name) so tests stay independent; the pool is deleted
afterwards. Helpers live in support.py.
"""
from __future__ import annotations

import warnings

import pytest
from botocore.exceptions import ClientError

from support import (
    ALL_FLOWS,
    OUTBOX_FILE,
    Outbox,
    id_token_login,
    make_identity,
    make_idp,
    secret_hash,  # noqa: F401  (re-exported: the helper tests use for SECRET_HASH)
    sign_up,
    unique,
)

CUSTOM_TIER = {"Name": "tier", "AttributeDataType": "String", "Mutable": True,
               "StringAttributeConstraints": {"MinLength": "1", "MaxLength": "32"}}


@pytest.fixture(scope="session")
def idp():
    """cognito-idp client signed with the admin key (SigV4)."""
    return make_idp()


@pytest.fixture(scope="session")
def anon_idp():
    """cognito-idp client that never signs (botocore.UNSIGNED): public operations as apps call them."""
    return make_idp(unsigned=True)


def _delete_pool_quietly(idp, pool_id: str) -> None:
    try:
        idp.delete_user_pool(UserPoolId=pool_id)
    except ClientError as err:
        code = err.response["Error"]["Code"]
        if code == "ResourceNotFoundException":
            return
        if code == "InvalidParameterException":  # DeletionProtection ACTIVE
            try:
                idp.update_user_pool(UserPoolId=pool_id, DeletionProtection="INACTIVE")
                idp.delete_user_pool(UserPoolId=pool_id)
                return
            except ClientError as err2:
                err = err2
        warnings.warn(f"could not delete pool {pool_id}: {err}")


@pytest.fixture
def pool_factory(idp):
    """create(**CreateUserPool kwargs) -> UserPool; every pool is deleted after the test."""
    created: list[str] = []

    def create(**kwargs):
        kwargs.setdefault("PoolName", unique("pool"))
        pool = idp.create_user_pool(**kwargs)["UserPool"]
        created.append(pool["Id"])
        return pool

    yield create
    for pool_id in created:
        _delete_pool_quietly(idp, pool_id)


@pytest.fixture
def pool(pool_factory):
    """A pool that auto-verifies email (so SignUp sends a code) and has a custom attribute `custom:tier`."""
    return pool_factory(AutoVerifiedAttributes=["email"], Schema=[CUSTOM_TIER])


@pytest.fixture
def client_factory(idp, pool):
    """create(pool_id=None, **CreateUserPoolClient kwargs) -> UserPoolClient (all test flows enabled)."""

    def create(pool_id: str | None = None, **kwargs):
        kwargs.setdefault("ClientName", unique("client"))
        kwargs.setdefault("ExplicitAuthFlows", list(ALL_FLOWS))
        return idp.create_user_pool_client(UserPoolId=pool_id or pool["Id"], **kwargs)["UserPoolClient"]

    return create


@pytest.fixture
def client(client_factory):
    """Public app client (no secret) with USER_PASSWORD, ADMIN_USER_PASSWORD, REFRESH_TOKEN and SRP flows."""
    return client_factory()


@pytest.fixture
def secret_client(client_factory):
    """Confidential app client (GenerateSecret=True), same flows as `client`."""
    return client_factory(GenerateSecret=True)


@pytest.fixture(scope="session")
def identity():
    """cognito-identity client signed with the admin key (SigV4)."""
    return make_identity()


@pytest.fixture(scope="session")
def anon_identity():
    """cognito-identity client that never signs (botocore.UNSIGNED): GetId, GetOpenIdToken, UnlinkIdentity
    as apps call them."""
    return make_identity(unsigned=True)


@pytest.fixture(scope="session")
def unvalidated_identity():
    """Signed cognito-identity client with botocore's client-side parameter validation off, for requests
    botocore itself would refuse (missing required members, values under a model minimum)."""
    return make_identity(parameter_validation=False)


def _delete_identity_pool_quietly(identity, identity_pool_id: str) -> None:
    try:
        identity.delete_identity_pool(IdentityPoolId=identity_pool_id)
    except ClientError as err:
        if err.response["Error"]["Code"] != "ResourceNotFoundException":
            warnings.warn(f"could not delete identity pool {identity_pool_id}: {err}")


@pytest.fixture
def identity_pool_factory(identity):
    """create(**CreateIdentityPool kwargs) -> the CreateIdentityPool response (without ResponseMetadata).

    IdentityPoolName defaults to a unique name, AllowUnauthenticatedIdentities to False. Every pool is
    deleted after the test (a test that deleted it itself is fine)."""
    created: list[str] = []

    def create(**kwargs):
        kwargs.setdefault("IdentityPoolName", unique("idpool"))
        kwargs.setdefault("AllowUnauthenticatedIdentities", False)
        resp = identity.create_identity_pool(**kwargs)
        resp.pop("ResponseMetadata", None)
        created.append(resp["IdentityPoolId"])
        return resp

    yield create
    for identity_pool_id in created:
        _delete_identity_pool_quietly(identity, identity_pool_id)


@pytest.fixture
def user_pool_login(anon_idp, confirmed_user):
    """(provider name, ID token) of `confirmed_user` signed in to `pool`/`client`.

    The provider name is Postern's native one, the ID token's `iss` without its scheme
    (e.g. `127.0.0.1:7678/us-east-1_abc`); support.aws_provider_name gives the AWS-style alias."""
    return id_token_login(anon_idp, confirmed_user)


@pytest.fixture(scope="session")
def outbox():
    return Outbox(OUTBOX_FILE)


@pytest.fixture
def signed_up_user(anon_idp, pool, client):
    """An UNCONFIRMED user created with SignUp (email attribute, default password)."""
    return sign_up(anon_idp, pool["Id"], client)


@pytest.fixture
def confirmed_user(idp, signed_up_user):
    """A CONFIRMED user (SignUp + AdminConfirmSignUp)."""
    idp.admin_confirm_sign_up(UserPoolId=signed_up_user.pool_id, Username=signed_up_user.username)
    return signed_up_user


# --- IAM and STS (test_identity_credentials.py) ---

import json  # noqa: E402

from support import make_iam, make_sts  # noqa: E402

# A trust policy any role may carry when the test does not care who can assume it.
DEFAULT_TRUST_POLICY = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Federated": "cognito-identity.amazonaws.com"},
    "Action": "sts:AssumeRoleWithWebIdentity"}]}


@pytest.fixture(scope="session")
def iam():
    """iam client signed with the admin key (SigV4, query protocol)."""
    return make_iam()


@pytest.fixture(scope="session")
def anon_iam():
    """iam client that never signs (botocore.UNSIGNED)."""
    return make_iam(unsigned=True)


@pytest.fixture(scope="session")
def unvalidated_iam():
    """Signed iam client with botocore's client-side parameter validation off."""
    return make_iam(parameter_validation=False)


@pytest.fixture(scope="session")
def sts():
    """sts client signed with the admin key."""
    return make_sts()


@pytest.fixture(scope="session")
def anon_sts():
    """sts client that never signs: AssumeRoleWithWebIdentity as apps call it."""
    return make_sts(unsigned=True)


@pytest.fixture(scope="session")
def unvalidated_anon_sts():
    """Unsigned sts client with botocore's client-side parameter validation off (e.g. DurationSeconds < 900)."""
    return make_sts(unsigned=True, parameter_validation=False)


def _delete_role_quietly(iam, role_name: str) -> None:
    try:
        for policy_name in iam.list_role_policies(RoleName=role_name).get("PolicyNames", []):
            iam.delete_role_policy(RoleName=role_name, PolicyName=policy_name)
        for attached in iam.list_attached_role_policies(RoleName=role_name).get("AttachedPolicies", []):
            iam.detach_role_policy(RoleName=role_name, PolicyArn=attached["PolicyArn"])
        iam.delete_role(RoleName=role_name)
    except ClientError as err:
        if err.response["Error"]["Code"] != "NoSuchEntity":
            warnings.warn(f"could not delete role {role_name}: {err}")


@pytest.fixture
def role_factory(iam):
    """create(trust_policy=None, **CreateRole kwargs) -> Role.

    RoleName defaults to a unique name; the trust policy (a dict, or a string sent as is) defaults to
    DEFAULT_TRUST_POLICY unless AssumeRolePolicyDocument is given. Every role created (and its inline
    policies) is deleted after the test, quietly (a test that deleted it itself is fine)."""
    created: list[str] = []

    def create(trust_policy=None, **kwargs):
        kwargs.setdefault("RoleName", unique("role"))
        if "AssumeRolePolicyDocument" not in kwargs:
            doc = DEFAULT_TRUST_POLICY if trust_policy is None else trust_policy
            kwargs["AssumeRolePolicyDocument"] = doc if isinstance(doc, str) else json.dumps(doc)
        role = iam.create_role(**kwargs)["Role"]
        created.append(kwargs["RoleName"])
        return role

    yield create
    for role_name in created:
        _delete_role_quietly(iam, role_name)
