"""Throttling (ThrottlePolicy): per-pool request quotas per category, and limits on failures per source
address and per sign-in name. A throttled request is TooManyRequestsException "Rate exceeded" and
appends nothing; successful traffic never counts against the failure limits.

Failure limits are per source address, so these tests send from their own loopback addresses
(127.0.0.x: every one of them reaches the server on 127.0.0.1) and leave the rest of the suite alone."""
from __future__ import annotations

import http.client
import json
import time
from urllib.parse import urlparse

import pytest

from support import ENDPOINT, PASSWORD, log_events, sign_up, tokens, unique

RATE = "Rate exceeded"


class Caller:
    """Unsigned awsJson calls from one loopback source address, over one kept-alive connection."""

    def __init__(self, source: str, service: str = "AWSCognitoIdentityProviderService"):
        self.service = service
        url = urlparse(ENDPOINT)
        self.connection = http.client.HTTPConnection(url.hostname, url.port, source_address=(source, 0), timeout=30)

    def __call__(self, operation: str, **body) -> tuple[str | None, dict]:
        self.connection.request("POST", "/", json.dumps(body), {
            "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": f"{self.service}.{operation}"})
        response = self.connection.getresponse()
        answer = json.loads(response.read() or b"{}")
        return answer.get("__type"), answer


def test_a_pool_quota_throttles_its_category_and_appends_nothing(idp, pool_factory):
    pool = pool_factory(UserPoolTags={"postern:quota:UserUpdate": "2", "postern:quota:UserRead": "3"})
    username = unique("busy")
    idp.admin_create_user(UserPoolId=pool["Id"], Username=username, MessageAction="SUPPRESS")
    started = time.monotonic()
    admitted = throttled = 0
    for i in range(12):
        try:
            idp.admin_update_user_attributes(UserPoolId=pool["Id"], Username=username,
                                             UserAttributes=[{"Name": "name", "Value": f"n{i}"}])
            admitted += 1
        except idp.exceptions.TooManyRequestsException as error:
            assert error.response["Error"]["Message"] == RATE
            throttled += 1
    seconds = int(time.monotonic() - started) + 1
    assert throttled > 0 and admitted <= 2 * (seconds + 1)
    user = wait_admitted(lambda: idp.admin_get_user(UserPoolId=pool["Id"], Username=username))
    sub = {a["Name"]: a["Value"] for a in user["UserAttributes"]}["sub"]
    assert len(log_events(f"user-{sub}", "UserProfileChanged")) == admitted, "a throttled request appended nothing"
    # Other categories and other pools keep their own quotas.
    other = pool_factory()
    for _ in range(5):
        idp.describe_user_pool(UserPoolId=other["Id"])


def wait_admitted(call, seconds: float = 5.0):
    deadline = time.monotonic() + seconds
    while True:
        try:
            return call()
        except Exception as error:  # noqa: BLE001
            if "TooManyRequests" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_a_burst_of_failed_sign_ins_from_one_address_is_throttled(idp, anon_idp, pool, client):
    user = sign_up(anon_idp, pool["Id"], client)
    idp.admin_confirm_sign_up(UserPoolId=pool["Id"], Username=user.username)
    attacker = Caller("127.0.0.2")
    outcomes = [attacker("InitiateAuth", ClientId=client["ClientId"], AuthFlow="USER_PASSWORD_AUTH",
                         AuthParameters={"USERNAME": unique("spray"), "PASSWORD": "Wr0ng-guess!"})[0] for _ in range(310)]
    assert set(outcomes[:300]) == {"UserNotFoundException"}
    assert outcomes[-1] == "TooManyRequestsException"
    # Even the right password is refused from that address now, and the refusal left no trace in the log.
    kind, answer = attacker("InitiateAuth", ClientId=client["ClientId"], AuthFlow="USER_PASSWORD_AUTH",
                            AuthParameters={"USERNAME": user.username, "PASSWORD": PASSWORD})
    assert (kind, answer["message"]) == ("TooManyRequestsException", RATE)
    assert not log_events(f"user-{user.sub}", "SignInSucceeded")
    # Everyone else signs in as usual.
    assert tokens(anon_idp, user)


def test_failures_against_one_name_are_throttled_but_successes_never_count(idp, anon_idp, pool, client):
    user = sign_up(anon_idp, pool["Id"], client)
    idp.admin_confirm_sign_up(UserPoolId=pool["Id"], Username=user.username)
    caller = Caller("127.0.0.3")
    for _ in range(120):
        kind, _ = caller("InitiateAuth", ClientId=client["ClientId"], AuthFlow="USER_PASSWORD_AUTH",
                         AuthParameters={"USERNAME": user.username, "PASSWORD": PASSWORD})
        assert kind is None
    target = unique("victim")
    outcomes = [caller("InitiateAuth", ClientId=client["ClientId"], AuthFlow="USER_PASSWORD_AUTH",
                       AuthParameters={"USERNAME": target, "PASSWORD": "Wr0ng-guess!"})[0] for _ in range(102)]
    assert set(outcomes[:100]) == {"UserNotFoundException"} and outcomes[-1] == "TooManyRequestsException"


def test_code_requests_from_one_address_are_throttled(pool, client_factory):
    hidden = client_factory(PreventUserExistenceErrors="ENABLED")
    caller = Caller("127.0.0.4")
    outcomes = [caller("ForgotPassword", ClientId=hidden["ClientId"], Username=unique("nobody"))[0] for _ in range(302)]
    assert set(outcomes[:300]) == {None} and outcomes[-1] == "TooManyRequestsException"


def test_a_long_user_agent_is_cut_to_one_kibibyte(anon_idp, pool, client):
    caller = Caller("127.0.0.5")
    caller.connection.putrequest("POST", "/")
    body = json.dumps({"ClientId": client["ClientId"], "Username": unique("ua"), "Password": PASSWORD,
                       "UserAttributes": [{"Name": "email", "Value": "ua@example.com"}]}).encode()
    for name, value in (("Content-Type", "application/x-amz-json-1.1"), ("X-Amz-Target", "AWSCognitoIdentityProviderService.SignUp"),
                        ("User-Agent", "x" * 5000), ("Content-Length", str(len(body)))):
        caller.connection.putheader(name, value)
    caller.connection.endheaders(body)
    answer = json.loads(caller.connection.getresponse().read())
    [registered] = log_events(f"user-{answer['UserSub']}", "UserSignedUp")
    agent = registered["metadata"]["userAgent"]
    assert agent == "x" * 1024


def test_new_guest_identities_from_one_address_are_throttled(identity_pool_factory, identity):
    pool = identity_pool_factory(AllowUnauthenticatedIdentities=True)
    caller = Caller("127.0.0.6", service="AWSCognitoIdentityService")
    answers = [caller("GetId", IdentityPoolId=pool["IdentityPoolId"]) for _ in range(301)]
    assert all(kind is None for kind, _ in answers[:300]) and answers[-1][0] == "TooManyRequestsException"
    assert answers[-1][1]["message"] == RATE
    # The refused call created nothing; another address still gets its guests.
    listed = identity.list_identities(IdentityPoolId=pool["IdentityPoolId"], MaxResults=60)
    pages = [listed]
    while listed.get("NextToken"):
        listed = identity.list_identities(IdentityPoolId=pool["IdentityPoolId"], MaxResults=60, NextToken=listed["NextToken"])
        pages.append(listed)
    assert sum(len(page["Identities"]) for page in pages) == 300
    kind, other = Caller("127.0.0.7", service="AWSCognitoIdentityService")("GetId", IdentityPoolId=pool["IdentityPoolId"])
    assert kind is None and other["IdentityId"]


def test_refused_login_tokens_from_one_address_are_throttled(identity_pool_factory):
    pool = identity_pool_factory(AllowUnauthenticatedIdentities=True)
    caller = Caller("127.0.0.8", service="AWSCognitoIdentityService")
    forged = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln"
    outcomes = [caller("GetId", IdentityPoolId=pool["IdentityPoolId"], Logins={"accounts.google.com": forged})[0]
                for _ in range(302)]
    assert set(outcomes[:300]) == {"NotAuthorizedException"} and outcomes[-1] == "TooManyRequestsException"
    # Closed for the rest of the window.
    assert caller("GetId", IdentityPoolId=pool["IdentityPoolId"], Logins={"accounts.google.com": forged})[0] == "TooManyRequestsException"


def test_an_identity_pool_quota_throttles_its_operation_and_creates_nothing(identity, identity_pool_factory):
    pool = identity_pool_factory(AllowUnauthenticatedIdentities=True, IdentityPoolTags={"postern:quota:GetId": "2"})
    caller = Caller("127.0.0.9", service="AWSCognitoIdentityService")
    started = time.monotonic()
    answers = [caller("GetId", IdentityPoolId=pool["IdentityPoolId"]) for _ in range(12)]
    seconds = int(time.monotonic() - started) + 1
    admitted = [answer for kind, answer in answers if kind is None]
    throttled = [answer for kind, answer in answers if kind == "TooManyRequestsException"]
    assert len(admitted) + len(throttled) == 12 and throttled and len(admitted) <= 2 * (seconds + 1)
    assert throttled[0]["message"] == RATE
    listed = identity.list_identities(IdentityPoolId=pool["IdentityPoolId"], MaxResults=60)["Identities"]
    assert len(listed) == len(admitted), "a throttled GetId created nothing"
    # GetCredentialsForIdentity names only the identity: it counts against the identity's pool, per operation.
    time.sleep(1.1)
    kind, _ = caller("GetCredentialsForIdentity", IdentityId=admitted[0]["IdentityId"])
    assert kind != "TooManyRequestsException"


def test_a_signed_backends_refused_logins_are_not_counted_against_its_address(identity, identity_pool_factory):
    developer = f"login.throttle-{time.time_ns()}.test"
    pool = identity_pool_factory(DeveloperProviderName=developer)
    forged = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln"
    for i in range(302):
        with pytest.raises(identity.exceptions.NotAuthorizedException):
            identity.get_open_id_token_for_developer_identity(
                IdentityPoolId=pool["IdentityPoolId"], Logins={developer: f"user-{i}", "accounts.google.com": forged})
