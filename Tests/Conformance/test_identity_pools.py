"""Identity pools (cognito-identity), administration: Create/Describe/Update/Delete/ListIdentityPools,
Set/GetIdentityPoolRoles, tags, principal-tag attribute maps, SigV4 refusal (identity-pools.md §1-2).

Shapes follow the botocore model cognito-identity/2014-06-30. A request that breaks the model's constraints
is refused with ValidationException (AWS's observed code for cognito-identity; see
support.IDENTITY_VALIDATION_ERROR), a request the model allows but the service does not with
InvalidParameterException. Where botocore checks a constraint itself (required members, minimum lengths
and values) the request goes through `unvalidated_identity`, so that the server's own check is what the
test sees; maximum lengths, patterns, enums and map sizes are never checked by botocore.
"""
from __future__ import annotations

import re
import uuid

import pytest

from support import (
    ACCOUNT_ID,
    ADMIN_KEY_ID,
    ADMIN_SECRET,
    IDENTITY_VALIDATION_ERROR as VALIDATION,
    aws_provider_name,
    expect_error,
    identity_pool_arn,
    make_identity,
    native_provider_name,
    unique,
)

# AWS-wide auth error codes; 400 vs 403 is unconfirmed for Cognito (wire-protocol.md §1; test_admin_auth.py).
AUTH_STATUS = (400, 403)

# IdentityPoolId is {region}:{uuid} (identity-pools.md §1; model pattern [\w-]+:[0-9a-f-]+, max 55).
ID_PATTERN = r"us-east-1:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
UNKNOWN_POOL = "us-east-1:00000000-0000-4000-8000-000000000000"


def role_arn(name: str) -> str:
    return f"arn:aws:iam::{ACCOUNT_ID}:role/{name}"


def developer_provider() -> str:
    # DeveloperProviderName pattern [\w._-]+; unique per test in case the name is unique per account.
    return f"login.postern-{uuid.uuid4().hex[:10]}.test"


def absent_or_empty(resp: dict, member: str) -> bool:
    # AWS omits some unset members and answers others as {} (e.g. IdentityPoolTags); both mean "none".
    return not resp.get(member)


def full_config(pool, client) -> dict:
    """Every CreateIdentityPool member, each with a value."""
    return dict(
        IdentityPoolName=unique("full pool"),
        AllowUnauthenticatedIdentities=True,
        AllowClassicFlow=True,
        SupportedLoginProviders={"accounts.google.com": "123456789012.apps.googleusercontent.com",
                                 "graph.facebook.com": "7346241598935555"},
        DeveloperProviderName=developer_provider(),
        # IAM is not in this batch: the ARNs are only stored and echoed here.
        OpenIdConnectProviderARNs=[f"arn:aws:iam::{ACCOUNT_ID}:oidc-provider/login.example.com"],
        CognitoIdentityProviders=[{"ProviderName": aws_provider_name(pool["Id"]), "ClientId": client["ClientId"],
                                   "ServerSideTokenCheck": True}],
        SamlProviderARNs=[f"arn:aws:iam::{ACCOUNT_ID}:saml-provider/corp"],
        IdentityPoolTags={"team": "identity", "env": "test"},
    )


def without_metadata(resp: dict) -> dict:
    return {k: v for k, v in resp.items() if k != "ResponseMetadata"}


# --- CreateIdentityPool / DescribeIdentityPool ---

def test_create_returns_every_member_it_was_given(identity_pool_factory, pool, client):
    config = full_config(pool, client)
    created = identity_pool_factory(**config)
    assert re.fullmatch(ID_PATTERN, created["IdentityPoolId"]), created["IdentityPoolId"]
    # The response is the IdentityPool shape: the id plus an echo of every member set, nothing else.
    assert created == {"IdentityPoolId": created["IdentityPoolId"], **config}


def test_identity_pool_id_is_region_and_uuid(identity_pool_factory):
    pool_id = identity_pool_factory()["IdentityPoolId"]
    region, _, guid = pool_id.partition(":")
    assert region == "us-east-1"
    assert str(uuid.UUID(guid)) == guid  # canonical lower-case uuid
    assert len(pool_id) <= 55


def test_identity_pool_ids_are_unique(identity_pool_factory):
    assert identity_pool_factory()["IdentityPoolId"] != identity_pool_factory()["IdentityPoolId"]


def test_describe_returns_the_configuration(identity, identity_pool_factory, pool, client):
    created = identity_pool_factory(**full_config(pool, client))
    described = without_metadata(identity.describe_identity_pool(IdentityPoolId=created["IdentityPoolId"]))
    assert described == created


def test_minimal_pool_has_no_providers(identity, identity_pool_factory):
    name = unique("minimal")
    created = identity_pool_factory(IdentityPoolName=name, AllowUnauthenticatedIdentities=False)
    described = identity.describe_identity_pool(IdentityPoolId=created["IdentityPoolId"])
    for resp in (created, described):
        assert resp["IdentityPoolName"] == name
        assert resp["AllowUnauthenticatedIdentities"] is False
        assert resp.get("AllowClassicFlow", False) is False
        for member in ("SupportedLoginProviders", "DeveloperProviderName", "OpenIdConnectProviderARNs",
                       "CognitoIdentityProviders", "SamlProviderARNs", "IdentityPoolTags"):
            assert absent_or_empty(resp, member), f"{member}: {resp.get(member)!r}"


def test_server_side_token_check_defaults_to_false(identity_pool_factory, pool, client):
    created = identity_pool_factory(CognitoIdentityProviders=[
        {"ProviderName": aws_provider_name(pool["Id"]), "ClientId": client["ClientId"]}])
    [provider] = created["CognitoIdentityProviders"]
    assert provider["ProviderName"] == aws_provider_name(pool["Id"])
    assert provider["ClientId"] == client["ClientId"]
    assert provider.get("ServerSideTokenCheck", False) is False


def test_native_provider_name_is_accepted(identity_pool_factory, pool, client):
    # Postern's own name for a user pool (the ID token's iss without its scheme) fits the model pattern
    # [\w._:/-]+ and is stored as given.
    created = identity_pool_factory(CognitoIdentityProviders=[
        {"ProviderName": native_provider_name(pool["Id"]), "ClientId": client["ClientId"], "ServerSideTokenCheck": False}])
    assert created["CognitoIdentityProviders"] == [
        {"ProviderName": native_provider_name(pool["Id"]), "ClientId": client["ClientId"], "ServerSideTokenCheck": False}]


# --- model validation: ValidationException (support.IDENTITY_VALIDATION_ERROR) ---

@pytest.mark.parametrize("name", ["slash/name", "colon:name", "star*name", "p" * 129],
                         ids=["slash", "colon", "star", "129-chars"])
def test_invalid_identity_pool_name_is_refused(identity, name):
    # IdentityPoolName: 1-128 chars, pattern [\w\s+=,.@-]+ (model).
    with expect_error(VALIDATION) as info:
        identity.create_identity_pool(IdentityPoolName=name, AllowUnauthenticatedIdentities=False)
    if len(name) <= 128:
        # Observed AWS wording for a name outside the pattern (moto#1979, verified against AWS in moto#4415).
        assert info.value.response["Error"]["Message"] == (
            f"1 validation error detected: Value '{name}' at 'identityPoolName' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern: [\\w\\s+=,.@-]+")


def test_identity_pool_name_may_hold_spaces_and_punctuation(identity_pool_factory):
    name = f"My pool +=,.@-_ {uuid.uuid4().hex[:6]}"
    assert identity_pool_factory(IdentityPoolName=name)["IdentityPoolName"] == name


def test_empty_identity_pool_name_is_refused(unvalidated_identity):
    with expect_error(VALIDATION):
        unvalidated_identity.create_identity_pool(IdentityPoolName="", AllowUnauthenticatedIdentities=False)


def test_missing_allow_unauthenticated_identities_is_refused(unvalidated_identity):
    with expect_error(VALIDATION):
        unvalidated_identity.create_identity_pool(IdentityPoolName=unique("idpool"))


@pytest.mark.parametrize("name", ["dev/provider", "dev provider", "dev:provider", "d" * 129],
                         ids=["slash", "space", "colon", "129-chars"])
def test_invalid_developer_provider_name_is_refused(identity, name):
    # DeveloperProviderName: 1-128 chars, pattern [\w._-]+ (model).
    with expect_error(VALIDATION):
        identity.create_identity_pool(IdentityPoolName=unique("idpool"), AllowUnauthenticatedIdentities=False,
                                      DeveloperProviderName=name)


@pytest.mark.parametrize("field,value", [
    ("ProviderName", "cognito idp!"),
    ("ProviderName", "p" * 129),
    ("ClientId", "client-with-dashes"),
    ("ClientId", "c" * 129),
], ids=["provider-pattern", "provider-129-chars", "client-pattern", "client-129-chars"])
def test_invalid_cognito_identity_provider_is_refused(identity, pool, client, field, value):
    # ProviderName: 1-128, [\w._:/-]+; ClientId: 1-128, [\w_]+ (model).
    provider = {"ProviderName": aws_provider_name(pool["Id"]), "ClientId": client["ClientId"], field: value}
    with expect_error(VALIDATION):
        identity.create_identity_pool(IdentityPoolName=unique("idpool"), AllowUnauthenticatedIdentities=False,
                                      CognitoIdentityProviders=[provider])


def test_cognito_identity_provider_without_provider_name_is_refused(identity, client):
    # ProviderName is optional in the model but AWS refuses an entry without one (observed through
    # CloudFormation: InvalidParameterException "Invalid Cognito Identity Provider").
    with expect_error("InvalidParameterException"):
        identity.create_identity_pool(IdentityPoolName=unique("idpool"), AllowUnauthenticatedIdentities=False,
                                      CognitoIdentityProviders=[{"ClientId": client["ClientId"]}])


def test_more_than_ten_supported_login_providers_are_refused(identity):
    # IdentityProviders map: at most 10 entries (model).
    providers = {f"login{i}.example.com": f"app{i}" for i in range(11)}
    with expect_error(VALIDATION):
        identity.create_identity_pool(IdentityPoolName=unique("idpool"), AllowUnauthenticatedIdentities=False,
                                      SupportedLoginProviders=providers)


def test_too_long_tag_key_is_refused(identity):
    # TagKeysType: 1-128 chars (model).
    with expect_error(VALIDATION):
        identity.create_identity_pool(IdentityPoolName=unique("idpool"), AllowUnauthenticatedIdentities=False,
                                      IdentityPoolTags={"k" * 129: "v"})


# --- SigV4: the administration API refuses unsigned and badly signed calls ---

ADMIN_CALLS = {
    "CreateIdentityPool": lambda c: c.create_identity_pool(IdentityPoolName="unsigned", AllowUnauthenticatedIdentities=False),
    "DescribeIdentityPool": lambda c: c.describe_identity_pool(IdentityPoolId=UNKNOWN_POOL),
    "UpdateIdentityPool": lambda c: c.update_identity_pool(IdentityPoolId=UNKNOWN_POOL, IdentityPoolName="x",
                                                           AllowUnauthenticatedIdentities=False),
    "DeleteIdentityPool": lambda c: c.delete_identity_pool(IdentityPoolId=UNKNOWN_POOL),
    "ListIdentityPools": lambda c: c.list_identity_pools(MaxResults=10),
    "SetIdentityPoolRoles": lambda c: c.set_identity_pool_roles(IdentityPoolId=UNKNOWN_POOL,
                                                                Roles={"authenticated": role_arn("auth")}),
    "GetIdentityPoolRoles": lambda c: c.get_identity_pool_roles(IdentityPoolId=UNKNOWN_POOL),
    "TagResource": lambda c: c.tag_resource(ResourceArn=identity_pool_arn(UNKNOWN_POOL), Tags={"k": "v"}),
    "UntagResource": lambda c: c.untag_resource(ResourceArn=identity_pool_arn(UNKNOWN_POOL), TagKeys=["k"]),
    "ListTagsForResource": lambda c: c.list_tags_for_resource(ResourceArn=identity_pool_arn(UNKNOWN_POOL)),
    "GetPrincipalTagAttributeMap": lambda c: c.get_principal_tag_attribute_map(
        IdentityPoolId=UNKNOWN_POOL, IdentityProviderName="accounts.google.com"),
    "SetPrincipalTagAttributeMap": lambda c: c.set_principal_tag_attribute_map(
        IdentityPoolId=UNKNOWN_POOL, IdentityProviderName="accounts.google.com", UseDefaults=True),
}


# The identity and developer-identity operations' refusals are in test_identity_pool_identities.py.
@pytest.mark.parametrize("operation", sorted(ADMIN_CALLS))
def test_admin_operations_refuse_unsigned_requests(anon_identity, operation):
    # Every operation but GetId, GetCredentialsForIdentity, GetOpenIdToken and UnlinkIdentity needs
    # developer credentials (model: only those four are `authtype: none`). Same refusal as cognito-idp.
    with expect_error("MissingAuthenticationTokenException", status=AUTH_STATUS):
        ADMIN_CALLS[operation](anon_identity)


def test_unknown_access_key_is_refused(identity_pool_factory):
    pool_id = identity_pool_factory()["IdentityPoolId"]
    stranger = make_identity(access_key="AKIAUNKNOWNKEY000003", secret_key="x" * 40)
    with expect_error("UnrecognizedClientException", status=AUTH_STATUS):
        stranger.describe_identity_pool(IdentityPoolId=pool_id)


def test_wrong_secret_is_refused(identity_pool_factory):
    pool_id = identity_pool_factory()["IdentityPoolId"]
    wrong = make_identity(access_key=ADMIN_KEY_ID, secret_key=ADMIN_SECRET + "x")
    with expect_error("InvalidSignatureException", status=AUTH_STATUS):
        wrong.describe_identity_pool(IdentityPoolId=pool_id)
    with expect_error("InvalidSignatureException", status=AUTH_STATUS):
        wrong.create_identity_pool(IdentityPoolName=unique("idpool"), AllowUnauthenticatedIdentities=False)


# --- unknown and malformed ids ---

UNKNOWN_POOL_CALLS = {
    "DescribeIdentityPool": lambda c: c.describe_identity_pool(IdentityPoolId=UNKNOWN_POOL),
    "UpdateIdentityPool": lambda c: c.update_identity_pool(IdentityPoolId=UNKNOWN_POOL, IdentityPoolName="x",
                                                           AllowUnauthenticatedIdentities=False),
    "DeleteIdentityPool": lambda c: c.delete_identity_pool(IdentityPoolId=UNKNOWN_POOL),
    "SetIdentityPoolRoles": lambda c: c.set_identity_pool_roles(IdentityPoolId=UNKNOWN_POOL,
                                                                Roles={"authenticated": role_arn("auth")}),
    "GetIdentityPoolRoles": lambda c: c.get_identity_pool_roles(IdentityPoolId=UNKNOWN_POOL),
    "GetPrincipalTagAttributeMap": lambda c: c.get_principal_tag_attribute_map(
        IdentityPoolId=UNKNOWN_POOL, IdentityProviderName="accounts.google.com"),
    "SetPrincipalTagAttributeMap": lambda c: c.set_principal_tag_attribute_map(
        IdentityPoolId=UNKNOWN_POOL, IdentityProviderName="accounts.google.com", UseDefaults=True),
}


@pytest.mark.parametrize("operation", sorted(UNKNOWN_POOL_CALLS))
def test_unknown_identity_pool_is_not_found(identity, operation):
    with expect_error("ResourceNotFoundException"):
        UNKNOWN_POOL_CALLS[operation](identity)


def test_unknown_identity_pool_message_names_the_pool(identity):
    # Observed AWS wording (HTTP 400): "IdentityPool 'us-east-1:…' not found."
    with expect_error("ResourceNotFoundException", f"IdentityPool '{UNKNOWN_POOL}' not found."):
        identity.describe_identity_pool(IdentityPoolId=UNKNOWN_POOL)


@pytest.mark.parametrize("pool_id", ["not-a-pool-id", "us-east-1:NOT-HEX", "us-east-1:" + "a" * 50],
                         ids=["no-colon", "upper-case", "56-chars"])
def test_malformed_identity_pool_id_is_refused(identity, pool_id):
    # IdentityPoolId: pattern [\w-]+:[0-9a-f-]+, max 55 (model).
    with expect_error(VALIDATION):
        identity.describe_identity_pool(IdentityPoolId=pool_id)


# --- DeleteIdentityPool ---

def test_deleted_identity_pool_is_gone(identity, identity_pool_factory):
    pool_id = identity_pool_factory()["IdentityPoolId"]
    resp = identity.delete_identity_pool(IdentityPoolId=pool_id)
    assert without_metadata(resp) == {}  # no output shape
    with expect_error("ResourceNotFoundException"):
        identity.describe_identity_pool(IdentityPoolId=pool_id)
    with expect_error("ResourceNotFoundException"):
        identity.delete_identity_pool(IdentityPoolId=pool_id)


# --- ListIdentityPools ---

def _all_pools(identity, page_size=60):
    pools, token = [], None
    while True:
        resp = identity.list_identity_pools(MaxResults=page_size, **({"NextToken": token} if token else {}))
        assert len(resp["IdentityPools"]) <= page_size
        pools.extend(resp["IdentityPools"])
        token = resp.get("NextToken")
        if not token:
            return pools


def test_list_shows_id_and_name_only(identity, identity_pool_factory, pool, client):
    created = identity_pool_factory(**full_config(pool, client))
    [entry] = [p for p in _all_pools(identity) if p["IdentityPoolId"] == created["IdentityPoolId"]]
    # IdentityPoolShortDescription: IdentityPoolId and IdentityPoolName only.
    assert entry == {"IdentityPoolId": created["IdentityPoolId"], "IdentityPoolName": created["IdentityPoolName"]}


def test_list_pages_with_next_token(identity, identity_pool_factory):
    mine = {identity_pool_factory()["IdentityPoolId"] for _ in range(3)}
    seen = [p["IdentityPoolId"] for p in _all_pools(identity, page_size=1)]
    assert len(seen) == len(set(seen)), "a pool was listed twice"
    assert mine <= set(seen)


def test_list_paginator_walks_every_page(identity, identity_pool_factory):
    # ListIdentityPools is the one operation with a botocore paginator (identity-pools.md §2).
    mine = {identity_pool_factory()["IdentityPoolId"] for _ in range(2)}
    pages = list(identity.get_paginator("list_identity_pools").paginate(PaginationConfig={"PageSize": 1}))
    seen = [p["IdentityPoolId"] for page in pages for p in page["IdentityPools"]]
    assert all(len(page["IdentityPools"]) <= 1 for page in pages)
    assert mine <= set(seen)


def test_deleted_pool_leaves_the_list(identity, identity_pool_factory):
    pool_id = identity_pool_factory()["IdentityPoolId"]
    identity.delete_identity_pool(IdentityPoolId=pool_id)
    assert pool_id not in {p["IdentityPoolId"] for p in _all_pools(identity)}


def test_list_max_results_above_sixty_is_refused(identity):
    # QueryLimit: 1-60 (model); botocore does not check the maximum.
    with expect_error(VALIDATION):
        identity.list_identity_pools(MaxResults=61)


def test_list_max_results_below_one_is_refused(unvalidated_identity):
    with expect_error(VALIDATION):
        unvalidated_identity.list_identity_pools(MaxResults=0)


def test_list_without_max_results_is_refused(unvalidated_identity):
    # MaxResults is required (model).
    with expect_error(VALIDATION):
        unvalidated_identity.list_identity_pools()


# --- UpdateIdentityPool ---

def test_update_returns_the_new_configuration(identity, identity_pool_factory, pool, client):
    pool_id = identity_pool_factory(IdentityPoolName=unique("before"))["IdentityPoolId"]
    config = full_config(pool, client)
    updated = without_metadata(identity.update_identity_pool(IdentityPoolId=pool_id, **config))
    assert updated == {"IdentityPoolId": pool_id, **config}
    assert without_metadata(identity.describe_identity_pool(IdentityPoolId=pool_id)) == updated


def test_update_clears_members_it_omits(identity, identity_pool_factory, pool, client):
    # "If you don't provide a value for a parameter, Amazon Cognito sets it to its default value."
    # (UpdateIdentityPool reference): the request replaces the configuration.
    config = full_config(pool, client)
    pool_id = identity_pool_factory(**config)["IdentityPoolId"]
    name = unique("renamed")
    updated = identity.update_identity_pool(IdentityPoolId=pool_id, IdentityPoolName=name,
                                            AllowUnauthenticatedIdentities=False)
    described = identity.describe_identity_pool(IdentityPoolId=pool_id)
    for resp in (updated, described):
        assert resp["IdentityPoolId"] == pool_id
        assert resp["IdentityPoolName"] == name
        assert resp["AllowUnauthenticatedIdentities"] is False
        assert resp.get("AllowClassicFlow", False) is False
        for member in ("SupportedLoginProviders", "OpenIdConnectProviderARNs", "CognitoIdentityProviders",
                       "SamlProviderARNs"):
            assert absent_or_empty(resp, member), f"{member} survived the update: {resp.get(member)!r}"


def test_update_keeps_developer_provider_name_when_omitted(identity, identity_pool_factory):
    # "Once you have set a developer provider name, you cannot change it" (CreateIdentityPool reference), so
    # it is the one member an update that leaves it out does not reset (observed with Terraform, which
    # never sends it on update).
    developer = developer_provider()
    pool_id = identity_pool_factory(DeveloperProviderName=developer)["IdentityPoolId"]
    updated = identity.update_identity_pool(IdentityPoolId=pool_id, IdentityPoolName=unique("renamed"),
                                            AllowUnauthenticatedIdentities=True)
    assert updated["DeveloperProviderName"] == developer
    assert identity.describe_identity_pool(IdentityPoolId=pool_id)["DeveloperProviderName"] == developer


def test_update_cannot_change_developer_provider_name(identity, identity_pool_factory):
    developer = developer_provider()
    created = identity_pool_factory(DeveloperProviderName=developer)
    with expect_error("InvalidParameterException"):
        identity.update_identity_pool(IdentityPoolId=created["IdentityPoolId"], IdentityPoolName=created["IdentityPoolName"],
                                      AllowUnauthenticatedIdentities=False, DeveloperProviderName=developer_provider())
    assert identity.describe_identity_pool(IdentityPoolId=created["IdentityPoolId"])["DeveloperProviderName"] == developer


def test_update_with_the_same_developer_provider_name_is_fine(identity, identity_pool_factory):
    developer = developer_provider()
    created = identity_pool_factory(DeveloperProviderName=developer)
    updated = identity.update_identity_pool(IdentityPoolId=created["IdentityPoolId"], IdentityPoolName=created["IdentityPoolName"],
                                            AllowUnauthenticatedIdentities=True, DeveloperProviderName=developer)
    assert updated["DeveloperProviderName"] == developer
    assert updated["AllowUnauthenticatedIdentities"] is True


def test_update_can_add_a_developer_provider_name(identity, identity_pool_factory):
    created = identity_pool_factory()
    developer = developer_provider()
    updated = identity.update_identity_pool(IdentityPoolId=created["IdentityPoolId"], IdentityPoolName=created["IdentityPoolName"],
                                            AllowUnauthenticatedIdentities=False, DeveloperProviderName=developer)
    assert updated["DeveloperProviderName"] == developer


def test_update_validates_like_create(identity, identity_pool_factory):
    created = identity_pool_factory()
    with expect_error(VALIDATION):
        identity.update_identity_pool(IdentityPoolId=created["IdentityPoolId"], IdentityPoolName="slash/name",
                                      AllowUnauthenticatedIdentities=False)
    with expect_error(VALIDATION):
        identity.update_identity_pool(IdentityPoolId=created["IdentityPoolId"], IdentityPoolName=created["IdentityPoolName"],
                                      AllowUnauthenticatedIdentities=False,
                                      SupportedLoginProviders={f"login{i}.example.com": "app" for i in range(11)})
    assert identity.describe_identity_pool(IdentityPoolId=created["IdentityPoolId"])["IdentityPoolName"] == created["IdentityPoolName"]


# --- SetIdentityPoolRoles / GetIdentityPoolRoles ---

def test_new_pool_has_no_roles(identity, identity_pool_factory):
    pool_id = identity_pool_factory()["IdentityPoolId"]
    resp = identity.get_identity_pool_roles(IdentityPoolId=pool_id)
    assert resp["IdentityPoolId"] == pool_id
    assert absent_or_empty(resp, "Roles")
    assert absent_or_empty(resp, "RoleMappings")


def test_set_and_get_roles(identity, identity_pool_factory):
    pool_id = identity_pool_factory()["IdentityPoolId"]
    roles = {"authenticated": role_arn("Cognito_Auth_Role"), "unauthenticated": role_arn("Cognito_Unauth_Role")}
    resp = identity.set_identity_pool_roles(IdentityPoolId=pool_id, Roles=roles)
    assert without_metadata(resp) == {}  # no output shape
    got = identity.get_identity_pool_roles(IdentityPoolId=pool_id)
    assert got["IdentityPoolId"] == pool_id
    assert got["Roles"] == roles
    assert absent_or_empty(got, "RoleMappings")


def test_set_roles_replaces_the_previous_roles(identity, identity_pool_factory):
    pool_id = identity_pool_factory()["IdentityPoolId"]
    identity.set_identity_pool_roles(IdentityPoolId=pool_id, Roles={
        "authenticated": role_arn("Auth"), "unauthenticated": role_arn("Unauth")})
    identity.set_identity_pool_roles(IdentityPoolId=pool_id, Roles={"authenticated": role_arn("Auth2")})
    assert identity.get_identity_pool_roles(IdentityPoolId=pool_id)["Roles"] == {"authenticated": role_arn("Auth2")}


def test_role_arn_with_a_path_is_kept(identity, identity_pool_factory):
    pool_id = identity_pool_factory()["IdentityPoolId"]
    arn = f"arn:aws:iam::{ACCOUNT_ID}:role/service-role/my-role"
    identity.set_identity_pool_roles(IdentityPoolId=pool_id, Roles={"authenticated": arn})
    assert identity.get_identity_pool_roles(IdentityPoolId=pool_id)["Roles"] == {"authenticated": arn}


@pytest.mark.parametrize("key", ["admin", "Authenticated", "authenticatedx"])
def test_roles_key_must_be_authenticated_or_unauthenticated(identity, identity_pool_factory, key):
    # RoleType: pattern (un)?authenticated (model).
    pool_id = identity_pool_factory()["IdentityPoolId"]
    with expect_error(VALIDATION):
        identity.set_identity_pool_roles(IdentityPoolId=pool_id, Roles={key: role_arn("Auth")})


def test_role_that_is_not_an_arn_is_refused(identity, identity_pool_factory):
    # AWS answers a role name (not an ARN) with NotAuthorizedException "Access to Role '<value>' is
    # forbidden." (observed, aws-sdk-js#908, boto3#73): the value is checked as a role the caller may pass.
    pool_id = identity_pool_factory()["IdentityPoolId"]
    value = "my-stack-SomeRole-KBKHTR8P6UC2"
    with expect_error("NotAuthorizedException", f"Access to Role '{value}' is forbidden."):
        identity.set_identity_pool_roles(IdentityPoolId=pool_id, Roles={"authenticated": value})
    assert absent_or_empty(identity.get_identity_pool_roles(IdentityPoolId=pool_id), "Roles")


def test_role_arn_shorter_than_twenty_characters_is_refused(unvalidated_identity, identity_pool_factory):
    # ARNString: 20-2048 chars (model; botocore checks the minimum itself).
    pool_id = identity_pool_factory()["IdentityPoolId"]
    with expect_error(VALIDATION):
        unvalidated_identity.set_identity_pool_roles(IdentityPoolId=pool_id, Roles={"authenticated": "arn:aws:iam::1:r"})


def _user_pool_identity_pool(identity_pool_factory, pool, client, provider_name=None):
    provider_name = provider_name or aws_provider_name(pool["Id"])
    return identity_pool_factory(CognitoIdentityProviders=[
        {"ProviderName": provider_name, "ClientId": client["ClientId"], "ServerSideTokenCheck": False}])["IdentityPoolId"]


def test_token_role_mapping_for_a_user_pool_client(identity, identity_pool_factory, pool, client):
    # The RoleMappings key of a user pool is {ProviderName}:{ClientId}, e.g.
    # cognito-idp.us-east-1.amazonaws.com/us-east-1_abcdefghi:app_client_id (SetIdentityPoolRoles reference).
    pool_id = _user_pool_identity_pool(identity_pool_factory, pool, client)
    key = f"{aws_provider_name(pool['Id'])}:{client['ClientId']}"
    mappings = {key: {"Type": "Token", "AmbiguousRoleResolution": "AuthenticatedRole"}}
    identity.set_identity_pool_roles(IdentityPoolId=pool_id, Roles={"authenticated": role_arn("Auth")}, RoleMappings=mappings)
    got = identity.get_identity_pool_roles(IdentityPoolId=pool_id)
    assert got["Roles"] == {"authenticated": role_arn("Auth")}
    assert got["RoleMappings"] == mappings


def test_rules_role_mapping_round_trips(identity, identity_pool_factory, pool, client):
    pool_id = _user_pool_identity_pool(identity_pool_factory, pool, client)
    key = f"{aws_provider_name(pool['Id'])}:{client['ClientId']}"
    rules = [
        {"Claim": "custom:tier", "MatchType": "Equals", "Value": "gold", "RoleARN": role_arn("Gold")},
        {"Claim": "email", "MatchType": "Contains", "Value": "@example.com", "RoleARN": role_arn("Staff")},
        {"Claim": "cognito:username", "MatchType": "StartsWith", "Value": "admin-", "RoleARN": role_arn("Admin")},
        {"Claim": "custom:tier", "MatchType": "NotEqual", "Value": "banned", "RoleARN": role_arn("Member")},
    ]
    mappings = {key: {"Type": "Rules", "AmbiguousRoleResolution": "Deny", "RulesConfiguration": {"Rules": rules}}}
    identity.set_identity_pool_roles(IdentityPoolId=pool_id, Roles={"authenticated": role_arn("Auth")}, RoleMappings=mappings)
    # Rules keep their order: the first match wins (identity-pools.md §5).
    assert identity.get_identity_pool_roles(IdentityPoolId=pool_id)["RoleMappings"] == mappings


def test_role_mapping_for_the_native_provider_name(identity, identity_pool_factory, pool, client):
    pool_id = _user_pool_identity_pool(identity_pool_factory, pool, client, native_provider_name(pool["Id"]))
    key = f"{native_provider_name(pool['Id'])}:{client['ClientId']}"
    mappings = {key: {"Type": "Token", "AmbiguousRoleResolution": "Deny"}}
    identity.set_identity_pool_roles(IdentityPoolId=pool_id, Roles={"authenticated": role_arn("Auth")}, RoleMappings=mappings)
    assert identity.get_identity_pool_roles(IdentityPoolId=pool_id)["RoleMappings"] == mappings


def test_role_mapping_for_a_supported_login_provider(identity, identity_pool_factory):
    pool_id = identity_pool_factory(SupportedLoginProviders={"graph.facebook.com": "7346241598935555"})["IdentityPoolId"]
    mappings = {"graph.facebook.com": {"Type": "Rules", "AmbiguousRoleResolution": "AuthenticatedRole",
                                       "RulesConfiguration": {"Rules": [
                                           {"Claim": "sub", "MatchType": "Equals", "Value": "1234", "RoleARN": role_arn("Fb")}]}}}
    identity.set_identity_pool_roles(IdentityPoolId=pool_id, Roles={"authenticated": role_arn("Auth")}, RoleMappings=mappings)
    assert identity.get_identity_pool_roles(IdentityPoolId=pool_id)["RoleMappings"] == mappings


@pytest.mark.parametrize("which", ["other-client", "other-pool", "pool-without-client", "unknown-provider"])
def test_role_mapping_for_an_unconfigured_provider_is_refused(identity, identity_pool_factory, pool, client,
                                                              client_factory, pool_factory, which):
    # Observed: InvalidParameterException "<key> is not a valid RoleMapping ProviderName or is not a
    # configured provider." (aws-cdk#7670, #22951).
    pool_id = _user_pool_identity_pool(identity_pool_factory, pool, client)
    key = {
        "other-client": lambda: f"{aws_provider_name(pool['Id'])}:{client_factory()['ClientId']}",
        "other-pool": lambda: f"{aws_provider_name(pool_factory()['Id'])}:{client['ClientId']}",
        "pool-without-client": lambda: aws_provider_name(pool["Id"]),
        "unknown-provider": lambda: "accounts.google.com",
    }[which]()
    with expect_error("InvalidParameterException") as info:
        identity.set_identity_pool_roles(IdentityPoolId=pool_id, Roles={"authenticated": role_arn("Auth")},
                                         RoleMappings={key: {"Type": "Token", "AmbiguousRoleResolution": "Deny"}})
    message = info.value.response["Error"]["Message"]
    assert message.endswith("is not a valid RoleMapping ProviderName or is not a configured provider."), message
    assert key in message
    assert absent_or_empty(identity.get_identity_pool_roles(IdentityPoolId=pool_id), "RoleMappings")


def test_role_mapping_requires_ambiguous_role_resolution(identity, identity_pool_factory, pool, client):
    # "If you specify Token or Rules as the Type, AmbiguousRoleResolution is required." (RoleMapping shape doc)
    pool_id = _user_pool_identity_pool(identity_pool_factory, pool, client)
    key = f"{aws_provider_name(pool['Id'])}:{client['ClientId']}"
    with expect_error("InvalidParameterException"):
        identity.set_identity_pool_roles(IdentityPoolId=pool_id, Roles={"authenticated": role_arn("Auth")},
                                         RoleMappings={key: {"Type": "Token"}})


def test_rules_mapping_requires_rules(identity, identity_pool_factory, pool, client):
    # "If you specify Rules as the role mapping type, RulesConfiguration is required." (RoleMapping shape doc)
    pool_id = _user_pool_identity_pool(identity_pool_factory, pool, client)
    key = f"{aws_provider_name(pool['Id'])}:{client['ClientId']}"
    with expect_error("InvalidParameterException"):
        identity.set_identity_pool_roles(IdentityPoolId=pool_id, Roles={"authenticated": role_arn("Auth")},
                                         RoleMappings={key: {"Type": "Rules", "AmbiguousRoleResolution": "Deny"}})


@pytest.mark.parametrize("change", [
    {"MatchType": "Matches"},
    {"Claim": "c" * 65},
    {"Value": "v" * 129},
], ids=["match-type", "claim-65-chars", "value-129-chars"])
def test_invalid_mapping_rule_is_refused(identity, identity_pool_factory, pool, client, change):
    # MappingRule: MatchType Equals|Contains|StartsWith|NotEqual, Claim 1-64 chars, Value 1-128 chars (model).
    pool_id = _user_pool_identity_pool(identity_pool_factory, pool, client)
    key = f"{aws_provider_name(pool['Id'])}:{client['ClientId']}"
    rule = {"Claim": "custom:tier", "MatchType": "Equals", "Value": "gold", "RoleARN": role_arn("Gold"), **change}
    with expect_error(VALIDATION):
        identity.set_identity_pool_roles(IdentityPoolId=pool_id, Roles={"authenticated": role_arn("Auth")},
                                         RoleMappings={key: {"Type": "Rules", "AmbiguousRoleResolution": "Deny",
                                                             "RulesConfiguration": {"Rules": [rule]}}})


def test_unknown_role_mapping_type_is_refused(identity, identity_pool_factory, pool, client):
    pool_id = _user_pool_identity_pool(identity_pool_factory, pool, client)
    key = f"{aws_provider_name(pool['Id'])}:{client['ClientId']}"
    with expect_error(VALIDATION):
        identity.set_identity_pool_roles(IdentityPoolId=pool_id, Roles={"authenticated": role_arn("Auth")},
                                         RoleMappings={key: {"Type": "Groups", "AmbiguousRoleResolution": "Deny"}})


def test_set_roles_without_mappings_removes_them(identity, identity_pool_factory, pool, client):
    # SetIdentityPoolRoles sets the whole role configuration; RoleMappings left out are gone.
    pool_id = _user_pool_identity_pool(identity_pool_factory, pool, client)
    key = f"{aws_provider_name(pool['Id'])}:{client['ClientId']}"
    identity.set_identity_pool_roles(IdentityPoolId=pool_id, Roles={"authenticated": role_arn("Auth")},
                                     RoleMappings={key: {"Type": "Token", "AmbiguousRoleResolution": "Deny"}})
    identity.set_identity_pool_roles(IdentityPoolId=pool_id, Roles={"authenticated": role_arn("Auth")})
    assert absent_or_empty(identity.get_identity_pool_roles(IdentityPoolId=pool_id), "RoleMappings")


# --- TagResource / UntagResource / ListTagsForResource ---

def test_tags_given_at_creation_are_listed_by_arn(identity, identity_pool_factory):
    pool_id = identity_pool_factory(IdentityPoolTags={"team": "identity", "env": "test"})["IdentityPoolId"]
    resp = identity.list_tags_for_resource(ResourceArn=identity_pool_arn(pool_id))
    assert resp["Tags"] == {"team": "identity", "env": "test"}


def test_pool_without_tags_lists_none(identity, identity_pool_factory):
    pool_id = identity_pool_factory()["IdentityPoolId"]
    assert absent_or_empty(identity.list_tags_for_resource(ResourceArn=identity_pool_arn(pool_id)), "Tags")


def test_tag_resource_adds_and_overwrites_tags(identity, identity_pool_factory):
    pool_id = identity_pool_factory(IdentityPoolTags={"team": "identity", "env": "test"})["IdentityPoolId"]
    resp = identity.tag_resource(ResourceArn=identity_pool_arn(pool_id), Tags={"env": "prod", "owner": "ops"})
    assert without_metadata(resp) == {}
    expected = {"team": "identity", "env": "prod", "owner": "ops"}
    assert identity.list_tags_for_resource(ResourceArn=identity_pool_arn(pool_id))["Tags"] == expected
    assert identity.describe_identity_pool(IdentityPoolId=pool_id)["IdentityPoolTags"] == expected


def test_untag_resource_removes_only_the_named_keys(identity, identity_pool_factory):
    pool_id = identity_pool_factory(IdentityPoolTags={"team": "identity", "env": "test", "owner": "ops"})["IdentityPoolId"]
    resp = identity.untag_resource(ResourceArn=identity_pool_arn(pool_id), TagKeys=["env", "owner", "never-set"])
    assert without_metadata(resp) == {}
    assert identity.list_tags_for_resource(ResourceArn=identity_pool_arn(pool_id))["Tags"] == {"team": "identity"}


def test_tag_value_may_be_empty(identity, identity_pool_factory):
    # TagValueType: 0-256 chars (model).
    pool_id = identity_pool_factory()["IdentityPoolId"]
    identity.tag_resource(ResourceArn=identity_pool_arn(pool_id), Tags={"flag": ""})
    assert identity.list_tags_for_resource(ResourceArn=identity_pool_arn(pool_id))["Tags"] == {"flag": ""}


def test_more_than_fifty_tags_are_refused(identity, identity_pool_factory):
    # "An identity pool can have as many as 50 tags." (TagResource reference)
    pool_id = identity_pool_factory(IdentityPoolTags={f"k{i}": "v" for i in range(50)})["IdentityPoolId"]
    with expect_error("InvalidParameterException"):
        identity.tag_resource(ResourceArn=identity_pool_arn(pool_id), Tags={"one-too-many": "v"})
    assert len(identity.list_tags_for_resource(ResourceArn=identity_pool_arn(pool_id))["Tags"]) == 50


def test_too_long_tag_value_is_refused(identity, identity_pool_factory):
    pool_id = identity_pool_factory()["IdentityPoolId"]
    with expect_error(VALIDATION):
        identity.tag_resource(ResourceArn=identity_pool_arn(pool_id), Tags={"k": "v" * 257})


@pytest.mark.parametrize("operation", ["ListTagsForResource", "TagResource", "UntagResource"])
def test_tags_of_an_unknown_identity_pool_are_not_found(identity, operation):
    arn = identity_pool_arn(UNKNOWN_POOL)
    call = {
        "ListTagsForResource": lambda: identity.list_tags_for_resource(ResourceArn=arn),
        "TagResource": lambda: identity.tag_resource(ResourceArn=arn, Tags={"k": "v"}),
        "UntagResource": lambda: identity.untag_resource(ResourceArn=arn, TagKeys=["k"]),
    }[operation]
    with expect_error("ResourceNotFoundException"):
        call()


def test_tags_of_a_deleted_identity_pool_are_not_found(identity, identity_pool_factory):
    pool_id = identity_pool_factory(IdentityPoolTags={"k": "v"})["IdentityPoolId"]
    identity.delete_identity_pool(IdentityPoolId=pool_id)
    with expect_error("ResourceNotFoundException"):
        identity.list_tags_for_resource(ResourceArn=identity_pool_arn(pool_id))


def test_tags_need_an_identity_pool_arn(identity, identity_pool_factory):
    # A user-pool ARN (or any ARN that is not arn:aws:cognito-identity:…:identitypool/…) names no identity pool.
    pool_id = identity_pool_factory()["IdentityPoolId"]
    with expect_error("InvalidParameterException"):
        identity.list_tags_for_resource(ResourceArn=f"arn:aws:cognito-idp:us-east-1:{ACCOUNT_ID}:userpool/{pool_id}")


# --- GetPrincipalTagAttributeMap / SetPrincipalTagAttributeMap ---

def _google_pool(identity_pool_factory):
    return identity_pool_factory(SupportedLoginProviders={"accounts.google.com": "123456789012.apps.googleusercontent.com"})["IdentityPoolId"]


def test_principal_tag_map_with_defaults(identity, identity_pool_factory):
    pool_id = _google_pool(identity_pool_factory)
    resp = identity.set_principal_tag_attribute_map(IdentityPoolId=pool_id, IdentityProviderName="accounts.google.com",
                                                    UseDefaults=True)
    assert resp["IdentityPoolId"] == pool_id
    assert resp["IdentityProviderName"] == "accounts.google.com"
    assert resp["UseDefaults"] is True
    got = identity.get_principal_tag_attribute_map(IdentityPoolId=pool_id, IdentityProviderName="accounts.google.com")
    assert got["IdentityPoolId"] == pool_id
    assert got["IdentityProviderName"] == "accounts.google.com"
    assert got["UseDefaults"] is True


def test_principal_tag_map_with_custom_tags(identity, identity_pool_factory):
    pool_id = _google_pool(identity_pool_factory)
    tags = {"department": "hd", "mail": "email"}
    resp = identity.set_principal_tag_attribute_map(IdentityPoolId=pool_id, IdentityProviderName="accounts.google.com",
                                                    UseDefaults=False, PrincipalTags=tags)
    assert without_metadata(resp) == {"IdentityPoolId": pool_id, "IdentityProviderName": "accounts.google.com",
                                      "UseDefaults": False, "PrincipalTags": tags}
    got = identity.get_principal_tag_attribute_map(IdentityPoolId=pool_id, IdentityProviderName="accounts.google.com")
    assert without_metadata(got) == without_metadata(resp)


def test_principal_tag_map_is_replaced_by_the_next_set(identity, identity_pool_factory):
    pool_id = _google_pool(identity_pool_factory)
    identity.set_principal_tag_attribute_map(IdentityPoolId=pool_id, IdentityProviderName="accounts.google.com",
                                             UseDefaults=False, PrincipalTags={"department": "hd", "mail": "email"})
    identity.set_principal_tag_attribute_map(IdentityPoolId=pool_id, IdentityProviderName="accounts.google.com",
                                             UseDefaults=False, PrincipalTags={"mail": "email"})
    got = identity.get_principal_tag_attribute_map(IdentityPoolId=pool_id, IdentityProviderName="accounts.google.com")
    assert got["PrincipalTags"] == {"mail": "email"}


def test_more_than_fifty_principal_tags_are_refused(identity, identity_pool_factory):
    # PrincipalTags: at most 50 entries (model).
    pool_id = _google_pool(identity_pool_factory)
    with expect_error(VALIDATION):
        identity.set_principal_tag_attribute_map(IdentityPoolId=pool_id, IdentityProviderName="accounts.google.com",
                                                 PrincipalTags={f"t{i}": "sub" for i in range(51)})
