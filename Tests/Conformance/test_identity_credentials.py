"""AWS credentials for identity-pool identities: IAM roles, GetCredentialsForIdentity (enhanced flow),
STS AssumeRoleWithWebIdentity (basic flow) and GetCallerIdentity (identity-pools.md §4-5, §7-9).

IAM and STS speak the AWS query protocol (form-encoded POST /, XML answers); boto3 handles both. Roles come
from the `role_factory` fixture (unique names, deleted afterwards with their inline policies); every test
makes its own identity pool. Temporary credentials sign requests with X-Amz-Security-Token; the sts client
built from them (`sts_for`) is how a test checks which role they stand for (GetCallerIdentity).

User-pool logins use Postern's native provider name (the `user_pool_login` fixture), and RoleMappings keys
are `{ProviderName}:{ClientId}` (SetIdentityPoolRoles reference).
"""
from __future__ import annotations

import dataclasses
import json
import re
import time
import uuid
from datetime import datetime, timezone

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from support import (
    ACCOUNT_ID,
    ADMIN_KEY_ID,
    ADMIN_SECRET,
    ENDPOINT,
    IDENTITY_VALIDATION_ERROR as VALIDATION,
    REGION,
    b64url,
    PASSWORD,
    b64url_decode,
    claims,
    expect_error,
    log_events,
    make_iam,
    make_sts,
    provider_name_of,
    unique,
)

UNKNOWN_IDENTITY = "us-east-1:00000000-0000-4000-8000-00000000beef"
IDENTITY_POOL_TOKEN_PROVIDER = "cognito-identity.amazonaws.com"
# Session name of identity-pool credentials (identity-pools.md §8).
COGNITO_SESSION = "CognitoIdentityCredentials"

# Observed AWS wording (identity-pools.md §4; test_identity_pool_identities.py).
INVALID_POOL_CONFIGURATION = "Invalid identity pool configuration. Check assigned IAM roles for this pool."
UNAUTHENTICATED_NOT_SUPPORTED = "Unauthenticated access is not supported for this identity pool."
LOGINS_DO_NOT_MATCH = "Logins don't match. Please include at least one valid login for this identity or identity pool."

# RoleId: AROA + 17 upper-case alphanumerics (identity-pools.md §9). Temporary access keys start with ASIA
# ("AKIA" long-term, "ASIA" temporary: IAM identifiers reference).
ROLE_ID_PATTERN = r"AROA[A-Z0-9]{17}"
TEMP_KEY_PATTERN = r"ASIA[A-Z0-9]{16}"

# IAM and STS are query-protocol services: auth failures are HTTP 403.
AUTH_STATUS = 403


# --- helpers ---

def cognito_trust(pool_id: str, amr: str = "authenticated") -> dict:
    """The standard Cognito trust policy (identity-pools.md §9; "Role trust and permissions", Cognito docs)."""
    return {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow",
        "Principal": {"Federated": "cognito-identity.amazonaws.com"},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {"cognito-identity.amazonaws.com:aud": pool_id},
                      "ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": amr}}}]}


def cognito_role(role_factory, pool_id: str, amr: str = "authenticated", **kwargs) -> dict:
    """A role whose trust policy lets identities of `pool_id` with this amr assume it."""
    return role_factory(cognito_trust(pool_id, amr), **kwargs)


def identity_policy(action: str = "s3:GetObject", resource: str = "arn:aws:s3:::bucket/*") -> dict:
    """A permissions (identity-kind) policy: Action + Resource, no Principal."""
    return {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action, "Resource": resource}]}


def guest_pool(identity_pool_factory, **kwargs) -> str:
    """An identity pool that allows guests and the basic flow; returns its id."""
    kwargs.setdefault("AllowUnauthenticatedIdentities", True)
    kwargs.setdefault("AllowClassicFlow", True)
    return identity_pool_factory(**kwargs)["IdentityPoolId"]


def user_pool_identity_pool(identity_pool_factory, provider_name: str, client_id: str, *, guests: bool = False,
                            **kwargs) -> str:
    """An identity pool with one user-pool app client as its provider (basic flow on); returns its id."""
    kwargs.setdefault("AllowClassicFlow", True)
    return identity_pool_factory(
        AllowUnauthenticatedIdentities=guests,
        CognitoIdentityProviders=[{"ProviderName": provider_name, "ClientId": client_id,
                                   "ServerSideTokenCheck": False}],
        **kwargs)["IdentityPoolId"]


def developer_provider() -> str:
    # DeveloperProviderName pattern [\w._-]+; unique per test in case the name is unique per account.
    return f"login.postern-{uuid.uuid4().hex[:10]}.test"


@dataclasses.dataclass
class Setup:
    pool_id: str
    identity_id: str
    unauth: dict | None  # Role
    auth: dict | None  # Role


def guest_setup(identity, anon_identity, identity_pool_factory, role_factory, **pool_kwargs) -> Setup:
    """Guest pool with both default roles (each trusting this pool with its amr) and one guest identity."""
    pool_id = guest_pool(identity_pool_factory, **pool_kwargs)
    unauth = cognito_role(role_factory, pool_id, "unauthenticated")
    auth = cognito_role(role_factory, pool_id, "authenticated")
    identity.set_identity_pool_roles(IdentityPoolId=pool_id,
                                     Roles={"unauthenticated": unauth["Arn"], "authenticated": auth["Arn"]})
    identity_id = anon_identity.get_id(IdentityPoolId=pool_id)["IdentityId"]
    return Setup(pool_id, identity_id, unauth, auth)


def user_setup(identity, anon_identity, identity_pool_factory, role_factory, client, user_pool_login,
               role_mappings=None, guests: bool = False) -> Setup:
    """User-pool identity pool with both default roles (+ optional RoleMappings) and the user's identity."""
    provider, id_token = user_pool_login
    pool_id = user_pool_identity_pool(identity_pool_factory, provider, client["ClientId"], guests=guests)
    unauth = cognito_role(role_factory, pool_id, "unauthenticated")
    auth = cognito_role(role_factory, pool_id, "authenticated")
    kwargs = {"RoleMappings": role_mappings} if role_mappings else {}
    identity.set_identity_pool_roles(IdentityPoolId=pool_id,
                                     Roles={"unauthenticated": unauth["Arn"], "authenticated": auth["Arn"]}, **kwargs)
    identity_id = anon_identity.get_id(IdentityPoolId=pool_id, Logins={provider: id_token})["IdentityId"]
    return Setup(pool_id, identity_id, unauth, auth)


def mapping_key(user_pool_login, client) -> str:
    return f"{user_pool_login[0]}:{client['ClientId']}"


def sts_for(credentials: dict, *, secret: str | None = None, session_token: str | None = None):
    """An sts client signing with temporary credentials (GetCredentialsForIdentity's `SecretKey` or STS's
    `SecretAccessKey`); `secret` / `session_token` replace the real ones."""
    return make_sts(credentials["AccessKeyId"],
                    secret or credentials.get("SecretKey") or credentials["SecretAccessKey"],
                    session_token=session_token or credentials["SessionToken"])


def caller(credentials: dict) -> dict:
    return sts_for(credentials).get_caller_identity()


def assumed_role_arn(role: dict, session: str = COGNITO_SESSION) -> str:
    return f"arn:aws:sts::{ACCOUNT_ID}:assumed-role/{role['RoleName']}/{session}"


def credentials_of(anon_identity, identity_id: str, logins: dict | None = None, **kwargs) -> dict:
    """GetCredentialsForIdentity; returns the whole response."""
    if logins:
        kwargs["Logins"] = logins
    return anon_identity.get_credentials_for_identity(IdentityId=identity_id, **kwargs)


def seconds_until(moment: datetime) -> float:
    return (moment - datetime.now(timezone.utc)).total_seconds()


def flip_middle_char(text: str) -> str:
    """`text` with one alphanumeric character near its middle replaced by another."""
    i = len(text) // 2
    while not text[i].isalnum():
        i += 1
    return text[:i] + ("A" if text[i] != "A" else "B") + text[i + 1:]


def change_payload_byte(token: str, identity_id: str) -> str:
    """The JWT with one byte of its payload changed (the last hex digit of the identity id in `sub`)."""
    h, p, s = token.split(".")
    payload = b64url_decode(p).decode()
    i = payload.index(identity_id) + len(identity_id) - 1
    payload = payload[:i] + ("1" if payload[i] != "1" else "2") + payload[i + 1:]
    return f"{h}.{b64url(payload.encode())}.{s}"


def classic_setup(anon_identity, identity_pool_factory, role_factory, amr: str = "unauthenticated", **role_kwargs):
    """(pool id, guest identity id, guest OpenID token, role trusting this pool for `amr`) for the basic flow."""
    pool_id = guest_pool(identity_pool_factory)
    identity_id = anon_identity.get_id(IdentityPoolId=pool_id)["IdentityId"]
    token = anon_identity.get_open_id_token(IdentityId=identity_id)["Token"]
    role = cognito_role(role_factory, pool_id, amr, **role_kwargs)
    return pool_id, identity_id, token, role


# --- IAM: CreateRole / GetRole ---

def test_create_role_returns_the_role(role_factory):
    # CreateRole reference: Path defaults to "/", MaxSessionDuration to 3600 s.
    name = unique("role")
    trust = cognito_trust("us-east-1:00000000-0000-4000-8000-000000000001")
    role = role_factory(trust, RoleName=name)
    assert role["RoleName"] == name
    assert role["Path"] == "/"
    assert re.fullmatch(ROLE_ID_PATTERN, role["RoleId"]), role["RoleId"]
    assert role["Arn"] == f"arn:aws:iam::{ACCOUNT_ID}:role/{name}"
    assert isinstance(role["CreateDate"], datetime)
    assert abs(seconds_until(role["CreateDate"])) < 300
    # Policy documents travel URL-encoded; botocore decodes them into dicts (identity-pools.md §9).
    assert role["AssumeRolePolicyDocument"] == trust
    assert role["MaxSessionDuration"] == 3600


def test_create_role_with_path_description_and_max_session_duration(role_factory):
    name = unique("role")
    role = role_factory(RoleName=name, Path="/app/team/", Description="App users", MaxSessionDuration=7200)
    assert role["Path"] == "/app/team/"
    # Arn is arn:aws:iam::{account}:role{Path}{RoleName} (IAM identifiers reference).
    assert role["Arn"] == f"arn:aws:iam::{ACCOUNT_ID}:role/app/team/{name}"
    assert role["Description"] == "App users"
    assert role["MaxSessionDuration"] == 7200


def test_create_role_accepts_tags(iam, role_factory):
    tags = [{"Key": "team", "Value": "identity"}]
    role = role_factory(Tags=tags)
    got = iam.get_role(RoleName=role["RoleName"])["Role"]
    assert got.get("Tags") in (None, tags)


def test_role_ids_are_unique(role_factory):
    assert role_factory()["RoleId"] != role_factory()["RoleId"]


def test_get_role_returns_the_created_role(iam, role_factory):
    created = role_factory(Description="described", MaxSessionDuration=43200)
    got = iam.get_role(RoleName=created["RoleName"])["Role"]
    for member in ("Path", "RoleName", "RoleId", "Arn", "AssumeRolePolicyDocument", "MaxSessionDuration",
                   "Description"):
        assert got[member] == created[member], member
    assert abs((got["CreateDate"] - created["CreateDate"]).total_seconds()) < 1


def test_get_unknown_role_is_no_such_entity(iam):
    name = unique("missing")
    with expect_error("NoSuchEntity", f"The role with name {name} cannot be found.", status=404):
        iam.get_role(RoleName=name)


def test_create_role_twice_is_entity_already_exists(role_factory):
    name = unique("role")
    role_factory(RoleName=name)
    with expect_error("EntityAlreadyExists", f"Role with name {name} already exists.", status=409):
        role_factory(RoleName=name)


MALFORMED_TRUST_POLICIES = {
    "not-json": "this is not json",
    "no-effect": json.dumps({"Version": "2012-10-17", "Statement": [{
        "Principal": {"Federated": "cognito-identity.amazonaws.com"}, "Action": "sts:AssumeRoleWithWebIdentity"}]}),
    "action-not-assume-role": json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Federated": "cognito-identity.amazonaws.com"}, "Action": "s3:GetObject"}]}),
    # A trust policy is a resource-based policy: it names a Principal and has no Resource.
    "identity-policy": json.dumps(identity_policy()),
}


@pytest.mark.parametrize("kind", sorted(MALFORMED_TRUST_POLICIES))
def test_malformed_trust_policy_is_refused(role_factory, kind):
    with expect_error("MalformedPolicyDocument", status=400):
        role_factory(MALFORMED_TRUST_POLICIES[kind])


def test_role_name_of_64_characters_is_accepted(iam, role_factory):
    name = ("r" + uuid.uuid4().hex * 2)[:64]
    assert role_factory(RoleName=name)["RoleName"] == name
    assert iam.get_role(RoleName=name)["Role"]["RoleName"] == name


@pytest.mark.parametrize("name", ["r" * 65, "bad name", "bad/name"], ids=["65-chars", "space", "slash"])
def test_invalid_role_name_is_refused(role_factory, name):
    # RoleName: 1-64 characters of [\w+=,.@-] (model). botocore checks only minimum lengths.
    with expect_error("ValidationError", status=400):
        role_factory(RoleName=name)


def test_max_session_duration_above_twelve_hours_is_refused(role_factory):
    # MaxSessionDuration: 3600-43200 s (CreateRole reference).
    with expect_error("ValidationError", status=400):
        role_factory(MaxSessionDuration=43201)


def test_max_session_duration_under_one_hour_is_refused(unvalidated_iam, iam):
    name = unique("role")
    try:
        with expect_error("ValidationError", status=400):
            unvalidated_iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(cognito_trust("us-east-1:x")),
                                        MaxSessionDuration=3599)
    finally:
        try:
            iam.delete_role(RoleName=name)
        except ClientError:
            pass


# --- IAM: ListRoles ---

def _role_names_under(iam, prefix: str, page_size: int | None = None) -> tuple[list[str], int]:
    names, marker, pages = [], None, 0
    while True:
        kwargs = {"PathPrefix": prefix}
        if page_size:
            kwargs["MaxItems"] = page_size
        if marker:
            kwargs["Marker"] = marker
        resp = iam.list_roles(**kwargs)
        pages += 1
        if page_size:
            assert len(resp["Roles"]) <= page_size
        names.extend(r["RoleName"] for r in resp["Roles"])
        if not resp["IsTruncated"]:
            assert not resp.get("Marker")
            return names, pages
        marker = resp["Marker"]
        assert marker and pages < 20


def test_list_roles_filters_by_path_prefix_and_sorts_by_name(iam, role_factory):
    path = f"/{unique('conf')}/"
    base = unique("role")
    for suffix in ("c", "a", "b"):
        role_factory(RoleName=f"{base}-{suffix}", Path=path)
    role_factory(RoleName=f"{base}-elsewhere")  # Path "/": not under the prefix
    resp = iam.list_roles(PathPrefix=path)
    assert [r["RoleName"] for r in resp["Roles"]] == [f"{base}-a", f"{base}-b", f"{base}-c"]
    assert resp["IsTruncated"] is False
    assert all(r["Path"] == path and r["Arn"].endswith(f"role{path}{r['RoleName']}") for r in resp["Roles"])


def test_list_roles_pages_with_max_items_and_marker(iam, role_factory):
    # IsTruncated + Marker paging (ListRoles reference).
    path = f"/{unique('conf')}/"
    base = unique("role")
    for suffix in ("b", "c", "a"):
        role_factory(RoleName=f"{base}-{suffix}", Path=path)
    first = iam.list_roles(PathPrefix=path, MaxItems=1)
    assert [r["RoleName"] for r in first["Roles"]] == [f"{base}-a"]
    assert first["IsTruncated"] is True and first["Marker"]
    names, pages = _role_names_under(iam, path, page_size=1)
    assert names == [f"{base}-a", f"{base}-b", f"{base}-c"]
    assert pages == 3


def test_list_roles_without_prefix_includes_a_new_role(iam, role_factory):
    role = role_factory()
    names, _ = _role_names_under(iam, "/", page_size=1000)
    assert role["RoleName"] in names
    assert names == sorted(names)


# --- IAM: trust policy and inline policies ---

def test_update_assume_role_policy_replaces_the_trust_policy(iam, role_factory):
    role = role_factory(cognito_trust("us-east-1:00000000-0000-4000-8000-000000000001"))
    new = cognito_trust("us-east-1:00000000-0000-4000-8000-000000000002", "unauthenticated")
    iam.update_assume_role_policy(RoleName=role["RoleName"], PolicyDocument=json.dumps(new))
    assert iam.get_role(RoleName=role["RoleName"])["Role"]["AssumeRolePolicyDocument"] == new


def test_update_assume_role_policy_with_a_malformed_policy_is_refused(iam, role_factory):
    role = role_factory()
    with expect_error("MalformedPolicyDocument", status=400):
        iam.update_assume_role_policy(RoleName=role["RoleName"], PolicyDocument="{not json")
    assert iam.get_role(RoleName=role["RoleName"])["Role"]["AssumeRolePolicyDocument"] == role["AssumeRolePolicyDocument"]


def test_update_assume_role_policy_of_an_unknown_role_is_no_such_entity(iam):
    with expect_error("NoSuchEntity", status=404):
        iam.update_assume_role_policy(RoleName=unique("missing"), PolicyDocument=json.dumps(cognito_trust("us-east-1:x")))


def test_put_and_get_role_policy(iam, role_factory):
    role = role_factory()
    policy = identity_policy()
    iam.put_role_policy(RoleName=role["RoleName"], PolicyName="read-bucket", PolicyDocument=json.dumps(policy))
    got = iam.get_role_policy(RoleName=role["RoleName"], PolicyName="read-bucket")
    assert got["RoleName"] == role["RoleName"]
    assert got["PolicyName"] == "read-bucket"
    assert got["PolicyDocument"] == policy


def test_put_role_policy_again_replaces_it(iam, role_factory):
    role = role_factory()
    iam.put_role_policy(RoleName=role["RoleName"], PolicyName="p", PolicyDocument=json.dumps(identity_policy()))
    second = identity_policy("s3:PutObject", "arn:aws:s3:::other/*")
    iam.put_role_policy(RoleName=role["RoleName"], PolicyName="p", PolicyDocument=json.dumps(second))
    assert iam.get_role_policy(RoleName=role["RoleName"], PolicyName="p")["PolicyDocument"] == second
    assert iam.list_role_policies(RoleName=role["RoleName"])["PolicyNames"] == ["p"]


def test_list_role_policies_is_sorted(iam, role_factory):
    role = role_factory()
    for name in ("zeta", "alpha", "mid"):
        iam.put_role_policy(RoleName=role["RoleName"], PolicyName=name, PolicyDocument=json.dumps(identity_policy()))
    resp = iam.list_role_policies(RoleName=role["RoleName"])
    assert resp["PolicyNames"] == ["alpha", "mid", "zeta"]
    assert resp["IsTruncated"] is False


def test_list_role_policies_of_a_role_without_policies_is_empty(iam, role_factory):
    assert iam.list_role_policies(RoleName=role_factory()["RoleName"])["PolicyNames"] == []


def test_get_unknown_role_policy_is_no_such_entity(iam, role_factory):
    with expect_error("NoSuchEntity", status=404):
        iam.get_role_policy(RoleName=role_factory()["RoleName"], PolicyName="never-put")


def test_put_role_policy_on_an_unknown_role_is_no_such_entity(iam):
    with expect_error("NoSuchEntity", status=404):
        iam.put_role_policy(RoleName=unique("missing"), PolicyName="p", PolicyDocument=json.dumps(identity_policy()))


@pytest.mark.parametrize("document", [
    "not json",
    json.dumps({"Version": "2012-10-17", "Statement": [{"Action": "s3:GetObject", "Resource": "*"}]}),
], ids=["not-json", "no-effect"])
def test_put_malformed_role_policy_is_refused(iam, role_factory, document):
    role = role_factory()
    with expect_error("MalformedPolicyDocument", status=400):
        iam.put_role_policy(RoleName=role["RoleName"], PolicyName="p", PolicyDocument=document)
    assert iam.list_role_policies(RoleName=role["RoleName"])["PolicyNames"] == []


def test_delete_role_policy_removes_it(iam, role_factory):
    role = role_factory()
    iam.put_role_policy(RoleName=role["RoleName"], PolicyName="p", PolicyDocument=json.dumps(identity_policy()))
    iam.delete_role_policy(RoleName=role["RoleName"], PolicyName="p")
    assert iam.list_role_policies(RoleName=role["RoleName"])["PolicyNames"] == []
    with expect_error("NoSuchEntity", status=404):
        iam.get_role_policy(RoleName=role["RoleName"], PolicyName="p")


def test_delete_unknown_role_policy_is_no_such_entity(iam, role_factory):
    with expect_error("NoSuchEntity", status=404):
        iam.delete_role_policy(RoleName=role_factory()["RoleName"], PolicyName="never-put")


def test_delete_role_with_inline_policies_is_a_conflict(iam, role_factory):
    # "You must first remove those items ... inline policies (DeleteRolePolicy)" (DeleteRole reference).
    role = role_factory()
    iam.put_role_policy(RoleName=role["RoleName"], PolicyName="p", PolicyDocument=json.dumps(identity_policy()))
    with expect_error("DeleteConflict", "Cannot delete entity, must delete policies first.", status=409):
        iam.delete_role(RoleName=role["RoleName"])
    assert iam.get_role(RoleName=role["RoleName"])["Role"]["RoleId"] == role["RoleId"]
    iam.delete_role_policy(RoleName=role["RoleName"], PolicyName="p")
    iam.delete_role(RoleName=role["RoleName"])
    with expect_error("NoSuchEntity", status=404):
        iam.get_role(RoleName=role["RoleName"])


def test_delete_role_without_policies(iam, role_factory):
    role = role_factory()
    iam.delete_role(RoleName=role["RoleName"])
    with expect_error("NoSuchEntity", f"The role with name {role['RoleName']} cannot be found.", status=404):
        iam.get_role(RoleName=role["RoleName"])


def test_recreated_role_can_be_given_policies_and_deleted(iam, role_factory):
    # A role deleted and created again under the same name is a new role (new RoleId) that takes inline
    # policies and can be deleted like any other.
    role = role_factory()
    name = role["RoleName"]
    iam.put_role_policy(RoleName=name, PolicyName="p", PolicyDocument=json.dumps(identity_policy()))
    iam.delete_role_policy(RoleName=name, PolicyName="p")
    iam.delete_role(RoleName=name)
    recreated = role_factory(RoleName=name)
    assert recreated["RoleId"] != role["RoleId"]
    iam.put_role_policy(RoleName=name, PolicyName="p", PolicyDocument=json.dumps(identity_policy()))
    assert iam.list_role_policies(RoleName=name)["PolicyNames"] == ["p"]
    iam.delete_role_policy(RoleName=name, PolicyName="p")
    iam.delete_role(RoleName=name)
    with expect_error("NoSuchEntity", status=404):
        iam.get_role(RoleName=name)


def test_delete_unknown_role_is_no_such_entity(iam):
    with expect_error("NoSuchEntity", status=404):
        iam.delete_role(RoleName=unique("missing"))


# --- IAM: authentication ---

def test_unsigned_iam_call_is_refused(anon_iam):
    with pytest.raises(ClientError) as info:
        anon_iam.list_roles()
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] in (400, 403)


def test_iam_call_with_a_wrong_secret_is_refused():
    wrong = make_iam(ADMIN_KEY_ID, ADMIN_SECRET + "x")
    with expect_error("SignatureDoesNotMatch", status=AUTH_STATUS):
        wrong.list_roles()


# --- GetCredentialsForIdentity: guests (enhanced flow) ---

def test_guest_gets_credentials(identity, anon_identity, identity_pool_factory, role_factory):
    s = guest_setup(identity, anon_identity, identity_pool_factory, role_factory)
    resp = credentials_of(anon_identity, s.identity_id)
    assert resp["IdentityId"] == s.identity_id
    creds = resp["Credentials"]
    assert re.fullmatch(TEMP_KEY_PATTERN, creds["AccessKeyId"]), creds["AccessKeyId"]
    # The member is SecretKey here, SecretAccessKey in STS (identity-pools.md §2).
    assert creds["SecretKey"] and creds["SessionToken"]
    assert isinstance(creds["Expiration"], datetime)
    # Credentials last one hour (identity-pools.md §5.6).
    assert abs(seconds_until(creds["Expiration"]) - 3600) < 300


def test_guest_credentials_are_the_unauthenticated_role(identity, anon_identity, identity_pool_factory, role_factory):
    s = guest_setup(identity, anon_identity, identity_pool_factory, role_factory)
    who = caller(credentials_of(anon_identity, s.identity_id)["Credentials"])
    assert who["Arn"] == assumed_role_arn(s.unauth)
    assert who["Account"] == ACCOUNT_ID
    assert who["UserId"] == f"{s.unauth['RoleId']}:{COGNITO_SESSION}"


def test_each_call_mints_new_credentials(identity, anon_identity, identity_pool_factory, role_factory):
    s = guest_setup(identity, anon_identity, identity_pool_factory, role_factory)
    first = credentials_of(anon_identity, s.identity_id)["Credentials"]
    second = credentials_of(anon_identity, s.identity_id)["Credentials"]
    assert first["AccessKeyId"] != second["AccessKeyId"]
    assert caller(first)["Arn"] == caller(second)["Arn"]


def test_guest_without_an_unauthenticated_role_is_an_invalid_configuration(identity, anon_identity,
                                                                           identity_pool_factory, role_factory):
    pool_id = guest_pool(identity_pool_factory)
    identity.set_identity_pool_roles(IdentityPoolId=pool_id,
                                     Roles={"authenticated": cognito_role(role_factory, pool_id)["Arn"]})
    identity_id = anon_identity.get_id(IdentityPoolId=pool_id)["IdentityId"]
    with expect_error("InvalidIdentityPoolConfigurationException", INVALID_POOL_CONFIGURATION):
        credentials_of(anon_identity, identity_id)


def test_pool_without_roles_is_an_invalid_configuration(anon_identity, identity_pool_factory):
    pool_id = guest_pool(identity_pool_factory)
    identity_id = anon_identity.get_id(IdentityPoolId=pool_id)["IdentityId"]
    with expect_error("InvalidIdentityPoolConfigurationException", INVALID_POOL_CONFIGURATION):
        credentials_of(anon_identity, identity_id)


def test_role_arn_of_no_existing_role_is_an_invalid_configuration(identity, anon_identity, identity_pool_factory):
    pool_id = guest_pool(identity_pool_factory)
    identity.set_identity_pool_roles(IdentityPoolId=pool_id, Roles={
        "unauthenticated": f"arn:aws:iam::{ACCOUNT_ID}:role/{unique('missing')}"})
    identity_id = anon_identity.get_id(IdentityPoolId=pool_id)["IdentityId"]
    with expect_error("InvalidIdentityPoolConfigurationException", INVALID_POOL_CONFIGURATION):
        credentials_of(anon_identity, identity_id)


def test_role_trusting_another_pool_is_an_invalid_configuration(identity, anon_identity, identity_pool_factory,
                                                                role_factory):
    # The trust policy's cognito-identity.amazonaws.com:aud must name this pool.
    pool_id = guest_pool(identity_pool_factory)
    other_pool = guest_pool(identity_pool_factory)
    identity.set_identity_pool_roles(IdentityPoolId=pool_id, Roles={
        "unauthenticated": cognito_role(role_factory, other_pool, "unauthenticated")["Arn"]})
    identity_id = anon_identity.get_id(IdentityPoolId=pool_id)["IdentityId"]
    with expect_error("InvalidIdentityPoolConfigurationException", INVALID_POOL_CONFIGURATION):
        credentials_of(anon_identity, identity_id)


def test_guest_role_trusting_only_authenticated_identities_is_an_invalid_configuration(
        identity, anon_identity, identity_pool_factory, role_factory):
    pool_id = guest_pool(identity_pool_factory)
    identity.set_identity_pool_roles(IdentityPoolId=pool_id, Roles={
        "unauthenticated": cognito_role(role_factory, pool_id, "authenticated")["Arn"]})
    identity_id = anon_identity.get_id(IdentityPoolId=pool_id)["IdentityId"]
    with expect_error("InvalidIdentityPoolConfigurationException", INVALID_POOL_CONFIGURATION):
        credentials_of(anon_identity, identity_id)


def test_guest_is_refused_once_the_pool_disallows_guests(identity, anon_identity, identity_pool_factory, role_factory):
    s = guest_setup(identity, anon_identity, identity_pool_factory, role_factory)
    name = identity.describe_identity_pool(IdentityPoolId=s.pool_id)["IdentityPoolName"]
    identity.update_identity_pool(IdentityPoolId=s.pool_id, IdentityPoolName=name,
                                  AllowUnauthenticatedIdentities=False, AllowClassicFlow=True)
    with expect_error("NotAuthorizedException", UNAUTHENTICATED_NOT_SUPPORTED):
        credentials_of(anon_identity, s.identity_id)


def test_credentials_of_an_unknown_identity_are_not_found(anon_identity):
    with expect_error("ResourceNotFoundException"):
        credentials_of(anon_identity, UNKNOWN_IDENTITY)


def test_credentials_with_a_malformed_identity_id_are_refused(anon_identity):
    with expect_error(VALIDATION):
        credentials_of(anon_identity, "not-an-identity-id")


# --- GetCredentialsForIdentity: user-pool logins ---

def test_user_pool_login_gets_the_authenticated_role(identity, anon_identity, identity_pool_factory, role_factory,
                                                     client, user_pool_login):
    s = user_setup(identity, anon_identity, identity_pool_factory, role_factory, client, user_pool_login)
    resp = credentials_of(anon_identity, s.identity_id, dict([user_pool_login]))
    assert resp["IdentityId"] == s.identity_id
    assert re.fullmatch(TEMP_KEY_PATTERN, resp["Credentials"]["AccessKeyId"])
    who = caller(resp["Credentials"])
    assert who["Arn"] == assumed_role_arn(s.auth)
    assert who["UserId"] == f"{s.auth['RoleId']}:{COGNITO_SESSION}"


def test_authenticated_identity_needs_its_logins(identity, anon_identity, identity_pool_factory, role_factory,
                                                 client, user_pool_login):
    # "An identity that has logins can no longer get unauthenticated credentials." (identity-pools.md §4)
    s = user_setup(identity, anon_identity, identity_pool_factory, role_factory, client, user_pool_login, guests=True)
    with expect_error("NotAuthorizedException", LOGINS_DO_NOT_MATCH):
        credentials_of(anon_identity, s.identity_id)


def test_guest_presenting_a_login_is_linked_and_then_needs_it(identity, anon_identity, identity_pool_factory,
                                                              role_factory, client, user_pool_login):
    provider, id_token = user_pool_login
    pool_id = user_pool_identity_pool(identity_pool_factory, provider, client["ClientId"], guests=True)
    unauth = cognito_role(role_factory, pool_id, "unauthenticated")
    auth = cognito_role(role_factory, pool_id, "authenticated")
    identity.set_identity_pool_roles(IdentityPoolId=pool_id,
                                     Roles={"unauthenticated": unauth["Arn"], "authenticated": auth["Arn"]})
    guest = anon_identity.get_id(IdentityPoolId=pool_id)["IdentityId"]
    assert caller(credentials_of(anon_identity, guest)["Credentials"])["Arn"] == assumed_role_arn(unauth)
    linked = credentials_of(anon_identity, guest, {provider: id_token})
    assert linked["IdentityId"] == guest
    assert caller(linked["Credentials"])["Arn"] == assumed_role_arn(auth)
    with expect_error("NotAuthorizedException", LOGINS_DO_NOT_MATCH):
        credentials_of(anon_identity, guest)


def test_user_without_an_authenticated_role_is_an_invalid_configuration(identity, anon_identity,
                                                                        identity_pool_factory, role_factory,
                                                                        client, user_pool_login):
    provider, id_token = user_pool_login
    pool_id = user_pool_identity_pool(identity_pool_factory, provider, client["ClientId"], guests=True)
    identity.set_identity_pool_roles(IdentityPoolId=pool_id, Roles={
        "unauthenticated": cognito_role(role_factory, pool_id, "unauthenticated")["Arn"]})
    identity_id = anon_identity.get_id(IdentityPoolId=pool_id, Logins={provider: id_token})["IdentityId"]
    with expect_error("InvalidIdentityPoolConfigurationException", INVALID_POOL_CONFIGURATION):
        credentials_of(anon_identity, identity_id, {provider: id_token})


def test_authenticated_role_trusting_only_guests_is_an_invalid_configuration(identity, anon_identity,
                                                                             identity_pool_factory, role_factory,
                                                                             client, user_pool_login):
    # The trust policy's amr condition (unauthenticated) does not match an authenticated identity.
    provider, id_token = user_pool_login
    pool_id = user_pool_identity_pool(identity_pool_factory, provider, client["ClientId"])
    identity.set_identity_pool_roles(IdentityPoolId=pool_id, Roles={
        "authenticated": cognito_role(role_factory, pool_id, "unauthenticated")["Arn"]})
    identity_id = anon_identity.get_id(IdentityPoolId=pool_id, Logins={provider: id_token})["IdentityId"]
    with expect_error("InvalidIdentityPoolConfigurationException", INVALID_POOL_CONFIGURATION):
        credentials_of(anon_identity, identity_id, {provider: id_token})


# --- GetCredentialsForIdentity: developer-authenticated identities ---

def test_developer_identity_token_gets_the_authenticated_role(identity, anon_identity, identity_pool_factory,
                                                              role_factory):
    # Developer flow: backend GetOpenIdTokenForDeveloperIdentity, then the app calls GetCredentialsForIdentity
    # with Logins {"cognito-identity.amazonaws.com": token} (identity-pools.md §4).
    developer = developer_provider()
    pool_id = guest_pool(identity_pool_factory, DeveloperProviderName=developer)
    auth = cognito_role(role_factory, pool_id, "authenticated")
    identity.set_identity_pool_roles(IdentityPoolId=pool_id, Roles={
        "authenticated": auth["Arn"], "unauthenticated": cognito_role(role_factory, pool_id, "unauthenticated")["Arn"]})
    dev = identity.get_open_id_token_for_developer_identity(IdentityPoolId=pool_id, Logins={developer: "user-1"})
    resp = credentials_of(anon_identity, dev["IdentityId"], {IDENTITY_POOL_TOKEN_PROVIDER: dev["Token"]})
    assert resp["IdentityId"] == dev["IdentityId"]
    assert caller(resp["Credentials"])["Arn"] == assumed_role_arn(auth)


def test_developer_identity_needs_its_token(identity, anon_identity, identity_pool_factory, role_factory):
    developer = developer_provider()
    pool_id = guest_pool(identity_pool_factory, DeveloperProviderName=developer)
    identity.set_identity_pool_roles(IdentityPoolId=pool_id, Roles={
        "authenticated": cognito_role(role_factory, pool_id, "authenticated")["Arn"],
        "unauthenticated": cognito_role(role_factory, pool_id, "unauthenticated")["Arn"]})
    dev = identity.get_open_id_token_for_developer_identity(IdentityPoolId=pool_id, Logins={developer: "user-1"})
    with expect_error("NotAuthorizedException"):
        credentials_of(anon_identity, dev["IdentityId"])


# --- GetCredentialsForIdentity: role mappings (identity-pools.md §5) ---

def _rules_mapping(rules, ambiguous="AuthenticatedRole") -> dict:
    return {"Type": "Rules", "AmbiguousRoleResolution": ambiguous, "RulesConfiguration": {"Rules": rules}}


def _mapped_setup(identity, anon_identity, identity_pool_factory, role_factory, client, user_pool_login, mapping_for):
    """User setup whose RoleMappings entry is mapping_for(mapped role, identity pool id); returns (Setup, mapped
    role). The mapped role trusts the pool's authenticated identities."""
    provider, id_token = user_pool_login
    pool_id = user_pool_identity_pool(identity_pool_factory, provider, client["ClientId"])
    unauth = cognito_role(role_factory, pool_id, "unauthenticated")
    auth = cognito_role(role_factory, pool_id, "authenticated")
    mapped = cognito_role(role_factory, pool_id, "authenticated")
    identity.set_identity_pool_roles(
        IdentityPoolId=pool_id, Roles={"unauthenticated": unauth["Arn"], "authenticated": auth["Arn"]},
        RoleMappings={mapping_key(user_pool_login, client): mapping_for(mapped, pool_id)})
    identity_id = anon_identity.get_id(IdentityPoolId=pool_id, Logins={provider: id_token})["IdentityId"]
    return Setup(pool_id, identity_id, unauth, auth), mapped


def _rule_value(user, match_type: str) -> str:
    # support.sign_up gives the user the email {username}@example.com.
    return {"Equals": user.email, "Contains": "@example.com", "StartsWith": user.username,
            "NotEqual": "someone-else@example.org"}[match_type]


@pytest.mark.parametrize("match_type", ["Equals", "Contains", "StartsWith", "NotEqual"])
def test_matching_rule_chooses_its_role(identity, anon_identity, identity_pool_factory, role_factory, client,
                                        confirmed_user, user_pool_login, match_type):
    # Rules: {Claim, MatchType, Value, RoleARN}; a matching rule's role is used (RoleMapping reference).
    s, mapped = _mapped_setup(identity, anon_identity, identity_pool_factory, role_factory, client, user_pool_login,
                              lambda role, _pool_id: _rules_mapping([{"Claim": "email", "MatchType": match_type,
                                                            "Value": _rule_value(confirmed_user, match_type),
                                                            "RoleARN": role["Arn"]}]))
    creds = credentials_of(anon_identity, s.identity_id, dict([user_pool_login]))["Credentials"]
    assert caller(creds)["Arn"] == assumed_role_arn(mapped)


def test_first_matching_rule_wins(identity, anon_identity, identity_pool_factory, role_factory, client,
                                  confirmed_user, user_pool_login):
    # "Rules are evaluated in order" (identity-pools.md §5: first match wins).
    def mapping(first_role, pool_id):
        second_role = cognito_role(role_factory, pool_id, "authenticated")  # matches too, but comes second
        return _rules_mapping([
            {"Claim": "email", "MatchType": "Contains", "Value": "@example.com", "RoleARN": first_role["Arn"]},
            {"Claim": "email", "MatchType": "Equals", "Value": confirmed_user.email, "RoleARN": second_role["Arn"]},
        ])

    s, first = _mapped_setup(identity, anon_identity, identity_pool_factory, role_factory, client, user_pool_login,
                             mapping)
    creds = credentials_of(anon_identity, s.identity_id, dict([user_pool_login]))["Credentials"]
    assert caller(creds)["Arn"] == assumed_role_arn(first)


def test_rules_without_a_match_fall_back_to_the_authenticated_role(identity, anon_identity, identity_pool_factory,
                                                                   role_factory, client, user_pool_login):
    s, _ = _mapped_setup(identity, anon_identity, identity_pool_factory, role_factory, client, user_pool_login,
                         lambda role, _pool_id: _rules_mapping([{"Claim": "email", "MatchType": "Equals",
                                                       "Value": "nobody@example.org", "RoleARN": role["Arn"]}],
                                                     "AuthenticatedRole"))
    creds = credentials_of(anon_identity, s.identity_id, dict([user_pool_login]))["Credentials"]
    assert caller(creds)["Arn"] == assumed_role_arn(s.auth)


def test_rules_without_a_match_and_deny_are_refused(identity, anon_identity, identity_pool_factory, role_factory,
                                                    client, user_pool_login):
    s, _ = _mapped_setup(identity, anon_identity, identity_pool_factory, role_factory, client, user_pool_login,
                         lambda role, _pool_id: _rules_mapping([{"Claim": "email", "MatchType": "StartsWith",
                                                       "Value": "zzz-no-such-prefix", "RoleARN": role["Arn"]}],
                                                     "Deny"))
    with expect_error("NotAuthorizedException"):
        credentials_of(anon_identity, s.identity_id, dict([user_pool_login]))


def test_token_mapping_without_preferred_role_falls_back_to_the_authenticated_role(
        identity, anon_identity, identity_pool_factory, role_factory, client, user_pool_login):
    # A user in no group has no cognito:preferred_role: AmbiguousRoleResolution decides (RoleMapping reference).
    s, _ = _mapped_setup(identity, anon_identity, identity_pool_factory, role_factory, client, user_pool_login,
                         lambda role, _pool_id: {"Type": "Token", "AmbiguousRoleResolution": "AuthenticatedRole"})
    creds = credentials_of(anon_identity, s.identity_id, dict([user_pool_login]))["Credentials"]
    assert caller(creds)["Arn"] == assumed_role_arn(s.auth)


def test_token_mapping_without_preferred_role_and_deny_is_refused(identity, anon_identity, identity_pool_factory,
                                                                  role_factory, client, user_pool_login):
    s, _ = _mapped_setup(identity, anon_identity, identity_pool_factory, role_factory, client, user_pool_login,
                         lambda role, _pool_id: {"Type": "Token", "AmbiguousRoleResolution": "Deny"})
    with expect_error("NotAuthorizedException"):
        credentials_of(anon_identity, s.identity_id, dict([user_pool_login]))


def test_custom_role_arn_not_in_the_tokens_roles_is_refused(identity, anon_identity, identity_pool_factory,
                                                            role_factory, client, user_pool_login):
    # CustomRoleArn "is required if you have more than one role" and must be one of cognito:roles
    # (identity-pools.md §5.3); this user's token has no cognito:roles.
    s, mapped = _mapped_setup(identity, anon_identity, identity_pool_factory, role_factory, client, user_pool_login,
                              lambda role, _pool_id: {"Type": "Token", "AmbiguousRoleResolution": "AuthenticatedRole"})
    with expect_error("NotAuthorizedException"):
        credentials_of(anon_identity, s.identity_id, dict([user_pool_login]), CustomRoleArn=mapped["Arn"])


# --- STS AssumeRoleWithWebIdentity (basic flow) ---

def test_assume_role_with_web_identity_returns_credentials(anon_sts, anon_identity, identity_pool_factory,
                                                           role_factory):
    pool_id, identity_id, token, role = classic_setup(anon_identity, identity_pool_factory, role_factory)
    resp = anon_sts.assume_role_with_web_identity(RoleArn=role["Arn"], RoleSessionName="app-session",
                                                  WebIdentityToken=token)
    creds = resp["Credentials"]
    assert re.fullmatch(TEMP_KEY_PATTERN, creds["AccessKeyId"]), creds["AccessKeyId"]
    assert creds["SecretAccessKey"] and creds["SessionToken"]
    assert isinstance(creds["Expiration"], datetime)
    assert resp["SubjectFromWebIdentityToken"] == identity_id
    assert resp["Audience"] == pool_id
    assert resp["AssumedRoleUser"]["Arn"] == assumed_role_arn(role, "app-session")
    assert resp["AssumedRoleUser"]["AssumedRoleId"] == f"{role['RoleId']}:app-session"
    assert resp["Provider"] == "cognito-identity.amazonaws.com"


def test_web_identity_credentials_sign_get_caller_identity(anon_sts, anon_identity, identity_pool_factory,
                                                           role_factory):
    _, _, token, role = classic_setup(anon_identity, identity_pool_factory, role_factory)
    resp = anon_sts.assume_role_with_web_identity(RoleArn=role["Arn"], RoleSessionName="app-session",
                                                  WebIdentityToken=token)
    who = caller(resp["Credentials"])
    assert who["Arn"] == assumed_role_arn(role, "app-session")
    assert who["UserId"] == f"{role['RoleId']}:app-session"
    assert who["Account"] == ACCOUNT_ID


def test_web_identity_credentials_last_an_hour_by_default(anon_sts, anon_identity, identity_pool_factory, role_factory):
    # DurationSeconds defaults to 3600 (AssumeRoleWithWebIdentity reference).
    _, _, token, role = classic_setup(anon_identity, identity_pool_factory, role_factory)
    creds = anon_sts.assume_role_with_web_identity(RoleArn=role["Arn"], RoleSessionName="s1",
                                                   WebIdentityToken=token)["Credentials"]
    assert abs(seconds_until(creds["Expiration"]) - 3600) < 300


def test_duration_seconds_sets_the_expiration(anon_sts, anon_identity, identity_pool_factory, role_factory):
    _, _, token, role = classic_setup(anon_identity, identity_pool_factory, role_factory)
    creds = anon_sts.assume_role_with_web_identity(RoleArn=role["Arn"], RoleSessionName="s1", WebIdentityToken=token,
                                                   DurationSeconds=900)["Credentials"]
    assert abs(seconds_until(creds["Expiration"]) - 900) < 120


def test_duration_up_to_the_roles_max_session_duration_is_allowed(anon_sts, anon_identity, identity_pool_factory,
                                                                  role_factory):
    _, _, token, role = classic_setup(anon_identity, identity_pool_factory, role_factory, MaxSessionDuration=7200)
    creds = anon_sts.assume_role_with_web_identity(RoleArn=role["Arn"], RoleSessionName="s1", WebIdentityToken=token,
                                                   DurationSeconds=7200)["Credentials"]
    assert abs(seconds_until(creds["Expiration"]) - 7200) < 300


def test_duration_above_the_roles_max_session_duration_is_refused(anon_sts, anon_identity, identity_pool_factory,
                                                                  role_factory):
    # "If you specify a value higher than this setting, the operation fails." (DurationSeconds doc)
    _, _, token, role = classic_setup(anon_identity, identity_pool_factory, role_factory)  # max 3600
    with expect_error("ValidationError", status=400):
        anon_sts.assume_role_with_web_identity(RoleArn=role["Arn"], RoleSessionName="s1", WebIdentityToken=token,
                                               DurationSeconds=7200)


def test_duration_under_fifteen_minutes_is_refused(unvalidated_anon_sts, anon_identity, identity_pool_factory,
                                                   role_factory):
    # DurationSeconds: 900-43200 (model).
    _, _, token, role = classic_setup(anon_identity, identity_pool_factory, role_factory)
    with expect_error("ValidationError", status=400):
        unvalidated_anon_sts.assume_role_with_web_identity(RoleArn=role["Arn"], RoleSessionName="s1",
                                                           WebIdentityToken=token, DurationSeconds=899)


def test_role_trusting_another_pool_is_access_denied(anon_sts, anon_identity, identity_pool_factory, role_factory):
    pool_id = guest_pool(identity_pool_factory)
    identity_id = anon_identity.get_id(IdentityPoolId=pool_id)["IdentityId"]
    token = anon_identity.get_open_id_token(IdentityId=identity_id)["Token"]
    role = cognito_role(role_factory, guest_pool(identity_pool_factory), "unauthenticated")
    with expect_error("AccessDenied", status=403) as info:
        anon_sts.assume_role_with_web_identity(RoleArn=role["Arn"], RoleSessionName="s1", WebIdentityToken=token)
    assert "Not authorized to perform sts:AssumeRoleWithWebIdentity" in info.value.response["Error"]["Message"]


def test_guest_token_for_an_authenticated_only_role_is_access_denied(anon_sts, anon_identity, identity_pool_factory,
                                                                     role_factory):
    # The guest token's amr is ["unauthenticated"]: the amr condition "authenticated" does not match.
    _, _, token, role = classic_setup(anon_identity, identity_pool_factory, role_factory, amr="authenticated")
    with expect_error("AccessDenied", status=403):
        anon_sts.assume_role_with_web_identity(RoleArn=role["Arn"], RoleSessionName="s1", WebIdentityToken=token)


def test_unknown_role_is_access_denied(anon_sts, anon_identity, identity_pool_factory, role_factory):
    # AWS does not reveal whether the role exists: the answer is the same AccessDenied.
    _, _, token, _ = classic_setup(anon_identity, identity_pool_factory, role_factory)
    with expect_error("AccessDenied", status=403):
        anon_sts.assume_role_with_web_identity(RoleArn=f"arn:aws:iam::{ACCOUNT_ID}:role/{unique('missing')}",
                                               RoleSessionName="s1", WebIdentityToken=token)


@pytest.mark.parametrize("forgery", ["garbage", "payload-byte"])
def test_invalid_web_identity_token_is_refused(anon_sts, anon_identity, identity_pool_factory, role_factory, forgery):
    _, identity_id, token, role = classic_setup(anon_identity, identity_pool_factory, role_factory)
    bad = "not-a-valid-token" if forgery == "garbage" else change_payload_byte(token, identity_id)
    with expect_error("InvalidIdentityToken", status=400):
        anon_sts.assume_role_with_web_identity(RoleArn=role["Arn"], RoleSessionName="s1", WebIdentityToken=bad)
    # The genuine token still works.
    assert anon_sts.assume_role_with_web_identity(RoleArn=role["Arn"], RoleSessionName="s1",
                                                  WebIdentityToken=token)["Credentials"]


def test_role_session_name_with_a_space_is_refused(anon_sts, anon_identity, identity_pool_factory, role_factory):
    # RoleSessionName pattern [\w+=,.@-]* (model; botocore does not check patterns).
    _, _, token, role = classic_setup(anon_identity, identity_pool_factory, role_factory)
    with expect_error("ValidationError", status=400):
        anon_sts.assume_role_with_web_identity(RoleArn=role["Arn"], RoleSessionName="app session",
                                               WebIdentityToken=token)


def test_developer_token_assumes_an_authenticated_role(identity, anon_sts, identity_pool_factory, role_factory):
    # Developer-authenticated identities may also use the basic flow (identity-pools.md §4).
    developer = developer_provider()
    pool_id = guest_pool(identity_pool_factory, DeveloperProviderName=developer)
    role = cognito_role(role_factory, pool_id, "authenticated")
    dev = identity.get_open_id_token_for_developer_identity(IdentityPoolId=pool_id, Logins={developer: "user-1"})
    resp = anon_sts.assume_role_with_web_identity(RoleArn=role["Arn"], RoleSessionName="dev-session",
                                                  WebIdentityToken=dev["Token"])
    assert resp["SubjectFromWebIdentityToken"] == dev["IdentityId"]
    assert caller(resp["Credentials"])["Arn"] == assumed_role_arn(role, "dev-session")


def test_expired_web_identity_token_is_refused(identity, anon_sts, identity_pool_factory, role_factory):
    # TokenDuration 1 s is the shortest developer token (GetOpenIdTokenForDeveloperIdentity reference).
    developer = developer_provider()
    pool_id = guest_pool(identity_pool_factory, DeveloperProviderName=developer)
    role = cognito_role(role_factory, pool_id, "authenticated")
    token = identity.get_open_id_token_for_developer_identity(IdentityPoolId=pool_id, Logins={developer: "user-1"},
                                                              TokenDuration=1)["Token"]
    time.sleep(2)
    with expect_error("ExpiredTokenException", status=400):
        anon_sts.assume_role_with_web_identity(RoleArn=role["Arn"], RoleSessionName="s1", WebIdentityToken=token)


# --- GetCallerIdentity ---

def test_admin_key_is_the_account_root(sts):
    who = sts.get_caller_identity()
    assert who["Arn"] == f"arn:aws:iam::{ACCOUNT_ID}:root"
    assert who["Account"] == ACCOUNT_ID


def test_unknown_access_key_is_invalid_client_token_id():
    # identity-pools.md §8: an unknown key is InvalidClientTokenId.
    with expect_error("InvalidClientTokenId", status=AUTH_STATUS):
        make_sts("AKIAUNKNOWNKEY000001", "x" * 40).get_caller_identity()


def _guest_credentials(identity, anon_identity, identity_pool_factory, role_factory) -> dict:
    s = guest_setup(identity, anon_identity, identity_pool_factory, role_factory)
    return credentials_of(anon_identity, s.identity_id)["Credentials"]


def test_tampered_session_token_is_invalid_client_token_id(identity, anon_identity, identity_pool_factory,
                                                           role_factory):
    creds = _guest_credentials(identity, anon_identity, identity_pool_factory, role_factory)
    with expect_error("InvalidClientTokenId", status=AUTH_STATUS):
        sts_for(creds, session_token=flip_middle_char(creds["SessionToken"])).get_caller_identity()



def test_temporary_credentials_with_a_wrong_secret_are_refused(identity, anon_identity, identity_pool_factory,
                                                               role_factory):
    creds = _guest_credentials(identity, anon_identity, identity_pool_factory, role_factory)
    with expect_error("SignatureDoesNotMatch", status=AUTH_STATUS):
        sts_for(creds, secret=flip_middle_char(creds["SecretKey"])).get_caller_identity()


def test_temporary_credentials_cannot_call_admin_operations(identity, anon_identity, identity_pool_factory,
                                                            role_factory):
    # Identity-pool credentials stand for a role, not for Postern's admin key.
    creds = _guest_credentials(identity, anon_identity, identity_pool_factory, role_factory)
    temp_idp = boto3.client("cognito-idp", endpoint_url=ENDPOINT, region_name=REGION,
                            aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretKey"],
                            aws_session_token=creds["SessionToken"], config=Config(retries={"max_attempts": 1}))
    with pytest.raises(ClientError) as info:
        temp_idp.list_user_pools(MaxResults=1)
    response = info.value.response
    assert response["ResponseMetadata"]["HTTPStatusCode"] in (400, 403)
    assert response["Error"]["Code"] in ("UnrecognizedClientException", "AccessDeniedException",
                                         "NotAuthorizedException"), response["Error"]


# --- Principal tags (attributes for access control) ---
# SetPrincipalTagAttributeMap names, per provider, which token claims become session tags of the credentials
# GetCredentialsForIdentity issues; STS then needs sts:TagSession in the role's trust policy as well
# ("Using attributes for access control", Cognito docs). test_gateway.py shows the tags reaching policies.

def tag_session_trust(pool_id: str, amr: str = "authenticated") -> dict:
    """The Cognito trust policy that also allows sts:TagSession."""
    trust = cognito_trust(pool_id, amr)
    trust["Statement"][0]["Action"] = ["sts:AssumeRoleWithWebIdentity", "sts:TagSession"]
    return trust


def _tagged_user_setup(identity, anon_identity, identity_pool_factory, role_factory, client, user_pool_login,
                       trust_for, principal_tags: dict | None = None, use_defaults: bool = False,
                       guests: bool = False):
    """(pool id, identity id, authenticated role) for a user-pool identity pool with a principal-tag map."""
    provider, id_token = user_pool_login
    pool_id = user_pool_identity_pool(identity_pool_factory, provider, client["ClientId"], guests=guests)
    role = role_factory(trust_for(pool_id))
    identity.set_identity_pool_roles(IdentityPoolId=pool_id, Roles={"authenticated": role["Arn"]})
    identity.set_principal_tag_attribute_map(IdentityPoolId=pool_id, IdentityProviderName=provider,
                                             UseDefaults=use_defaults, PrincipalTags=principal_tags or {})
    identity_id = anon_identity.get_id(IdentityPoolId=pool_id, Logins={provider: id_token})["IdentityId"]
    return pool_id, identity_id, role


def test_principal_tag_attribute_map_is_returned(identity, identity_pool_factory, client, user_pool_login):
    provider, _ = user_pool_login
    pool_id = user_pool_identity_pool(identity_pool_factory, provider, client["ClientId"])
    set_resp = identity.set_principal_tag_attribute_map(IdentityPoolId=pool_id, IdentityProviderName=provider,
                                                        UseDefaults=False, PrincipalTags={"username": "sub"})
    got = identity.get_principal_tag_attribute_map(IdentityPoolId=pool_id, IdentityProviderName=provider)
    for resp in (set_resp, got):
        assert resp["IdentityPoolId"] == pool_id
        assert resp["IdentityProviderName"] == provider
        assert resp["UseDefaults"] is False
        assert resp["PrincipalTags"] == {"username": "sub"}


def test_principal_tags_with_tag_session_in_the_trust_get_credentials(identity, anon_identity, identity_pool_factory,
                                                                      role_factory, client, user_pool_login):
    pool_id, identity_id, role = _tagged_user_setup(
        identity, anon_identity, identity_pool_factory, role_factory, client, user_pool_login, tag_session_trust,
        principal_tags={"username": "sub", "mail": "email"})
    resp = credentials_of(anon_identity, identity_id, dict([user_pool_login]))
    assert resp["IdentityId"] == identity_id
    assert re.fullmatch(TEMP_KEY_PATTERN, resp["Credentials"]["AccessKeyId"])
    assert caller(resp["Credentials"])["Arn"] == assumed_role_arn(role)


def test_principal_tag_defaults_with_tag_session_in_the_trust_get_credentials(
        identity, anon_identity, identity_pool_factory, role_factory, client, user_pool_login):
    _, identity_id, role = _tagged_user_setup(
        identity, anon_identity, identity_pool_factory, role_factory, client, user_pool_login, tag_session_trust,
        use_defaults=True)
    resp = credentials_of(anon_identity, identity_id, dict([user_pool_login]))
    assert caller(resp["Credentials"])["Arn"] == assumed_role_arn(role)


def test_principal_tags_without_tag_session_in_the_trust_are_an_invalid_configuration(
        identity, anon_identity, identity_pool_factory, role_factory, client, user_pool_login):
    _, identity_id, _ = _tagged_user_setup(
        identity, anon_identity, identity_pool_factory, role_factory, client, user_pool_login, cognito_trust,
        principal_tags={"username": "sub"})
    with expect_error("InvalidIdentityPoolConfigurationException", INVALID_POOL_CONFIGURATION):
        credentials_of(anon_identity, identity_id, dict([user_pool_login]))


def test_principal_tag_defaults_without_tag_session_in_the_trust_are_an_invalid_configuration(
        identity, anon_identity, identity_pool_factory, role_factory, client, user_pool_login):
    _, identity_id, _ = _tagged_user_setup(
        identity, anon_identity, identity_pool_factory, role_factory, client, user_pool_login, cognito_trust,
        use_defaults=True)
    with expect_error("InvalidIdentityPoolConfigurationException", INVALID_POOL_CONFIGURATION):
        credentials_of(anon_identity, identity_id, dict([user_pool_login]))


def test_principal_tag_map_of_absent_claims_tags_nothing_and_needs_no_tag_session(
        identity, anon_identity, identity_pool_factory, role_factory, client, user_pool_login):
    # A claim the token does not carry gives no tag; with no tags at all, sts:TagSession is not needed.
    _, identity_id, role = _tagged_user_setup(
        identity, anon_identity, identity_pool_factory, role_factory, client, user_pool_login, cognito_trust,
        principal_tags={"department": "custom:department"})
    resp = credentials_of(anon_identity, identity_id, dict([user_pool_login]))
    assert caller(resp["Credentials"])["Arn"] == assumed_role_arn(role)


def test_guest_credentials_carry_no_principal_tags(identity, anon_identity, identity_pool_factory, role_factory,
                                                   client, user_pool_login):
    # The map applies to the provider's logins only: a guest of the same pool gets untagged credentials, so its
    # role needs no sts:TagSession.
    provider, _ = user_pool_login
    pool_id = user_pool_identity_pool(identity_pool_factory, provider, client["ClientId"], guests=True)
    unauth = cognito_role(role_factory, pool_id, "unauthenticated")
    auth = role_factory(tag_session_trust(pool_id))
    identity.set_identity_pool_roles(IdentityPoolId=pool_id,
                                     Roles={"unauthenticated": unauth["Arn"], "authenticated": auth["Arn"]})
    identity.set_principal_tag_attribute_map(IdentityPoolId=pool_id, IdentityProviderName=provider,
                                             UseDefaults=True)
    guest = anon_identity.get_id(IdentityPoolId=pool_id)["IdentityId"]
    assert caller(credentials_of(anon_identity, guest)["Credentials"])["Arn"] == assumed_role_arn(unauth)


def test_every_refused_exchange_for_a_known_identity_is_an_event(identity, anon_identity, identity_pool_factory,
                                                                 role_factory):
    pool_id = guest_pool(identity_pool_factory)
    identity_id = anon_identity.get_id(IdentityPoolId=pool_id)["IdentityId"]
    with expect_error("InvalidIdentityPoolConfigurationException", INVALID_POOL_CONFIGURATION):
        credentials_of(anon_identity, identity_id)
    with expect_error("NotAuthorizedException"):
        credentials_of(anon_identity, identity_id, {"accounts.google.com": "not-a-token"})
    refused = log_events(f"identity-{identity_id}", "IdentityCredentialsRefused")
    assert [(e["data"]["reason"], e["data"]["providers"]) for e in refused] == [
        ("InvalidIdentityPoolConfigurationException", []), ("NotAuthorizedException", ["accounts.google.com"])]
    assert "not-a-token" not in json.dumps(refused)
    # The refusals moved the identity's stream: the identity is still usable once the pool has a role.
    identity.set_identity_pool_roles(IdentityPoolId=pool_id,
                                     Roles={"unauthenticated": cognito_role(role_factory, pool_id, "unauthenticated")["Arn"]})
    assert credentials_of(anon_identity, identity_id)["Credentials"]["AccessKeyId"].startswith("ASIA")
    # An unknown identity is not found, and nothing is recorded for it.
    missing = f"{pool_id.split(':')[0]}:{uuid.uuid4()}"
    with expect_error("ResourceNotFoundException"):
        credentials_of(anon_identity, missing)
    assert log_events(f"identity-{missing}") == []


# --- Token role mapping with group roles (cognito:roles / cognito:preferred_role), set here by a
#     PreTokenGeneration hook's groupOverrideDetails as user-pool groups set them ---

SCRIPTED_HOOK = "arn:aws:lambda:us-east-1:123456789012:function:scripted"


def _grouped_login(idp, anon_idp, pool_factory, client_factory, roles: list[str], preferred: str) -> tuple[str, str, str]:
    """(provider name, ID token, client id) of a user whose token names `roles`, preferring `preferred`."""
    pool = pool_factory(LambdaConfig={"PreTokenGeneration": SCRIPTED_HOOK})
    client = client_factory(pool_id=pool["Id"])
    username = unique("grouped")
    idp.admin_create_user(UserPoolId=pool["Id"], Username=username, MessageAction="SUPPRESS")
    idp.admin_set_user_password(UserPoolId=pool["Id"], Username=username, Password=PASSWORD, Permanent=True)
    answer = {"claimsOverrideDetails": {"groupOverrideDetails": {
        "groupsToOverride": ["editors", "readers"], "iamRolesToOverride": roles, "preferredRole": preferred}}}
    id_token = anon_idp.initiate_auth(
        ClientId=client["ClientId"], AuthFlow="USER_PASSWORD_AUTH", AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD},
        ClientMetadata={"answer": json.dumps(answer)})["AuthenticationResult"]["IdToken"]
    return provider_name_of(id_token), id_token, client["ClientId"]


def test_token_mapping_gives_the_preferred_role_and_custom_role_arn_picks_another_of_the_tokens(
        identity, anon_identity, identity_pool_factory, role_factory, idp, anon_idp, pool_factory, client_factory):
    pool_id = identity_pool_factory(AllowUnauthenticatedIdentities=False)["IdentityPoolId"]
    editor, reader, outsider = (cognito_role(role_factory, pool_id, "authenticated") for _ in range(3))
    provider, id_token, client_id = _grouped_login(idp, anon_idp, pool_factory, client_factory,
                                                   [editor["Arn"], reader["Arn"]], editor["Arn"])
    assert claims(id_token)["cognito:preferred_role"] == editor["Arn"]
    identity.update_identity_pool(IdentityPoolId=pool_id, IdentityPoolName=identity.describe_identity_pool(
        IdentityPoolId=pool_id)["IdentityPoolName"], AllowUnauthenticatedIdentities=False,
        CognitoIdentityProviders=[{"ProviderName": provider, "ClientId": client_id, "ServerSideTokenCheck": False}])
    identity.set_identity_pool_roles(
        IdentityPoolId=pool_id, Roles={"authenticated": outsider["Arn"]},
        RoleMappings={f"{provider}:{client_id}": {"Type": "Token", "AmbiguousRoleResolution": "Deny"}})
    identity_id = anon_identity.get_id(IdentityPoolId=pool_id, Logins={provider: id_token})["IdentityId"]
    creds = credentials_of(anon_identity, identity_id, {provider: id_token})["Credentials"]
    assert caller(creds)["Arn"] == assumed_role_arn(editor)
    chosen = credentials_of(anon_identity, identity_id, {provider: id_token}, CustomRoleArn=reader["Arn"])["Credentials"]
    assert caller(chosen)["Arn"] == assumed_role_arn(reader)
    with expect_error("NotAuthorizedException"):
        credentials_of(anon_identity, identity_id, {provider: id_token}, CustomRoleArn=outsider["Arn"])
