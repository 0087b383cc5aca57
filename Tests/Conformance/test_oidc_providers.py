"""IAM OpenID Connect providers and the external ID tokens they let in.

An account registers an issuer (CreateOpenIDConnectProvider) with the client ids its tokens must be
issued to; STS AssumeRoleWithWebIdentity then takes that issuer's ID tokens for roles whose trust policy
names the provider's ARN, and identity pools take them as logins under the provider's URL when the pool
lists the ARN in OpenIdConnectProviderARNs. Postern fetches the issuer's discovery document and JWKS as
AWS does; a local IdP on loopback (plain http is allowed there only) stands in for a real one. Social
providers (accounts.google.com …) are OpenID issuers too; a second server, started with an
--openid-providers file, points Google at the local IdP and gives another issuer's keys inline.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import subprocess
import time

import jwt
import pytest
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives.asymmetric import rsa

from oidc_idp import LocalIdP, free_port
from support import (ACCOUNT_ID, POSTERN_BIN, REPO_ROOT, b64url, claims, expect_error, id_token_login, log_events, make_iam,
                     make_identity, make_sts, unique)


# --- fixtures and helpers ---

@pytest.fixture(scope="module")
def local_idp():
    idp = LocalIdP(path="/realms/" + unique("realm")).start()
    yield idp
    idp.stop()


@pytest.fixture
def provider_factory(iam):
    """create(url, client_ids=..., **kwargs) -> ARN; every provider is deleted after the test."""
    created: list[str] = []

    def create(url: str, client_ids=("client-1",), **kwargs) -> str:
        arn = iam.create_open_id_connect_provider(Url=url, ClientIDList=list(client_ids), **kwargs)[
            "OpenIDConnectProviderArn"]
        created.append(arn)
        return arn

    yield create
    for arn in created:
        try:
            iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=arn)
        except ClientError:
            pass


@pytest.fixture
def registered(local_idp, provider_factory):
    """The local IdP registered as an IAM OIDC provider for client-1; returns its ARN."""
    return provider_factory(local_idp.issuer)


def oidc_trust(arn: str, url: str, *, sub: str | None = None, aud: str = "client-1") -> dict:
    condition = {f"{url}:aud": aud}
    if sub:
        condition[f"{url}:sub"] = sub
    return {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Federated": arn}, "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": condition}}]}


def error_of(call, **kwargs) -> tuple[str, str, int]:
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    err = caught.value.response
    return err["Error"]["Code"], err["Error"]["Message"], err["ResponseMetadata"]["HTTPStatusCode"]


def fake_url() -> str:
    return f"https://{unique('idp')}.example.com"


# --- IAM: the provider's life cycle ---

def test_create_get_list_and_delete_a_provider(iam, provider_factory):
    url = fake_url() + "/tenant"
    arn = provider_factory(url, client_ids=["app-1", "app-2"], ThumbprintList=["9E99A48A9960B14926BB7F3B02E22DA2B0AB7280"],
                           Tags=[{"Key": "team", "Value": "identity"}])
    host_and_path = url.removeprefix("https://")
    assert arn == f"arn:aws:iam::{ACCOUNT_ID}:oidc-provider/{host_and_path}"
    got = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    assert got["Url"] == host_and_path
    assert got["ClientIDList"] == ["app-1", "app-2"]
    assert got["ThumbprintList"] == ["9e99a48a9960b14926bb7f3b02e22da2b0ab7280"]
    assert got["Tags"] == [{"Key": "team", "Value": "identity"}]
    assert got["CreateDate"]
    assert {"Arn": arn} in iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]
    iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    assert {"Arn": arn} not in iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]
    with expect_error("NoSuchEntity", status=404):
        iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)


def test_a_url_is_registered_once(provider_factory):
    url = fake_url()
    provider_factory(url)
    with expect_error("EntityAlreadyExists", status=409):
        provider_factory(url)


@pytest.mark.parametrize("url", ["http://idp.example.com", "https://idp.example.com/?tenant=1", "https://idp.example.com/#x",
                                 "idp.example.com", "https://user:pw@idp.example.com"])
def test_a_url_that_is_not_a_plain_https_url_is_refused(iam, url):
    with expect_error("InvalidInput"):
        iam.create_open_id_connect_provider(Url=url, ClientIDList=["a"])


def test_thumbprints_are_forty_hex_digits_and_at_most_five(iam):
    with expect_error("ValidationError"):
        make_iam(parameter_validation=False).create_open_id_connect_provider(Url=fake_url(), ThumbprintList=["abc"])
    with expect_error("InvalidInput"):
        iam.create_open_id_connect_provider(Url=fake_url(), ThumbprintList=["z" * 40])
    with expect_error("LimitExceeded", status=409):
        iam.create_open_id_connect_provider(Url=fake_url(), ThumbprintList=[f"{i:040x}" for i in range(6)])


def test_client_ids_are_added_and_removed_idempotently(iam, provider_factory):
    arn = provider_factory(fake_url(), client_ids=["a"])
    iam.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=arn, ClientID="b")
    iam.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=arn, ClientID="b")
    assert iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)["ClientIDList"] == ["a", "b"]
    iam.remove_client_id_from_open_id_connect_provider(OpenIDConnectProviderArn=arn, ClientID="a")
    iam.remove_client_id_from_open_id_connect_provider(OpenIDConnectProviderArn=arn, ClientID="never-added")
    assert iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)["ClientIDList"] == ["b"]


def test_thumbprints_are_replaced(iam, provider_factory):
    arn = provider_factory(fake_url(), ThumbprintList=["a" * 40])
    iam.update_open_id_connect_provider_thumbprint(OpenIDConnectProviderArn=arn, ThumbprintList=["b" * 40, "c" * 40])
    assert iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)["ThumbprintList"] == ["b" * 40, "c" * 40]


def test_provider_tags(iam, provider_factory):
    arn = provider_factory(fake_url())
    iam.tag_open_id_connect_provider(OpenIDConnectProviderArn=arn, Tags=[{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}])
    iam.tag_open_id_connect_provider(OpenIDConnectProviderArn=arn, Tags=[{"Key": "A", "Value": "3"}])
    iam.untag_open_id_connect_provider(OpenIDConnectProviderArn=arn, TagKeys=["b", "missing"])
    assert iam.list_open_id_connect_provider_tags(OpenIDConnectProviderArn=arn)["Tags"] == [{"Key": "A", "Value": "3"}]
    with expect_error("InvalidInput"):
        iam.tag_open_id_connect_provider(OpenIDConnectProviderArn=arn, Tags=[{"Key": "aws:x", "Value": "1"}])


@pytest.mark.parametrize("arn,code,status", [
    (f"arn:aws:iam::{ACCOUNT_ID}:oidc-provider/nobody.example.com", "NoSuchEntity", 404),
    (f"arn:aws:iam::{ACCOUNT_ID}:role/not-a-provider", "InvalidInput", 400),
    ("arn:aws:iam::111122223333:oidc-provider/other.example.com", "NoSuchEntity", 404),
])
def test_an_arn_naming_no_provider(iam, arn, code, status):
    for call in (iam.get_open_id_connect_provider, iam.delete_open_id_connect_provider, iam.list_open_id_connect_provider_tags):
        with expect_error(code, status=status):
            call(OpenIDConnectProviderArn=arn)


def test_a_provider_registered_again_can_be_changed_again(iam, provider_factory):
    url = fake_url()
    arn = provider_factory(url)
    iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    arn = provider_factory(url, client_ids=["second"])
    iam.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=arn, ClientID="third")
    assert iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)["ClientIDList"] == ["second", "third"]


def test_provider_operations_need_the_admin_keys(provider_factory):
    arn = provider_factory(fake_url())
    stranger = make_iam("AKIAWRONGWRONGWRONG1", "wrong-secret")
    with pytest.raises(ClientError) as caught:
        stranger.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_provider_changes_are_events(iam, provider_factory):
    url = fake_url()
    arn = provider_factory(url, client_ids=["a"])
    iam.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=arn, ClientID="b")
    iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    stream = "iamoidc-" + url.removeprefix("https://")
    types = [event["type"] for event in log_events(stream)]
    assert types == ["IAMOpenIDConnectProviderCreated", "IAMOpenIDConnectProviderClientIDAdded", "IAMOpenIDConnectProviderDeleted"]


# --- STS: AssumeRoleWithWebIdentity with the provider's tokens ---

def test_an_id_token_of_the_provider_assumes_a_role_that_trusts_it(anon_sts, local_idp, registered, role_factory):
    role = role_factory(oidc_trust(registered, local_idp.url, sub="user-1"))
    answer = anon_sts.assume_role_with_web_identity(RoleArn=role["Arn"], RoleSessionName="ci-run",
                                                    WebIdentityToken=local_idp.token(sub="user-1"))
    credentials = answer["Credentials"]
    assert credentials["AccessKeyId"].startswith("ASIA")
    assert answer["SubjectFromWebIdentityToken"] == "user-1"
    assert answer["Provider"] == local_idp.url
    assert answer["Audience"] == "client-1"
    assert answer["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{ACCOUNT_ID}:assumed-role/{role['RoleName']}/ci-run"
    me = make_sts(credentials["AccessKeyId"], credentials["SecretAccessKey"],
                  session_token=credentials["SessionToken"]).get_caller_identity()
    assert me["Arn"] == answer["AssumedRoleUser"]["Arn"]


def test_the_exchange_is_an_event_without_the_subject(anon_sts, local_idp, registered, role_factory):
    role = role_factory(oidc_trust(registered, local_idp.url))
    subject = unique("subject")
    key = anon_sts.assume_role_with_web_identity(RoleArn=role["Arn"], RoleSessionName="audit",
                                                 WebIdentityToken=local_idp.token(sub=subject))["Credentials"]["AccessKeyId"]
    [event] = log_events(f"stssession-{key}")
    assert event["type"] == "RoleSessionIssued"
    data = event["data"]
    assert data["operation"] == "AssumeRoleWithWebIdentity" and data["provider"] == local_idp.url and data["audience"] == "client-1"
    assert data["subjectKey"] and subject not in json.dumps(event)


def test_the_trust_policy_conditions_on_the_subject(anon_sts, local_idp, registered, role_factory):
    role = role_factory(oidc_trust(registered, local_idp.url, sub="user-1"))
    code, _, status = error_of(anon_sts.assume_role_with_web_identity, RoleArn=role["Arn"], RoleSessionName="web",
                               WebIdentityToken=local_idp.token(sub="someone-else"))
    assert (code, status) == ("AccessDenied", 403)


def test_a_role_trusting_another_provider_is_refused(anon_sts, local_idp, registered, role_factory):
    role = role_factory(oidc_trust(f"arn:aws:iam::{ACCOUNT_ID}:oidc-provider/other.example.com", "other.example.com"))
    code, _, _ = error_of(anon_sts.assume_role_with_web_identity, RoleArn=role["Arn"], RoleSessionName="web",
                          WebIdentityToken=local_idp.token())
    assert code == "AccessDenied"


def test_a_token_for_another_client_is_refused(anon_sts, local_idp, registered, role_factory):
    role = role_factory(oidc_trust(registered, local_idp.url, aud="other-client"))
    code, message, _ = error_of(anon_sts.assume_role_with_web_identity, RoleArn=role["Arn"], RoleSessionName="web",
                                WebIdentityToken=local_idp.token(aud="other-client"))
    assert (code, message) == ("InvalidIdentityToken", "Incorrect token audience")


def test_azp_or_any_audience_can_be_the_client(anon_sts, local_idp, registered, role_factory):
    role = role_factory(oidc_trust(registered, local_idp.url))
    for token in (local_idp.token(aud=["elsewhere", "client-1"]), local_idp.token(aud="elsewhere", azp="client-1")):
        answer = anon_sts.assume_role_with_web_identity(RoleArn=role["Arn"], RoleSessionName="web", WebIdentityToken=token)
        assert answer["Audience"] == "client-1"


def test_an_expired_token_is_refused(anon_sts, local_idp, registered, role_factory):
    role = role_factory(oidc_trust(registered, local_idp.url))
    code, message, _ = error_of(anon_sts.assume_role_with_web_identity, RoleArn=role["Arn"], RoleSessionName="web",
                                WebIdentityToken=local_idp.token(lifetime=-30))
    assert code == "ExpiredTokenException" and message.startswith("Token expired")


def test_a_token_not_valid_yet_is_refused(anon_sts, local_idp, registered, role_factory):
    role = role_factory(oidc_trust(registered, local_idp.url))
    code, _, _ = error_of(anon_sts.assume_role_with_web_identity, RoleArn=role["Arn"], RoleSessionName="web",
                          WebIdentityToken=local_idp.token(nbf=int(time.time()) + 600))
    assert code == "InvalidIdentityToken"


def test_a_token_signed_by_another_key_is_refused(anon_sts, local_idp, registered, role_factory):
    role = role_factory(oidc_trust(registered, local_idp.url))
    forger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    code, _, _ = error_of(anon_sts.assume_role_with_web_identity, RoleArn=role["Arn"], RoleSessionName="web",
                          WebIdentityToken=local_idp.token(key=forger, kid=local_idp.kid))
    assert code == "InvalidIdentityToken"


def test_unsigned_and_symmetric_tokens_are_refused(anon_sts, local_idp, registered, role_factory):
    role = role_factory(oidc_trust(registered, local_idp.url))
    now = int(time.time())
    payload = {"iss": local_idp.issuer, "sub": "user-1", "aud": "client-1", "iat": now, "exp": now + 600}
    # HS256 "signed" with the public key's text, the classic algorithm-confusion forgery.
    header = b64url(json.dumps({"alg": "HS256", "kid": local_idp.kid}).encode())
    body = b64url(json.dumps(payload).encode())
    public_jwk = json.dumps(local_idp.jwks()["keys"][-1]).encode()
    mac = hmac.new(public_jwk, f"{header}.{body}".encode(), hashlib.sha256).digest()
    for token in (jwt.encode(payload, None, algorithm="none", headers={"kid": local_idp.kid}), f"{header}.{body}.{b64url(mac)}"):
        code, _, _ = error_of(anon_sts.assume_role_with_web_identity, RoleArn=role["Arn"], RoleSessionName="web",
                              WebIdentityToken=token)
        assert code == "InvalidIdentityToken"


def test_a_token_of_an_unregistered_issuer_is_refused(anon_sts, role_factory):
    stranger = LocalIdP(path="/unregistered")
    role = role_factory(oidc_trust(f"arn:aws:iam::{ACCOUNT_ID}:oidc-provider/{stranger.url}", stranger.url))
    code, message, _ = error_of(anon_sts.assume_role_with_web_identity, RoleArn=role["Arn"], RoleSessionName="web",
                                WebIdentityToken=stranger.token())
    assert code == "InvalidIdentityToken" and "No OpenIDConnect provider found" in message


def test_an_issuer_whose_keys_cannot_be_fetched_is_a_communication_error(anon_sts, provider_factory, role_factory):
    silent = LocalIdP(path="/down")  # never started: nothing listens on its port
    arn = provider_factory(silent.issuer)
    role = role_factory(oidc_trust(arn, silent.url))
    code, _, _ = error_of(anon_sts.assume_role_with_web_identity, RoleArn=role["Arn"], RoleSessionName="web",
                          WebIdentityToken=silent.token())
    assert code == "IDPCommunicationError"


def test_rotated_keys_are_fetched_again(anon_sts, provider_factory, role_factory):
    idp = LocalIdP(path="/rotating").start()
    try:
        arn = provider_factory(idp.issuer)
        role = role_factory(oidc_trust(arn, idp.url))
        anon_sts.assume_role_with_web_identity(RoleArn=role["Arn"], RoleSessionName="web", WebIdentityToken=idp.token())
        anon_sts.assume_role_with_web_identity(RoleArn=role["Arn"], RoleSessionName="web", WebIdentityToken=idp.token())
        assert idp.jwks_fetches == 1  # cached
        idp.rotate()
        anon_sts.assume_role_with_web_identity(RoleArn=role["Arn"], RoleSessionName="web", WebIdentityToken=idp.token())
        assert idp.jwks_fetches == 2
        # A made-up key id does not make the server fetch again right away.
        code, _, _ = error_of(anon_sts.assume_role_with_web_identity, RoleArn=role["Arn"], RoleSessionName="web",
                              WebIdentityToken=idp.token(kid="made-up"))
        assert code == "InvalidIdentityToken" and idp.jwks_fetches == 2
    finally:
        idp.stop()


def test_a_deleted_provider_lets_no_token_in(iam, anon_sts, local_idp, provider_factory, role_factory):
    arn = provider_factory(local_idp.issuer)
    role = role_factory(oidc_trust(arn, local_idp.url))
    iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    code, _, _ = error_of(anon_sts.assume_role_with_web_identity, RoleArn=role["Arn"], RoleSessionName="web",
                          WebIdentityToken=local_idp.token())
    assert code == "InvalidIdentityToken"


def test_a_postern_user_pool_is_an_oidc_provider_too(anon_sts, anon_idp, confirmed_user, client, provider_factory, role_factory):
    _, id_token = id_token_login(anon_idp, confirmed_user)
    issuer = claims(id_token)["iss"]
    url = issuer.removeprefix("http://")
    arn = provider_factory(issuer, client_ids=[client["ClientId"]])
    role = role_factory(oidc_trust(arn, url, aud=client["ClientId"], sub=claims(id_token)["sub"]))
    answer = anon_sts.assume_role_with_web_identity(RoleArn=role["Arn"], RoleSessionName="pool-user", WebIdentityToken=id_token)
    assert answer["SubjectFromWebIdentityToken"] == claims(id_token)["sub"]
    assert answer["Audience"] == client["ClientId"]


# --- identity pools: OpenIdConnectProviderARNs ---

def oidc_identity_pool(identity, identity_pool_factory, role_factory, arn: str, url: str, **roles_kwargs) -> tuple[str, dict]:
    pool_id = identity_pool_factory(OpenIdConnectProviderARNs=[arn], AllowClassicFlow=True)["IdentityPoolId"]
    role = role_factory({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Federated": "cognito-identity.amazonaws.com"}, "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {"cognito-identity.amazonaws.com:aud": pool_id},
                      "ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": "authenticated"}}}]})
    identity.set_identity_pool_roles(IdentityPoolId=pool_id, Roles={"authenticated": role["Arn"]}, **roles_kwargs)
    return pool_id, role


def test_an_oidc_login_gets_an_identity_and_credentials(identity, anon_identity, local_idp, registered, identity_pool_factory,
                                                        role_factory):
    pool_id, role = oidc_identity_pool(identity, identity_pool_factory, role_factory, registered, local_idp.url)
    sub = unique("person")
    logins = {local_idp.url: local_idp.token(sub=sub)}
    identity_id = anon_identity.get_id(IdentityPoolId=pool_id, Logins=logins)["IdentityId"]
    again = anon_identity.get_id(IdentityPoolId=pool_id, Logins={local_idp.url: local_idp.token(sub=sub)})["IdentityId"]
    assert again == identity_id
    answer = anon_identity.get_credentials_for_identity(IdentityId=identity_id, Logins=logins)
    me = make_sts(answer["Credentials"]["AccessKeyId"], answer["Credentials"]["SecretKey"],
                  session_token=answer["Credentials"]["SessionToken"]).get_caller_identity()
    assert me["Arn"].startswith(f"arn:aws:sts::{ACCOUNT_ID}:assumed-role/{role['RoleName']}/")
    assert identity.describe_identity(IdentityId=identity_id)["Logins"] == [local_idp.url]
    token = anon_identity.get_open_id_token(IdentityId=identity_id, Logins=logins)["Token"]
    assert claims(token)["amr"] == ["authenticated", local_idp.url, f"{local_idp.url}:OIDC:{sub}"]


def test_an_oidc_login_for_another_client_is_refused(identity, anon_identity, local_idp, registered, identity_pool_factory,
                                                      role_factory):
    pool_id, _ = oidc_identity_pool(identity, identity_pool_factory, role_factory, registered, local_idp.url)
    with expect_error("NotAuthorizedException"):
        anon_identity.get_id(IdentityPoolId=pool_id, Logins={local_idp.url: local_idp.token(aud="someone-else")})


def test_an_expired_or_forged_oidc_login_is_refused(identity, anon_identity, local_idp, registered, identity_pool_factory,
                                                     role_factory):
    pool_id, _ = oidc_identity_pool(identity, identity_pool_factory, role_factory, registered, local_idp.url)
    forger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    for token in (local_idp.token(lifetime=-5), local_idp.token(key=forger)):
        with expect_error("NotAuthorizedException"):
            anon_identity.get_id(IdentityPoolId=pool_id, Logins={local_idp.url: token})


def test_a_pool_without_the_provider_refuses_its_logins(identity, anon_identity, local_idp, registered, identity_pool_factory):
    pool_id = identity_pool_factory()["IdentityPoolId"]
    with expect_error("NotAuthorizedException"):
        anon_identity.get_id(IdentityPoolId=pool_id, Logins={local_idp.url: local_idp.token()})


def test_rules_role_mapping_reads_the_oidc_token_claims(identity, anon_identity, local_idp, registered, identity_pool_factory,
                                                        role_factory):
    pool_id, default_role = oidc_identity_pool(identity, identity_pool_factory, role_factory, registered, local_idp.url)
    admins = role_factory({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Federated": "cognito-identity.amazonaws.com"}, "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {"cognito-identity.amazonaws.com:aud": pool_id}}}]})
    identity.set_identity_pool_roles(
        IdentityPoolId=pool_id, Roles={"authenticated": default_role["Arn"]},
        RoleMappings={local_idp.url: {"Type": "Rules", "AmbiguousRoleResolution": "AuthenticatedRole", "RulesConfiguration": {
            "Rules": [{"Claim": "department", "MatchType": "Equals", "Value": "ops", "RoleARN": admins["Arn"]}]}}})

    def role_name_for(department: str) -> str:
        logins = {local_idp.url: local_idp.token(sub=unique("p"), department=department)}
        identity_id = anon_identity.get_id(IdentityPoolId=pool_id, Logins=logins)["IdentityId"]
        credentials = anon_identity.get_credentials_for_identity(IdentityId=identity_id, Logins=logins)["Credentials"]
        arn = make_sts(credentials["AccessKeyId"], credentials["SecretKey"],
                       session_token=credentials["SessionToken"]).get_caller_identity()["Arn"]
        return arn.split("/")[1]

    assert role_name_for("ops") == admins["RoleName"]
    assert role_name_for("sales") == default_role["RoleName"]


# --- social providers and keys given by the operator (a second server with --openid-providers) ---

@pytest.fixture(scope="module")
def google_idp():
    idp = LocalIdP().start()
    yield idp
    idp.stop()


@pytest.fixture(scope="module")
def offline_issuer():
    """An issuer nobody serves: its keys reach the server only through the providers file."""
    return LocalIdP(path="/offline")


@pytest.fixture(scope="module")
def configured_server(google_idp, offline_issuer):
    settings = REPO_ROOT / ".postern" / f"openid-providers-{os.getpid()}.json"
    settings.write_text(json.dumps({
        "accounts.google.com": {"issuer": google_idp.issuer},
        offline_issuer.issuer: {"jwks": offline_issuer.jwks()},
    }))
    port = free_port()
    log = open(REPO_ROOT / ".postern" / "test-openid-providers.log", "w")
    env = dict(os.environ, POSTERN_OPENID_PROVIDERS_FILE=str(settings))
    process = subprocess.Popen([POSTERN_BIN, "serve", "--host", "127.0.0.1", "--port", str(port)], cwd=REPO_ROOT, env=env,
                               stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
    endpoint = f"http://127.0.0.1:{port}"
    from test_upstream_sts import wait_until_up, stop
    wait_until_up(endpoint + "/health", process)
    yield endpoint
    stop(process)
    settings.unlink(missing_ok=True)


def test_a_google_login_through_the_configured_issuer(configured_server, google_idp, role_factory):
    admin, anon = make_identity(endpoint=configured_server), make_identity(unsigned=True, endpoint=configured_server)
    pool_id = admin.create_identity_pool(IdentityPoolName=unique("social"), AllowUnauthenticatedIdentities=False, AllowClassicFlow=True,
                                         SupportedLoginProviders={"accounts.google.com": "web-app.apps.googleusercontent.com"})[
        "IdentityPoolId"]
    try:
        role = role_factory({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Federated": "cognito-identity.amazonaws.com"}, "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringEquals": {"cognito-identity.amazonaws.com:aud": pool_id},
                          "ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": "accounts.google.com"}}}]})
        admin.set_identity_pool_roles(IdentityPoolId=pool_id, Roles={"authenticated": role["Arn"]})
        logins = {"accounts.google.com": google_idp.token(sub="1234567890", aud="web-app.apps.googleusercontent.com")}
        identity_id = anon.get_id(IdentityPoolId=pool_id, Logins=logins)["IdentityId"]
        credentials = anon.get_credentials_for_identity(IdentityId=identity_id, Logins=logins)["Credentials"]
        assert credentials["AccessKeyId"].startswith("ASIA")
        token = anon.get_open_id_token(IdentityId=identity_id, Logins=logins)["Token"]
        assert claims(token)["amr"] == ["authenticated", "accounts.google.com", "accounts.google.com:1234567890"]
        with expect_error("NotAuthorizedException"):
            anon.get_id(IdentityPoolId=pool_id, Logins={"accounts.google.com": google_idp.token(aud="another-app")})
        with expect_error("NotAuthorizedException"):
            # Not a JWT: a classic OAuth access token cannot be verified offline.
            anon.get_id(IdentityPoolId=pool_id, Logins={"accounts.google.com": "ya29.an-access-token"})
    finally:
        admin.delete_identity_pool(IdentityPoolId=pool_id)


def test_google_tokens_assume_roles_trusting_accounts_google_com(configured_server, google_idp, role_factory):
    sts = make_sts(unsigned=True, endpoint=configured_server)
    role = role_factory({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Federated": "accounts.google.com"}, "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {"accounts.google.com:aud": "web-app", "accounts.google.com:oaud": "backend"}}}]})
    answer = sts.assume_role_with_web_identity(RoleArn=role["Arn"], RoleSessionName="google",
                                               WebIdentityToken=google_idp.token(aud="backend", azp="web-app"))
    assert answer["Provider"] == "accounts.google.com" and answer["Audience"] == "web-app"
    code, _, _ = error_of(sts.assume_role_with_web_identity, RoleArn=role["Arn"], RoleSessionName="google",
                          WebIdentityToken=google_idp.token(aud="backend", azp="other-app"))
    assert code == "AccessDenied"


def test_keys_given_inline_verify_without_fetching(configured_server, offline_issuer, provider_factory, role_factory):
    arn = provider_factory(offline_issuer.issuer)
    role = role_factory(oidc_trust(arn, offline_issuer.url))
    sts = make_sts(unsigned=True, endpoint=configured_server)
    answer = sts.assume_role_with_web_identity(RoleArn=role["Arn"], RoleSessionName="offline",
                                               WebIdentityToken=offline_issuer.token())
    assert answer["Provider"] == offline_issuer.url
    # The main server has no such file: it tries the issuer, which does not answer.
    code, _, _ = error_of(make_sts(unsigned=True).assume_role_with_web_identity, RoleArn=role["Arn"], RoleSessionName="offline",
                          WebIdentityToken=offline_issuer.token())
    assert code == "IDPCommunicationError"
