"""Identity pools (cognito-identity), identities: GetId, GetOpenIdToken, DescribeIdentity, ListIdentities,
DeleteIdentities, linking and UnlinkIdentity, developer-authenticated identities (GetOpenIdTokenForDeveloperIdentity,
LookupDeveloperIdentity, MergeDeveloperIdentities, UnlinkDeveloperIdentity) (identity-pools.md §2-4, §6).

User-pool logins use Postern's native provider name (the ID token's iss without its scheme, from the
`user_pool_login` fixture) unless a test says otherwise; `support.aws_provider_name` is the AWS-style alias
cognito-idp.{region}.amazonaws.com/{userPoolId}, accepted for the same user pool.

GetOpenIdToken is the basic (classic) flow: AWS refuses it for pools whose AllowClassicFlow is false
("Basic (classic) flow is not enabled, please use enhanced flow."), so the pools here that call it set
AllowClassicFlow=True. Credentials (GetCredentialsForIdentity, STS) are not in this file.
"""
from __future__ import annotations

import json
import re
import time
import uuid

import jwt
import pytest
import requests
from botocore.exceptions import ClientError

from support import (
    ACCOUNT_ID,
    IDENTITY_VALIDATION_ERROR as VALIDATION,
    aws_provider_name,
    b64url,
    b64url_decode,
    claims,
    expect_error,
    id_token_login,
    identity_pool_arn,
    jwt_header,
    sign_up,
    tokens,
)

# IdentityId is {region}:{uuid} (identity-pools.md §1).
ID_PATTERN = r"us-east-1:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
UNKNOWN_POOL = "us-east-1:00000000-0000-4000-8000-000000000000"
UNKNOWN_IDENTITY = "us-east-1:00000000-0000-4000-8000-00000000beef"

# Observed AWS wording (identity-pools.md §3-4 and SDK issue reports).
UNAUTHENTICATED_NOT_SUPPORTED = "Unauthenticated access is not supported for this identity pool."
NOT_A_SUPPORTED_PROVIDER = "Token is not from a supported provider of this identity pool."
LOGINS_DO_NOT_MATCH = "Logins don't match. Please include at least one valid login for this identity or identity pool."
CLASSIC_FLOW_DISABLED = "Basic (classic) flow is not enabled, please use enhanced flow."
CLASSIC_FLOW_WITH_ROLE_MAPPINGS = "Basic (classic) flow is not supported with RoleMappings, please use enhanced flow."
IDENTITY_POOL_TOKEN_PROVIDER = "cognito-identity.amazonaws.com"


# --- helpers ---

def guest_pool(identity_pool_factory, **kwargs) -> str:
    """An identity pool that allows guests and the basic flow; returns its id."""
    kwargs.setdefault("AllowUnauthenticatedIdentities", True)
    kwargs.setdefault("AllowClassicFlow", True)
    return identity_pool_factory(**kwargs)["IdentityPoolId"]


def user_pool_identity_pool(identity_pool_factory, provider_name: str, client_id: str, *, guests: bool = False,
                            server_side_token_check: bool = False, **kwargs) -> str:
    """An identity pool with one user-pool app client as its provider (basic flow on); returns its id."""
    kwargs.setdefault("AllowClassicFlow", True)
    return identity_pool_factory(
        AllowUnauthenticatedIdentities=guests,
        CognitoIdentityProviders=[{"ProviderName": provider_name, "ClientId": client_id,
                                   "ServerSideTokenCheck": server_side_token_check}],
        **kwargs)["IdentityPoolId"]


def another_user(idp, anon_idp, pool_id: str, client: dict):
    user = sign_up(anon_idp, pool_id, client)
    idp.admin_confirm_sign_up(UserPoolId=pool_id, Username=user.username)
    return user


def developer_provider() -> str:
    # DeveloperProviderName pattern [\w._-]+; unique per test in case the name is unique per account.
    return f"login.postern-{uuid.uuid4().hex[:10]}.test"


def absent_or_empty(resp: dict, member: str) -> bool:
    return not resp.get(member)


def verify_identity_pool_token(token: str, identity_pool_id: str) -> dict:
    """Verifies an identity-pool OpenID token (RS512) with the keys its issuer publishes; returns its claims.

    The issuer's discovery document is at {iss}/.well-known/openid-configuration and names the JWKS (jwks_uri).
    """
    header = jwt_header(token)
    assert header["alg"] == "RS512", header
    assert header.get("kid"), header
    issuer = claims(token)["iss"]
    discovery = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=10)
    assert discovery.status_code == 200, discovery.text
    doc = discovery.json()
    assert doc["issuer"] == issuer
    keys = requests.get(doc["jwks_uri"], timeout=10)
    assert keys.status_code == 200, keys.text
    matching = [k for k in keys.json()["keys"] if k.get("kid") == header["kid"]]
    assert len(matching) == 1, f"kid {header['kid']} not published once in {doc['jwks_uri']}"
    assert matching[0]["kty"] == "RSA"
    assert "d" not in matching[0], "the JWKS must hold public keys only"
    public_key = jwt.PyJWK(matching[0], algorithm="RS512").key
    return jwt.decode(token, public_key, algorithms=["RS512"], audience=identity_pool_id, issuer=issuer,
                      options={"require": ["iss", "sub", "aud", "exp", "iat"]})


def forge(token: str, **changes) -> str:
    """The token with payload members changed and the original signature kept."""
    h, p, s = token.split(".")
    payload = json.loads(b64url_decode(p))
    payload.update(changes)
    return f"{h}.{b64url(json.dumps(payload).encode())}.{s}"


def logins_of(identity, identity_id: str) -> list[str]:
    return sorted(identity.describe_identity(IdentityId=identity_id).get("Logins") or [])


# --- GetId: guests ---

def test_guest_get_id_returns_an_identity_id(anon_identity, identity_pool_factory):
    pool_id = guest_pool(identity_pool_factory)
    resp = anon_identity.get_id(IdentityPoolId=pool_id)
    assert re.fullmatch(ID_PATTERN, resp["IdentityId"]), resp["IdentityId"]
    assert set(resp) - {"ResponseMetadata"} == {"IdentityId"}


def test_guest_get_id_creates_a_new_identity_each_call(anon_identity, identity_pool_factory):
    pool_id = guest_pool(identity_pool_factory)
    ids = {anon_identity.get_id(IdentityPoolId=pool_id)["IdentityId"] for _ in range(3)}
    assert len(ids) == 3


def test_guest_get_id_is_refused_when_guests_are_not_allowed(anon_identity, identity_pool_factory):
    pool_id = identity_pool_factory(AllowUnauthenticatedIdentities=False)["IdentityPoolId"]
    with expect_error("NotAuthorizedException", UNAUTHENTICATED_NOT_SUPPORTED):
        anon_identity.get_id(IdentityPoolId=pool_id)


def test_get_id_of_an_unknown_pool_is_not_found(anon_identity):
    # Observed AWS wording: "IdentityPool 'us-east-1:…' not found." (HTTP 400).
    with expect_error("ResourceNotFoundException", f"IdentityPool '{UNKNOWN_POOL}' not found."):
        anon_identity.get_id(IdentityPoolId=UNKNOWN_POOL)


def test_get_id_of_a_deleted_pool_is_not_found(identity, anon_identity, identity_pool_factory):
    pool_id = guest_pool(identity_pool_factory)
    identity.delete_identity_pool(IdentityPoolId=pool_id)
    with expect_error("ResourceNotFoundException"):
        anon_identity.get_id(IdentityPoolId=pool_id)


@pytest.mark.parametrize("pool_id", ["us-east-1_abcdefghi", "us-east-1:NOT-HEX"], ids=["user-pool-id", "upper-case"])
def test_get_id_with_a_malformed_pool_id_is_refused(anon_identity, pool_id):
    # IdentityPoolId pattern [\w-]+:[0-9a-f-]+ (model); a user-pool id is the classic mistake.
    with expect_error(VALIDATION):
        anon_identity.get_id(IdentityPoolId=pool_id)


def test_get_id_may_be_signed(identity, identity_pool_factory):
    # GetId is a public operation; a client that signs it (e.g. with the admin key) is not refused.
    pool_id = guest_pool(identity_pool_factory)
    assert re.fullmatch(ID_PATTERN, identity.get_id(IdentityPoolId=pool_id)["IdentityId"])


# --- GetId: user-pool logins ---

def test_user_pool_login_gets_the_same_identity_every_time(anon_identity, anon_idp, identity_pool_factory, client,
                                                          confirmed_user, user_pool_login):
    provider, id_token = user_pool_login
    pool_id = user_pool_identity_pool(identity_pool_factory, provider, client["ClientId"])
    first = anon_identity.get_id(IdentityPoolId=pool_id, Logins={provider: id_token})["IdentityId"]
    assert re.fullmatch(ID_PATTERN, first)
    _, second_token = id_token_login(anon_idp, confirmed_user)  # a fresh sign-in: another token, same user
    assert anon_identity.get_id(IdentityPoolId=pool_id, Logins={provider: second_token})["IdentityId"] == first
    assert anon_identity.get_id(IdentityPoolId=pool_id, Logins={provider: id_token})["IdentityId"] == first


def test_aws_style_provider_name_maps_to_the_same_identity(anon_identity, identity_pool_factory, pool, client,
                                                          user_pool_login):
    provider, id_token = user_pool_login
    pool_id = user_pool_identity_pool(identity_pool_factory, provider, client["ClientId"])
    native = anon_identity.get_id(IdentityPoolId=pool_id, Logins={provider: id_token})["IdentityId"]
    aws = anon_identity.get_id(IdentityPoolId=pool_id, Logins={aws_provider_name(pool["Id"]): id_token})["IdentityId"]
    assert aws == native


def test_pool_configured_with_the_aws_style_name_accepts_both_names(anon_identity, identity_pool_factory, pool, client,
                                                                    user_pool_login):
    provider, id_token = user_pool_login
    pool_id = user_pool_identity_pool(identity_pool_factory, aws_provider_name(pool["Id"]), client["ClientId"])
    aws = anon_identity.get_id(IdentityPoolId=pool_id, Logins={aws_provider_name(pool["Id"]): id_token})["IdentityId"]
    native = anon_identity.get_id(IdentityPoolId=pool_id, Logins={provider: id_token})["IdentityId"]
    assert native == aws


def test_different_users_get_different_identities(idp, anon_idp, anon_identity, identity_pool_factory, pool, client,
                                                  user_pool_login):
    provider, id_token = user_pool_login
    pool_id = user_pool_identity_pool(identity_pool_factory, provider, client["ClientId"])
    _, other_token = id_token_login(anon_idp, another_user(idp, anon_idp, pool["Id"], client))
    mine = anon_identity.get_id(IdentityPoolId=pool_id, Logins={provider: id_token})["IdentityId"]
    theirs = anon_identity.get_id(IdentityPoolId=pool_id, Logins={provider: other_token})["IdentityId"]
    assert mine != theirs


def test_the_same_user_has_one_identity_per_identity_pool(anon_identity, identity_pool_factory, client, user_pool_login):
    provider, id_token = user_pool_login
    first_pool = user_pool_identity_pool(identity_pool_factory, provider, client["ClientId"])
    second_pool = user_pool_identity_pool(identity_pool_factory, provider, client["ClientId"])
    first = anon_identity.get_id(IdentityPoolId=first_pool, Logins={provider: id_token})["IdentityId"]
    second = anon_identity.get_id(IdentityPoolId=second_pool, Logins={provider: id_token})["IdentityId"]
    assert first != second


def test_token_of_a_client_the_pool_does_not_list_is_refused(anon_identity, identity_pool_factory, client_factory,
                                                            user_pool_login):
    provider, id_token = user_pool_login
    pool_id = user_pool_identity_pool(identity_pool_factory, provider, client_factory()["ClientId"])
    with expect_error("NotAuthorizedException", NOT_A_SUPPORTED_PROVIDER):
        anon_identity.get_id(IdentityPoolId=pool_id, Logins={provider: id_token})


def test_token_of_a_user_pool_the_pool_does_not_list_is_refused(anon_identity, identity_pool_factory, pool_factory,
                                                               client_factory, user_pool_login):
    provider, id_token = user_pool_login
    other_pool = pool_factory()
    other_client = client_factory(pool_id=other_pool["Id"])
    pool_id = user_pool_identity_pool(identity_pool_factory, aws_provider_name(other_pool["Id"]), other_client["ClientId"])
    with expect_error("NotAuthorizedException"):
        anon_identity.get_id(IdentityPoolId=pool_id, Logins={provider: id_token})


def test_token_presented_under_another_user_pools_name_is_refused(anon_identity, identity_pool_factory, pool_factory,
                                                                 client_factory, client, user_pool_login):
    # Observed AWS wording when the Logins key and the token's iss disagree:
    # "Invalid login token. Issuer doesn't match providerName".
    provider, id_token = user_pool_login
    other_pool = pool_factory()
    other_client = client_factory(pool_id=other_pool["Id"])
    pool_id = identity_pool_factory(AllowUnauthenticatedIdentities=False, CognitoIdentityProviders=[
        {"ProviderName": provider, "ClientId": client["ClientId"], "ServerSideTokenCheck": False},
        {"ProviderName": aws_provider_name(other_pool["Id"]), "ClientId": other_client["ClientId"], "ServerSideTokenCheck": False},
    ])["IdentityPoolId"]
    with expect_error("NotAuthorizedException", "Invalid login token. Issuer doesn't match providerName"):
        anon_identity.get_id(IdentityPoolId=pool_id, Logins={aws_provider_name(other_pool["Id"]): id_token})


def test_access_token_is_refused(anon_identity, anon_idp, identity_pool_factory, client, confirmed_user, user_pool_login):
    # The Logins value of a user pool is its ID token; an access token has no aud. Observed AWS wording:
    # "Invalid login token. Missing a required claim: aud".
    provider, _ = user_pool_login
    pool_id = user_pool_identity_pool(identity_pool_factory, provider, client["ClientId"])
    access_token = tokens(anon_idp, confirmed_user)["AccessToken"]
    with expect_error("NotAuthorizedException", "Invalid login token. Missing a required claim: aud"):
        anon_identity.get_id(IdentityPoolId=pool_id, Logins={provider: access_token})


@pytest.mark.parametrize("forgery", ["tampered_sub", "expired", "garbage"])
def test_forged_id_token_is_refused(anon_identity, identity_pool_factory, client, user_pool_login, forgery):
    provider, id_token = user_pool_login
    pool_id = user_pool_identity_pool(identity_pool_factory, provider, client["ClientId"])
    payload = claims(id_token)
    forged = {
        "tampered_sub": lambda: forge(id_token, sub=str(uuid.uuid4())),
        # A validly signed expired token cannot be made within the suite's time budget (the shortest ID-token
        # lifetime is 5 minutes): exp moves into the past and the signature stays (as in test_tokens.py).
        "expired": lambda: forge(id_token, iat=payload["iat"] - 7200, exp=payload["iat"] - 3600),
        "garbage": lambda: "not-a-jwt",
    }[forgery]()
    with expect_error("NotAuthorizedException") as info:
        anon_identity.get_id(IdentityPoolId=pool_id, Logins={provider: forged})
    # "Invalid login token. …" (observed: "Couldn't verify signed token.", "Token expired…").
    assert info.value.response["Error"]["Message"].startswith("Invalid login token."), info.value.response["Error"]
    # The genuine token still works.
    assert anon_identity.get_id(IdentityPoolId=pool_id, Logins={provider: id_token})["IdentityId"]


def test_deleted_users_token_is_refused_with_server_side_token_check(idp, anon_identity, identity_pool_factory, pool,
                                                                    client, confirmed_user, user_pool_login):
    # ServerSideTokenCheck: "the identity pool will check with the integrated user pools to make sure that the
    # user has not been globally signed out or deleted … If the user is signed out or deleted, the identity pool
    # will return a 400 Not Authorized error." (CognitoIdentityProvider shape doc)
    provider, id_token = user_pool_login
    pool_id = user_pool_identity_pool(identity_pool_factory, provider, client["ClientId"], server_side_token_check=True)
    assert anon_identity.get_id(IdentityPoolId=pool_id, Logins={provider: id_token})["IdentityId"]
    idp.admin_delete_user(UserPoolId=pool["Id"], Username=confirmed_user.username)
    with expect_error("NotAuthorizedException"):
        anon_identity.get_id(IdentityPoolId=pool_id, Logins={provider: id_token})


def test_signed_out_users_token_is_refused_with_server_side_token_check(idp, anon_identity, identity_pool_factory, pool,
                                                                       client, confirmed_user, user_pool_login):
    provider, id_token = user_pool_login
    pool_id = user_pool_identity_pool(identity_pool_factory, provider, client["ClientId"], server_side_token_check=True)
    idp.admin_user_global_sign_out(UserPoolId=pool["Id"], Username=confirmed_user.username)
    with expect_error("NotAuthorizedException"):
        anon_identity.get_id(IdentityPoolId=pool_id, Logins={provider: id_token})


def test_deleted_users_token_is_accepted_without_server_side_token_check(idp, anon_identity, identity_pool_factory, pool,
                                                                        client, confirmed_user, user_pool_login):
    # Without ServerSideTokenCheck the identity pool only verifies the token itself (signature, iss, aud, exp):
    # the check against the user pool is what the flag turns on.
    provider, id_token = user_pool_login
    pool_id = user_pool_identity_pool(identity_pool_factory, provider, client["ClientId"], server_side_token_check=False)
    before = anon_identity.get_id(IdentityPoolId=pool_id, Logins={provider: id_token})["IdentityId"]
    idp.admin_delete_user(UserPoolId=pool["Id"], Username=confirmed_user.username)
    assert anon_identity.get_id(IdentityPoolId=pool_id, Logins={provider: id_token})["IdentityId"] == before


def test_more_than_ten_logins_are_refused(anon_identity, identity_pool_factory, client, user_pool_login):
    # LoginsMap: at most 10 entries (model; identity-pools.md §3).
    provider, id_token = user_pool_login
    pool_id = user_pool_identity_pool(identity_pool_factory, provider, client["ClientId"])
    logins = {provider: id_token, **{f"login{i}.example.com": "token" for i in range(10)}}
    with expect_error(VALIDATION):
        anon_identity.get_id(IdentityPoolId=pool_id, Logins=logins)


def test_login_of_a_provider_the_pool_does_not_have_is_refused(anon_identity, identity_pool_factory):
    pool_id = guest_pool(identity_pool_factory)
    with expect_error("NotAuthorizedException"):
        anon_identity.get_id(IdentityPoolId=pool_id, Logins={"accounts.google.com": "not-a-google-token"})


def test_developer_provider_login_is_refused_by_get_id(anon_identity, identity, identity_pool_factory):
    # A developer user id is vouched for by the backend (signed GetOpenIdTokenForDeveloperIdentity), never by
    # an app calling the public GetId (identity-pools.md §3).
    developer = developer_provider()
    pool_id = guest_pool(identity_pool_factory, DeveloperProviderName=developer)
    identity.get_open_id_token_for_developer_identity(IdentityPoolId=pool_id, Logins={developer: "user-1"})
    with expect_error("NotAuthorizedException"):
        anon_identity.get_id(IdentityPoolId=pool_id, Logins={developer: "user-1"})


# --- GetOpenIdToken ---

def test_open_id_token_for_a_guest(anon_identity, identity_pool_factory):
    pool_id = guest_pool(identity_pool_factory)
    identity_id = anon_identity.get_id(IdentityPoolId=pool_id)["IdentityId"]
    resp = anon_identity.get_open_id_token(IdentityId=identity_id)
    assert set(resp) - {"ResponseMetadata"} == {"IdentityId", "Token"}
    assert resp["IdentityId"] == identity_id
    assert resp["Token"].count(".") == 2


def test_open_id_token_is_rs512_signed_with_published_keys(anon_identity, identity_pool_factory):
    pool_id = guest_pool(identity_pool_factory)
    identity_id = anon_identity.get_id(IdentityPoolId=pool_id)["IdentityId"]
    token = anon_identity.get_open_id_token(IdentityId=identity_id)["Token"]
    # Header observed on AWS: {"kid": "<region><n>", "typ": "JWS", "alg": "RS512"} (identity-pools.md §6).
    assert jwt_header(token)["typ"] == "JWS"
    verify_identity_pool_token(token, pool_id)


def test_guest_open_id_token_claims(anon_identity, identity_pool_factory):
    pool_id = guest_pool(identity_pool_factory)
    identity_id = anon_identity.get_id(IdentityPoolId=pool_id)["IdentityId"]
    c = verify_identity_pool_token(anon_identity.get_open_id_token(IdentityId=identity_id)["Token"], pool_id)
    assert c["aud"] == pool_id
    assert c["sub"] == identity_id
    assert c["amr"] == ["unauthenticated"]
    # "The OpenID token is valid for 10 minutes." (GetOpenIdToken reference)
    assert c["exp"] - c["iat"] == 600
    assert abs(c["iat"] - time.time()) < 300


def test_user_pool_open_id_token_claims(anon_identity, identity_pool_factory, client, user_pool_login):
    provider, id_token = user_pool_login
    pool_id = user_pool_identity_pool(identity_pool_factory, provider, client["ClientId"])
    identity_id = anon_identity.get_id(IdentityPoolId=pool_id, Logins={provider: id_token})["IdentityId"]
    resp = anon_identity.get_open_id_token(IdentityId=identity_id, Logins={provider: id_token})
    assert resp["IdentityId"] == identity_id
    c = verify_identity_pool_token(resp["Token"], pool_id)
    assert c["aud"] == pool_id
    assert c["sub"] == identity_id
    # amr: ["authenticated", "<provider>", "<provider>:…:<user>"] (identity-pools.md §6).
    assert c["amr"][0] == "authenticated"
    assert provider in c["amr"], c["amr"]
    assert c["exp"] - c["iat"] == 600


def test_open_id_token_is_refused_when_classic_flow_is_disabled(anon_identity, identity_pool_factory):
    pool_id = guest_pool(identity_pool_factory, AllowClassicFlow=False)
    identity_id = anon_identity.get_id(IdentityPoolId=pool_id)["IdentityId"]
    with expect_error("InvalidParameterException", CLASSIC_FLOW_DISABLED):
        anon_identity.get_open_id_token(IdentityId=identity_id)


def test_open_id_token_is_refused_for_a_pool_with_role_mappings(identity, anon_identity, identity_pool_factory, client,
                                                                user_pool_login):
    provider, id_token = user_pool_login
    pool_id = user_pool_identity_pool(identity_pool_factory, provider, client["ClientId"])
    identity.set_identity_pool_roles(
        IdentityPoolId=pool_id, Roles={"authenticated": f"arn:aws:iam::{ACCOUNT_ID}:role/Auth"},
        RoleMappings={f"{provider}:{client['ClientId']}": {"Type": "Token", "AmbiguousRoleResolution": "AuthenticatedRole"}})
    identity_id = anon_identity.get_id(IdentityPoolId=pool_id, Logins={provider: id_token})["IdentityId"]
    with expect_error("InvalidParameterException", CLASSIC_FLOW_WITH_ROLE_MAPPINGS):
        anon_identity.get_open_id_token(IdentityId=identity_id, Logins={provider: id_token})


def test_open_id_token_of_an_unknown_identity_is_not_found(anon_identity):
    with expect_error("ResourceNotFoundException"):
        anon_identity.get_open_id_token(IdentityId=UNKNOWN_IDENTITY)


def test_open_id_token_with_a_malformed_identity_id_is_refused(anon_identity):
    with expect_error(VALIDATION):
        anon_identity.get_open_id_token(IdentityId="not-an-identity-id")


def test_authenticated_identity_needs_its_logins(anon_identity, identity_pool_factory, client, user_pool_login):
    provider, id_token = user_pool_login
    pool_id = user_pool_identity_pool(identity_pool_factory, provider, client["ClientId"], guests=True)
    identity_id = anon_identity.get_id(IdentityPoolId=pool_id, Logins={provider: id_token})["IdentityId"]
    with expect_error("NotAuthorizedException", LOGINS_DO_NOT_MATCH):
        anon_identity.get_open_id_token(IdentityId=identity_id)


def test_logins_of_a_new_user_cannot_claim_someone_elses_identity(idp, anon_idp, anon_identity, identity_pool_factory,
                                                                 pool, client, user_pool_login):
    provider, id_token = user_pool_login
    pool_id = user_pool_identity_pool(identity_pool_factory, provider, client["ClientId"])
    victim = anon_identity.get_id(IdentityPoolId=pool_id, Logins={provider: id_token})["IdentityId"]
    _, intruder_token = id_token_login(anon_idp, another_user(idp, anon_idp, pool["Id"], client))
    with expect_error("NotAuthorizedException"):
        anon_identity.get_open_id_token(IdentityId=victim, Logins={provider: intruder_token})


def test_logins_of_a_user_with_an_identity_cannot_claim_another(identity, idp, anon_idp, anon_identity,
                                                                identity_pool_factory, pool, client, user_pool_login):
    provider, id_token = user_pool_login
    pool_id = user_pool_identity_pool(identity_pool_factory, provider, client["ClientId"])
    victim = anon_identity.get_id(IdentityPoolId=pool_id, Logins={provider: id_token})["IdentityId"]
    _, intruder_token = id_token_login(anon_idp, another_user(idp, anon_idp, pool["Id"], client))
    intruder = anon_identity.get_id(IdentityPoolId=pool_id, Logins={provider: intruder_token})["IdentityId"]
    with expect_error("NotAuthorizedException"):
        anon_identity.get_open_id_token(IdentityId=victim, Logins={provider: intruder_token})
    assert logins_of(identity, victim) == [provider]
    assert anon_identity.get_id(IdentityPoolId=pool_id, Logins={provider: intruder_token})["IdentityId"] == intruder


def test_guest_identity_is_refused_once_the_pool_disallows_guests(identity, anon_identity, identity_pool_factory):
    created = identity_pool_factory(AllowUnauthenticatedIdentities=True, AllowClassicFlow=True)
    identity_id = anon_identity.get_id(IdentityPoolId=created["IdentityPoolId"])["IdentityId"]
    identity.update_identity_pool(IdentityPoolId=created["IdentityPoolId"], IdentityPoolName=created["IdentityPoolName"],
                                  AllowUnauthenticatedIdentities=False, AllowClassicFlow=True)
    with expect_error("NotAuthorizedException", UNAUTHENTICATED_NOT_SUPPORTED):
        anon_identity.get_open_id_token(IdentityId=identity_id)


def test_open_id_token_with_a_token_of_another_client_is_refused(anon_identity, identity_pool_factory, client_factory,
                                                                 user_pool_login):
    provider, id_token = user_pool_login
    pool_id = guest_pool(identity_pool_factory, CognitoIdentityProviders=[
        {"ProviderName": provider, "ClientId": client_factory()["ClientId"], "ServerSideTokenCheck": False}])
    identity_id = anon_identity.get_id(IdentityPoolId=pool_id)["IdentityId"]
    with expect_error("NotAuthorizedException", NOT_A_SUPPORTED_PROVIDER):
        anon_identity.get_open_id_token(IdentityId=identity_id, Logins={provider: id_token})


# --- linking a guest identity ---

def test_guest_identity_presenting_a_login_becomes_authenticated(identity, anon_identity, identity_pool_factory, client,
                                                                 user_pool_login):
    provider, id_token = user_pool_login
    pool_id = user_pool_identity_pool(identity_pool_factory, provider, client["ClientId"], guests=True)
    guest = anon_identity.get_id(IdentityPoolId=pool_id)["IdentityId"]
    assert logins_of(identity, guest) == []
    resp = anon_identity.get_open_id_token(IdentityId=guest, Logins={provider: id_token})
    assert resp["IdentityId"] == guest  # the login was linked to nothing: the guest identity takes it
    assert verify_identity_pool_token(resp["Token"], pool_id)["amr"][0] == "authenticated"
    assert logins_of(identity, guest) == [provider]
    assert anon_identity.get_id(IdentityPoolId=pool_id, Logins={provider: id_token})["IdentityId"] == guest


def test_linked_guest_identity_cannot_be_used_without_logins(anon_identity, identity_pool_factory, client, user_pool_login):
    provider, id_token = user_pool_login
    pool_id = user_pool_identity_pool(identity_pool_factory, provider, client["ClientId"], guests=True)
    guest = anon_identity.get_id(IdentityPoolId=pool_id)["IdentityId"]
    anon_identity.get_open_id_token(IdentityId=guest, Logins={provider: id_token})
    with expect_error("NotAuthorizedException", LOGINS_DO_NOT_MATCH):
        anon_identity.get_open_id_token(IdentityId=guest)


def test_guest_presenting_a_login_of_another_identity_gets_that_identity(anon_identity, identity_pool_factory, client,
                                                                         user_pool_login):
    # "Note that the IdentityId returned may not match the one passed on input." (GetOpenIdToken reference):
    # a login already linked to an identity keeps that identity, and the caller is told which one it is.
    provider, id_token = user_pool_login
    pool_id = user_pool_identity_pool(identity_pool_factory, provider, client["ClientId"], guests=True)
    owner = anon_identity.get_id(IdentityPoolId=pool_id, Logins={provider: id_token})["IdentityId"]
    guest = anon_identity.get_id(IdentityPoolId=pool_id)["IdentityId"]
    resp = anon_identity.get_open_id_token(IdentityId=guest, Logins={provider: id_token})
    assert resp["IdentityId"] == owner
    assert verify_identity_pool_token(resp["Token"], pool_id)["sub"] == owner


# --- DescribeIdentity ---

def test_describe_guest_identity(identity, anon_identity, identity_pool_factory):
    pool_id = guest_pool(identity_pool_factory)
    identity_id = anon_identity.get_id(IdentityPoolId=pool_id)["IdentityId"]
    resp = identity.describe_identity(IdentityId=identity_id)
    assert resp["IdentityId"] == identity_id
    assert absent_or_empty(resp, "Logins")
    assert abs(resp["CreationDate"].timestamp() - time.time()) < 300
    assert resp["LastModifiedDate"] >= resp["CreationDate"]
    assert set(resp) - {"ResponseMetadata"} <= {"IdentityId", "Logins", "CreationDate", "LastModifiedDate"}


def test_describe_authenticated_identity_lists_its_provider(identity, anon_identity, identity_pool_factory, client,
                                                            user_pool_login):
    provider, id_token = user_pool_login
    pool_id = user_pool_identity_pool(identity_pool_factory, provider, client["ClientId"])
    identity_id = anon_identity.get_id(IdentityPoolId=pool_id, Logins={provider: id_token})["IdentityId"]
    resp = identity.describe_identity(IdentityId=identity_id)
    # Logins lists provider names (never tokens): the name the pool has the provider under.
    assert resp["Logins"] == [provider]
    assert resp["LastModifiedDate"] >= resp["CreationDate"]


def test_describe_unknown_identity_is_not_found(identity):
    with expect_error("ResourceNotFoundException"):
        identity.describe_identity(IdentityId=UNKNOWN_IDENTITY)


# --- ListIdentities ---

def _all_identities(identity, pool_id, page_size=60, **kwargs):
    found, token = [], None
    while True:
        resp = identity.list_identities(IdentityPoolId=pool_id, MaxResults=page_size,
                                        **({"NextToken": token} if token else {}), **kwargs)
        assert resp["IdentityPoolId"] == pool_id
        assert len(resp["Identities"]) <= page_size
        found.extend(resp["Identities"])
        token = resp.get("NextToken")
        if not token:
            return found


def test_list_identities_returns_the_pools_identities(identity, anon_identity, identity_pool_factory):
    pool_id = guest_pool(identity_pool_factory)
    mine = {anon_identity.get_id(IdentityPoolId=pool_id)["IdentityId"] for _ in range(3)}
    listed = _all_identities(identity, pool_id)
    assert {i["IdentityId"] for i in listed} == mine
    for entry in listed:
        assert set(entry) <= {"IdentityId", "Logins", "CreationDate", "LastModifiedDate"}
        assert entry["CreationDate"] and entry["LastModifiedDate"]
        assert absent_or_empty(entry, "Logins")


def test_list_identities_shows_logins(identity, anon_identity, identity_pool_factory, client, user_pool_login):
    provider, id_token = user_pool_login
    pool_id = user_pool_identity_pool(identity_pool_factory, provider, client["ClientId"])
    identity_id = anon_identity.get_id(IdentityPoolId=pool_id, Logins={provider: id_token})["IdentityId"]
    [entry] = _all_identities(identity, pool_id)
    assert entry["IdentityId"] == identity_id
    assert entry["Logins"] == [provider]


def test_list_identities_pages_with_next_token(identity, anon_identity, identity_pool_factory):
    pool_id = guest_pool(identity_pool_factory)
    mine = {anon_identity.get_id(IdentityPoolId=pool_id)["IdentityId"] for _ in range(3)}
    first = identity.list_identities(IdentityPoolId=pool_id, MaxResults=1)
    assert len(first["Identities"]) == 1 and first.get("NextToken")
    seen = [i["IdentityId"] for i in _all_identities(identity, pool_id, page_size=1)]
    assert sorted(seen) == sorted(mine)  # every identity once


def test_list_identities_lists_only_its_own_pool(identity, anon_identity, identity_pool_factory):
    pool_id = guest_pool(identity_pool_factory)
    other_pool = guest_pool(identity_pool_factory)
    anon_identity.get_id(IdentityPoolId=other_pool)
    assert _all_identities(identity, pool_id) == []


def test_list_identities_hide_disabled_lists_a_subset(identity, anon_identity, identity_pool_factory):
    # HideDisabled "allows you to hide disabled identities"; a fresh guest identity is not disabled.
    pool_id = guest_pool(identity_pool_factory)
    mine = {anon_identity.get_id(IdentityPoolId=pool_id)["IdentityId"] for _ in range(2)}
    shown = {i["IdentityId"] for i in _all_identities(identity, pool_id, HideDisabled=True)}
    everything = {i["IdentityId"] for i in _all_identities(identity, pool_id, HideDisabled=False)}
    assert mine <= shown <= everything


def test_list_identities_max_results_above_sixty_is_refused(identity, identity_pool_factory):
    pool_id = guest_pool(identity_pool_factory)
    with expect_error(VALIDATION):
        identity.list_identities(IdentityPoolId=pool_id, MaxResults=61)


def test_list_identities_max_results_below_one_is_refused(unvalidated_identity, identity_pool_factory):
    pool_id = guest_pool(identity_pool_factory)
    with expect_error(VALIDATION):
        unvalidated_identity.list_identities(IdentityPoolId=pool_id, MaxResults=0)


# --- DeleteIdentities ---

def test_delete_identities_removes_them(identity, anon_identity, identity_pool_factory):
    pool_id = guest_pool(identity_pool_factory)
    doomed = [anon_identity.get_id(IdentityPoolId=pool_id)["IdentityId"] for _ in range(2)]
    kept = anon_identity.get_id(IdentityPoolId=pool_id)["IdentityId"]
    resp = identity.delete_identities(IdentityIdsToDelete=doomed)
    assert absent_or_empty(resp, "UnprocessedIdentityIds")
    for identity_id in doomed:
        with expect_error("ResourceNotFoundException"):
            identity.describe_identity(IdentityId=identity_id)
    assert {i["IdentityId"] for i in _all_identities(identity, pool_id)} == {kept}


def test_delete_identities_passes_over_unknown_ids(identity):
    # UnprocessedIdentityId.ErrorCode is only AccessDenied or InternalServerError (model): an id that does not
    # exist is nothing to delete, not an error.
    resp = identity.delete_identities(IdentityIdsToDelete=[UNKNOWN_IDENTITY])
    assert absent_or_empty(resp, "UnprocessedIdentityIds")


def test_delete_identities_takes_at_most_sixty(identity):
    # IdentityIdList: 1-60 ids (model).
    ids = [f"us-east-1:{uuid.uuid4()}" for _ in range(61)]
    with expect_error(VALIDATION):
        identity.delete_identities(IdentityIdsToDelete=ids)


def test_delete_identities_needs_at_least_one(unvalidated_identity):
    with expect_error(VALIDATION):
        unvalidated_identity.delete_identities(IdentityIdsToDelete=[])


def test_login_of_a_deleted_identity_gets_a_new_identity(identity, anon_identity, identity_pool_factory, client,
                                                         user_pool_login):
    provider, id_token = user_pool_login
    pool_id = user_pool_identity_pool(identity_pool_factory, provider, client["ClientId"])
    first = anon_identity.get_id(IdentityPoolId=pool_id, Logins={provider: id_token})["IdentityId"]
    identity.delete_identities(IdentityIdsToDelete=[first])
    second = anon_identity.get_id(IdentityPoolId=pool_id, Logins={provider: id_token})["IdentityId"]
    assert second != first


def test_deleting_the_identity_pool_deletes_its_identities(identity, anon_identity, identity_pool_factory):
    # DeleteIdentityPool deletes the pool and its identities (identity-pools.md §2).
    pool_id = guest_pool(identity_pool_factory)
    identity_id = anon_identity.get_id(IdentityPoolId=pool_id)["IdentityId"]
    identity.delete_identity_pool(IdentityPoolId=pool_id)
    with expect_error("ResourceNotFoundException"):
        identity.describe_identity(IdentityId=identity_id)


# --- UnlinkIdentity ---

def test_unlink_identity_removes_the_login(identity, anon_identity, identity_pool_factory, client, user_pool_login):
    provider, id_token = user_pool_login
    pool_id = user_pool_identity_pool(identity_pool_factory, provider, client["ClientId"])
    identity_id = anon_identity.get_id(IdentityPoolId=pool_id, Logins={provider: id_token})["IdentityId"]
    resp = anon_identity.unlink_identity(IdentityId=identity_id, Logins={provider: id_token}, LoginsToRemove=[provider])
    assert set(resp) - {"ResponseMetadata"} == set()  # no output shape
    assert logins_of(identity, identity_id) == []


def test_unlinked_login_gets_a_new_identity_next_time(anon_identity, identity_pool_factory, client, user_pool_login):
    # "Unlinked logins will be considered new identities next time they are seen." (UnlinkIdentity reference)
    provider, id_token = user_pool_login
    pool_id = user_pool_identity_pool(identity_pool_factory, provider, client["ClientId"])
    identity_id = anon_identity.get_id(IdentityPoolId=pool_id, Logins={provider: id_token})["IdentityId"]
    anon_identity.unlink_identity(IdentityId=identity_id, Logins={provider: id_token}, LoginsToRemove=[provider])
    assert anon_identity.get_id(IdentityPoolId=pool_id, Logins={provider: id_token})["IdentityId"] != identity_id


def test_unlink_identity_needs_the_identitys_own_login(identity, idp, anon_idp, anon_identity, identity_pool_factory,
                                                       pool, client, user_pool_login):
    provider, id_token = user_pool_login
    pool_id = user_pool_identity_pool(identity_pool_factory, provider, client["ClientId"])
    identity_id = anon_identity.get_id(IdentityPoolId=pool_id, Logins={provider: id_token})["IdentityId"]
    _, intruder_token = id_token_login(anon_idp, another_user(idp, anon_idp, pool["Id"], client))
    with expect_error("NotAuthorizedException"):
        anon_identity.unlink_identity(IdentityId=identity_id, Logins={provider: intruder_token}, LoginsToRemove=[provider])
    assert logins_of(identity, identity_id) == [provider]


def test_unlink_identity_refuses_a_forged_token(identity, anon_identity, identity_pool_factory, client, user_pool_login):
    provider, id_token = user_pool_login
    pool_id = user_pool_identity_pool(identity_pool_factory, provider, client["ClientId"])
    identity_id = anon_identity.get_id(IdentityPoolId=pool_id, Logins={provider: id_token})["IdentityId"]
    with expect_error("NotAuthorizedException"):
        anon_identity.unlink_identity(IdentityId=identity_id, Logins={provider: forge(id_token, sub=str(uuid.uuid4()))},
                                      LoginsToRemove=[provider])
    assert logins_of(identity, identity_id) == [provider]


# --- developer-authenticated identities ---

@pytest.fixture
def developer_pool(identity_pool_factory):
    """(identity pool id, developer provider name): guests and the basic flow allowed."""
    developer = developer_provider()
    return guest_pool(identity_pool_factory, DeveloperProviderName=developer), developer


def test_developer_identity_token_creates_an_identity(identity, developer_pool):
    pool_id, developer = developer_pool
    resp = identity.get_open_id_token_for_developer_identity(IdentityPoolId=pool_id, Logins={developer: "user-1"})
    assert set(resp) - {"ResponseMetadata"} == {"IdentityId", "Token"}
    assert re.fullmatch(ID_PATTERN, resp["IdentityId"])
    assert logins_of(identity, resp["IdentityId"]) == [developer]


def test_same_developer_user_gets_the_same_identity(identity, developer_pool):
    pool_id, developer = developer_pool
    first = identity.get_open_id_token_for_developer_identity(IdentityPoolId=pool_id, Logins={developer: "user-1"})
    again = identity.get_open_id_token_for_developer_identity(IdentityPoolId=pool_id, Logins={developer: "user-1"})
    other = identity.get_open_id_token_for_developer_identity(IdentityPoolId=pool_id, Logins={developer: "user-2"})
    assert again["IdentityId"] == first["IdentityId"]
    assert other["IdentityId"] != first["IdentityId"]


def test_developer_token_claims(identity, developer_pool):
    pool_id, developer = developer_pool
    resp = identity.get_open_id_token_for_developer_identity(IdentityPoolId=pool_id, Logins={developer: "user-1"})
    c = verify_identity_pool_token(resp["Token"], pool_id)
    assert c["aud"] == pool_id
    assert c["sub"] == resp["IdentityId"]
    assert c["amr"][0] == "authenticated"
    assert developer in c["amr"], c["amr"]
    # "If you don't provide an expiration time, the token is valid for 15 minutes." (TokenDuration doc)
    assert c["exp"] - c["iat"] == 900


@pytest.mark.parametrize("seconds", [1, 3600, 86400])
def test_developer_token_duration(identity, developer_pool, seconds):
    pool_id, developer = developer_pool
    resp = identity.get_open_id_token_for_developer_identity(IdentityPoolId=pool_id, Logins={developer: "user-1"},
                                                             TokenDuration=seconds)
    c = claims(resp["Token"])  # a 1-second token may be expired by the time it is verified
    assert c["exp"] - c["iat"] == seconds


def test_developer_token_duration_above_a_day_is_refused(identity, developer_pool):
    # TokenDuration: 1-86400 seconds (model; "The maximum token duration you can set is 24 hours.").
    pool_id, developer = developer_pool
    with expect_error(VALIDATION):
        identity.get_open_id_token_for_developer_identity(IdentityPoolId=pool_id, Logins={developer: "user-1"},
                                                          TokenDuration=86401)


def test_developer_token_duration_below_one_second_is_refused(unvalidated_identity, developer_pool):
    pool_id, developer = developer_pool
    with expect_error(VALIDATION):
        unvalidated_identity.get_open_id_token_for_developer_identity(IdentityPoolId=pool_id, Logins={developer: "user-1"},
                                                                      TokenDuration=0)


def test_developer_login_for_another_developer_provider_is_refused(identity, developer_pool):
    # Observed wording: "This identity pool does not support the specified developer provider"; the error code
    # is not documented, so only the refusal and the wording's gist are asserted.
    pool_id, _ = developer_pool
    with pytest.raises(ClientError) as info:
        identity.get_open_id_token_for_developer_identity(IdentityPoolId=pool_id, Logins={"login.someone-else.test": "user-1"})
    error = info.value.response["Error"]
    assert error["Code"] in ("NotAuthorizedException", "InvalidParameterException"), error
    assert "developer provider" in error["Message"], error


def test_developer_login_needs_a_developer_provider_on_the_pool(identity, identity_pool_factory):
    pool_id = guest_pool(identity_pool_factory)
    with pytest.raises(ClientError) as info:
        identity.get_open_id_token_for_developer_identity(IdentityPoolId=pool_id, Logins={"login.example.test": "user-1"})
    assert info.value.response["Error"]["Code"] in ("NotAuthorizedException", "InvalidParameterException")


def test_developer_identity_of_an_unknown_pool_is_not_found(identity):
    with expect_error("ResourceNotFoundException"):
        identity.get_open_id_token_for_developer_identity(IdentityPoolId=UNKNOWN_POOL, Logins={"login.example.test": "u"})


def test_developer_login_links_a_guest_identity(identity, anon_identity, developer_pool):
    # "When you want to associate a new login with an existing authenticated/unauthenticated identity, you can do
    # so by providing the existing IdentityId." (GetOpenIdTokenForDeveloperIdentity reference)
    pool_id, developer = developer_pool
    guest = anon_identity.get_id(IdentityPoolId=pool_id)["IdentityId"]
    resp = identity.get_open_id_token_for_developer_identity(IdentityPoolId=pool_id, IdentityId=guest,
                                                             Logins={developer: "user-1"})
    assert resp["IdentityId"] == guest
    assert logins_of(identity, guest) == [developer]
    again = identity.get_open_id_token_for_developer_identity(IdentityPoolId=pool_id, Logins={developer: "user-1"})
    assert again["IdentityId"] == guest


def test_developer_user_registered_to_another_identity_cannot_be_linked(identity, anon_identity, developer_pool):
    pool_id, developer = developer_pool
    owner = identity.get_open_id_token_for_developer_identity(IdentityPoolId=pool_id, Logins={developer: "user-1"})
    guest = anon_identity.get_id(IdentityPoolId=pool_id)["IdentityId"]
    with expect_error("DeveloperUserAlreadyRegisteredException"):
        identity.get_open_id_token_for_developer_identity(IdentityPoolId=pool_id, IdentityId=guest,
                                                          Logins={developer: "user-1"})
    assert logins_of(identity, guest) == []
    assert logins_of(identity, owner["IdentityId"]) == [developer]


def test_developer_and_user_pool_logins_link_one_identity(identity, anon_identity, identity_pool_factory, client,
                                                          user_pool_login):
    # "Supplying multiple logins will create an implicit linked account."
    provider, id_token = user_pool_login
    developer = developer_provider()
    pool_id = user_pool_identity_pool(identity_pool_factory, provider, client["ClientId"], DeveloperProviderName=developer)
    resp = identity.get_open_id_token_for_developer_identity(IdentityPoolId=pool_id,
                                                             Logins={developer: "user-1", provider: id_token})
    assert logins_of(identity, resp["IdentityId"]) == sorted([developer, provider])
    assert anon_identity.get_id(IdentityPoolId=pool_id, Logins={provider: id_token})["IdentityId"] == resp["IdentityId"]


def test_developer_token_accepts_principal_tags(identity, developer_pool):
    pool_id, developer = developer_pool
    resp = identity.get_open_id_token_for_developer_identity(IdentityPoolId=pool_id, Logins={developer: "user-1"},
                                                             PrincipalTags={"department": "engineering"})
    verify_identity_pool_token(resp["Token"], pool_id)


def test_more_than_fifty_principal_tags_are_refused(identity, developer_pool):
    # PrincipalTags: at most 50 entries (model).
    pool_id, developer = developer_pool
    with expect_error(VALIDATION):
        identity.get_open_id_token_for_developer_identity(IdentityPoolId=pool_id, Logins={developer: "user-1"},
                                                          PrincipalTags={f"t{i}": "v" for i in range(51)})


def test_developer_token_is_a_login_for_get_open_id_token(anon_identity, identity, developer_pool):
    # The identity-pool token is the `cognito-identity.amazonaws.com` login (identity-pools.md §3-4).
    pool_id, developer = developer_pool
    dev = identity.get_open_id_token_for_developer_identity(IdentityPoolId=pool_id, Logins={developer: "user-1"})
    resp = anon_identity.get_open_id_token(IdentityId=dev["IdentityId"],
                                           Logins={IDENTITY_POOL_TOKEN_PROVIDER: dev["Token"]})
    assert resp["IdentityId"] == dev["IdentityId"]
    c = verify_identity_pool_token(resp["Token"], pool_id)
    assert c["sub"] == dev["IdentityId"]
    assert c["amr"][0] == "authenticated"


def test_developer_identity_needs_its_login_for_get_open_id_token(anon_identity, identity, developer_pool):
    pool_id, developer = developer_pool
    dev = identity.get_open_id_token_for_developer_identity(IdentityPoolId=pool_id, Logins={developer: "user-1"})
    with expect_error("NotAuthorizedException", LOGINS_DO_NOT_MATCH):
        anon_identity.get_open_id_token(IdentityId=dev["IdentityId"])


def test_developer_token_of_another_identity_is_refused(anon_identity, identity, developer_pool):
    pool_id, developer = developer_pool
    mine = identity.get_open_id_token_for_developer_identity(IdentityPoolId=pool_id, Logins={developer: "user-1"})
    theirs = identity.get_open_id_token_for_developer_identity(IdentityPoolId=pool_id, Logins={developer: "user-2"})
    with expect_error("NotAuthorizedException"):
        anon_identity.get_open_id_token(IdentityId=mine["IdentityId"], Logins={IDENTITY_POOL_TOKEN_PROVIDER: theirs["Token"]})


def test_developer_token_of_another_identity_pool_is_refused(anon_identity, identity, identity_pool_factory):
    developer = developer_provider()
    pool_id = guest_pool(identity_pool_factory, DeveloperProviderName=developer)
    other_pool = guest_pool(identity_pool_factory, DeveloperProviderName=developer_provider())
    token = identity.get_open_id_token_for_developer_identity(IdentityPoolId=pool_id, Logins={developer: "user-1"})["Token"]
    guest = anon_identity.get_id(IdentityPoolId=other_pool)["IdentityId"]
    with expect_error("NotAuthorizedException"):
        anon_identity.get_open_id_token(IdentityId=guest, Logins={IDENTITY_POOL_TOKEN_PROVIDER: token})


# --- LookupDeveloperIdentity ---

def test_lookup_by_developer_user_identifier(identity, developer_pool):
    pool_id, developer = developer_pool
    identity_id = identity.get_open_id_token_for_developer_identity(IdentityPoolId=pool_id, Logins={developer: "user-1"})["IdentityId"]
    resp = identity.lookup_developer_identity(IdentityPoolId=pool_id, DeveloperUserIdentifier="user-1")
    assert resp["IdentityId"] == identity_id
    assert resp["DeveloperUserIdentifierList"] == ["user-1"]


def test_lookup_by_identity_id(identity, developer_pool):
    pool_id, developer = developer_pool
    identity_id = identity.get_open_id_token_for_developer_identity(IdentityPoolId=pool_id, Logins={developer: "user-1"})["IdentityId"]
    resp = identity.lookup_developer_identity(IdentityPoolId=pool_id, IdentityId=identity_id)
    assert resp["IdentityId"] == identity_id
    assert resp["DeveloperUserIdentifierList"] == ["user-1"]


def test_lookup_with_both_values_that_match(identity, developer_pool):
    # "If the values are verified against the database, the response returns both values and is the same as the
    # request." (LookupDeveloperIdentity reference)
    pool_id, developer = developer_pool
    identity_id = identity.get_open_id_token_for_developer_identity(IdentityPoolId=pool_id, Logins={developer: "user-1"})["IdentityId"]
    resp = identity.lookup_developer_identity(IdentityPoolId=pool_id, IdentityId=identity_id, DeveloperUserIdentifier="user-1")
    assert resp["IdentityId"] == identity_id
    assert resp["DeveloperUserIdentifierList"] == ["user-1"]


def test_lookup_with_values_that_do_not_match_is_a_conflict(identity, developer_pool):
    # "Otherwise, a ResourceConflictException is thrown." (LookupDeveloperIdentity reference)
    pool_id, developer = developer_pool
    identity_id = identity.get_open_id_token_for_developer_identity(IdentityPoolId=pool_id, Logins={developer: "user-1"})["IdentityId"]
    identity.get_open_id_token_for_developer_identity(IdentityPoolId=pool_id, Logins={developer: "user-2"})
    with expect_error("ResourceConflictException"):
        identity.lookup_developer_identity(IdentityPoolId=pool_id, IdentityId=identity_id, DeveloperUserIdentifier="user-2")


def test_lookup_needs_an_identity_id_or_a_developer_user_identifier(identity, developer_pool):
    # "Either IdentityID or DeveloperUserIdentifier must not be null." (LookupDeveloperIdentity reference)
    pool_id, _ = developer_pool
    with expect_error("InvalidParameterException"):
        identity.lookup_developer_identity(IdentityPoolId=pool_id)


def test_lookup_of_an_unknown_developer_user_is_not_found(identity, developer_pool):
    pool_id, _ = developer_pool
    with expect_error("ResourceNotFoundException"):
        identity.lookup_developer_identity(IdentityPoolId=pool_id, DeveloperUserIdentifier="never-seen")


# --- MergeDeveloperIdentities ---

def test_merge_returns_the_destination_identity(identity, developer_pool):
    pool_id, developer = developer_pool
    identity.get_open_id_token_for_developer_identity(IdentityPoolId=pool_id, Logins={developer: "source-user"})
    destination = identity.get_open_id_token_for_developer_identity(IdentityPoolId=pool_id, Logins={developer: "dest-user"})["IdentityId"]
    resp = identity.merge_developer_identities(SourceUserIdentifier="source-user", DestinationUserIdentifier="dest-user",
                                               DeveloperProviderName=developer, IdentityPoolId=pool_id)
    assert set(resp) - {"ResponseMetadata"} == {"IdentityId"}
    assert resp["IdentityId"] == destination


def test_merged_source_user_maps_to_the_destination_identity(identity, developer_pool):
    # "Cognito associates the given source user (SourceUserIdentifier) with the IdentityId of the
    # DestinationUserIdentifier." (MergeDeveloperIdentities reference)
    pool_id, developer = developer_pool
    identity.get_open_id_token_for_developer_identity(IdentityPoolId=pool_id, Logins={developer: "source-user"})
    destination = identity.get_open_id_token_for_developer_identity(IdentityPoolId=pool_id, Logins={developer: "dest-user"})["IdentityId"]
    identity.merge_developer_identities(SourceUserIdentifier="source-user", DestinationUserIdentifier="dest-user",
                                        DeveloperProviderName=developer, IdentityPoolId=pool_id)
    again = identity.get_open_id_token_for_developer_identity(IdentityPoolId=pool_id, Logins={developer: "source-user"})
    assert again["IdentityId"] == destination
    assert identity.lookup_developer_identity(IdentityPoolId=pool_id, DeveloperUserIdentifier="source-user")["IdentityId"] == destination


def test_merged_identity_lists_both_developer_users(identity, developer_pool):
    # "Cognito supports the association of multiple developer user identifiers with an identity ID."
    pool_id, developer = developer_pool
    identity.get_open_id_token_for_developer_identity(IdentityPoolId=pool_id, Logins={developer: "source-user"})
    destination = identity.get_open_id_token_for_developer_identity(IdentityPoolId=pool_id, Logins={developer: "dest-user"})["IdentityId"]
    identity.merge_developer_identities(SourceUserIdentifier="source-user", DestinationUserIdentifier="dest-user",
                                        DeveloperProviderName=developer, IdentityPoolId=pool_id)
    resp = identity.lookup_developer_identity(IdentityPoolId=pool_id, IdentityId=destination, MaxResults=60)
    assert sorted(resp["DeveloperUserIdentifierList"]) == ["dest-user", "source-user"]


def test_lookup_pages_developer_user_identifiers(identity, developer_pool):
    pool_id, developer = developer_pool
    identity.get_open_id_token_for_developer_identity(IdentityPoolId=pool_id, Logins={developer: "source-user"})
    destination = identity.get_open_id_token_for_developer_identity(IdentityPoolId=pool_id, Logins={developer: "dest-user"})["IdentityId"]
    identity.merge_developer_identities(SourceUserIdentifier="source-user", DestinationUserIdentifier="dest-user",
                                        DeveloperProviderName=developer, IdentityPoolId=pool_id)
    first = identity.lookup_developer_identity(IdentityPoolId=pool_id, IdentityId=destination, MaxResults=1)
    assert len(first["DeveloperUserIdentifierList"]) == 1 and first.get("NextToken")
    second = identity.lookup_developer_identity(IdentityPoolId=pool_id, IdentityId=destination, MaxResults=1,
                                                NextToken=first["NextToken"])
    users = first["DeveloperUserIdentifierList"] + second["DeveloperUserIdentifierList"]
    assert sorted(users) == ["dest-user", "source-user"]
    assert not second.get("NextToken")


# --- UnlinkDeveloperIdentity ---

def test_unlink_developer_identity_forgets_the_user(identity, developer_pool):
    pool_id, developer = developer_pool
    identity_id = identity.get_open_id_token_for_developer_identity(IdentityPoolId=pool_id, Logins={developer: "user-1"})["IdentityId"]
    resp = identity.unlink_developer_identity(IdentityId=identity_id, IdentityPoolId=pool_id,
                                              DeveloperProviderName=developer, DeveloperUserIdentifier="user-1")
    assert set(resp) - {"ResponseMetadata"} == set()  # no output shape
    assert logins_of(identity, identity_id) == []
    with expect_error("ResourceNotFoundException"):
        identity.lookup_developer_identity(IdentityPoolId=pool_id, DeveloperUserIdentifier="user-1")


def test_unlinked_developer_user_gets_a_new_identity_next_time(identity, developer_pool):
    # "Unlinked developer users will be considered new identities next time they are seen."
    pool_id, developer = developer_pool
    identity_id = identity.get_open_id_token_for_developer_identity(IdentityPoolId=pool_id, Logins={developer: "user-1"})["IdentityId"]
    identity.unlink_developer_identity(IdentityId=identity_id, IdentityPoolId=pool_id,
                                       DeveloperProviderName=developer, DeveloperUserIdentifier="user-1")
    again = identity.get_open_id_token_for_developer_identity(IdentityPoolId=pool_id, Logins={developer: "user-1"})
    assert again["IdentityId"] != identity_id


def test_identity_pool_arn_claim_names_the_pool(identity, developer_pool):
    # AWS tokens carry https://cognito-identity.amazonaws.com/identity-pool-arn (observed, identity-pools.md §6);
    # when present it names this pool.
    pool_id, developer = developer_pool
    c = claims(identity.get_open_id_token_for_developer_identity(IdentityPoolId=pool_id, Logins={developer: "user-1"})["Token"])
    assert c.get("https://cognito-identity.amazonaws.com/identity-pool-arn") in (None, identity_pool_arn(pool_id))


# --- the identity operations refuse unsigned calls and unknown pools (moved from test_identity_pools.py) ---

UNKNOWN_POOL = "us-east-1:00000000-0000-4000-8000-000000000000"

IDENTITY_ADMIN_CALLS = {
    "ListIdentities": lambda c: c.list_identities(IdentityPoolId=UNKNOWN_POOL, MaxResults=10),
    "DescribeIdentity": lambda c: c.describe_identity(IdentityId=UNKNOWN_POOL),
    "DeleteIdentities": lambda c: c.delete_identities(IdentityIdsToDelete=[UNKNOWN_POOL]),
    "GetOpenIdTokenForDeveloperIdentity": lambda c: c.get_open_id_token_for_developer_identity(
        IdentityPoolId=UNKNOWN_POOL, Logins={"login.example": "user-1"}),
    "LookupDeveloperIdentity": lambda c: c.lookup_developer_identity(IdentityPoolId=UNKNOWN_POOL,
                                                                     DeveloperUserIdentifier="user-1"),
    "MergeDeveloperIdentities": lambda c: c.merge_developer_identities(
        SourceUserIdentifier="a", DestinationUserIdentifier="b", DeveloperProviderName="login.example",
        IdentityPoolId=UNKNOWN_POOL),
    "UnlinkDeveloperIdentity": lambda c: c.unlink_developer_identity(
        IdentityId=UNKNOWN_POOL, IdentityPoolId=UNKNOWN_POOL, DeveloperProviderName="login.example",
        DeveloperUserIdentifier="a"),
}


@pytest.mark.parametrize("operation", sorted(IDENTITY_ADMIN_CALLS))
def test_identity_admin_operations_refuse_unsigned_requests(anon_identity, operation):
    with expect_error("MissingAuthenticationTokenException", status=(400, 403)):
        IDENTITY_ADMIN_CALLS[operation](anon_identity)


IDENTITY_UNKNOWN_POOL_CALLS = {
    "ListIdentities": lambda c: c.list_identities(IdentityPoolId=UNKNOWN_POOL, MaxResults=10),
    "LookupDeveloperIdentity": lambda c: c.lookup_developer_identity(IdentityPoolId=UNKNOWN_POOL,
                                                                     DeveloperUserIdentifier="user-1"),
}


@pytest.mark.parametrize("operation", sorted(IDENTITY_UNKNOWN_POOL_CALLS))
def test_identity_operations_of_an_unknown_pool_are_not_found(identity, operation):
    with expect_error("ResourceNotFoundException"):
        IDENTITY_UNKNOWN_POOL_CALLS[operation](identity)
