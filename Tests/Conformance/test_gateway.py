"""`postern gateway`: the API-Gateway-style IAM authorizer (AWS_IAM authorization on a REST API stage).

A module-scoped fixture starts a small recording upstream (http.server in a thread) and the gateway
(`$POSTERN_BIN gateway --listen … --upstream … --api-id testapi --stage prod`) on the suite's database and
master key. Requests are SigV4-signed by botocore (service `execute-api`, us-east-1) with the temporary
credentials GetCredentialsForIdentity (or STS AssumeRoleWithWebIdentity) returns, X-Amz-Security-Token
included, and sent with `requests`.

The gateway evaluates the caller's role's inline policies for `execute-api:Invoke` on
`arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{METHOD}/{path}` and refuses as API Gateway
does: a JSON body and an `x-amzn-ErrorType` header (AccessDenied answers spell the member `Message`).
Every test makes its own identity pool and roles; each uses its own upstream path so the requests the
upstream recorded can be told apart.
"""
from __future__ import annotations

import dataclasses
import http.client
import http.server
import json
import os
import socket
import subprocess
import tempfile
import threading
import time
import uuid
from urllib.parse import parse_qs, quote, urlencode, urlsplit

import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from support import ACCOUNT_ID, POSTERN_BIN, REGION, REPO_ROOT, expect_error, unique
from test_identity_credentials import (
    IDENTITY_POOL_TOKEN_PROVIDER,
    assumed_role_arn,
    cognito_role,
    cognito_trust,
    credentials_of,
    flip_middle_char,
    guest_setup,
    tag_session_trust,
    user_pool_identity_pool,
    user_setup,
)

API_ID = "testapi"
STAGE = "prod"
# The roles' lookups (and identities') are cached for one second; wait a little longer before asserting
# that a deletion took effect.
CACHE_WAIT = 1.5

MISSING_TOKEN = ("MissingAuthenticationTokenException", {"message": "Missing Authentication Token"})
FORBIDDEN = ("ForbiddenException", {"message": "Forbidden"})
INVALID_TOKEN = ("UnrecognizedClientException", {"message": "The security token included in the request is invalid."})
INTERNAL_ERROR = ("InternalServerErrorException", {"message": "Internal server error"})


# --- the upstream ---

@dataclasses.dataclass
class Recorded:
    method: str
    path: str
    query: str
    headers: dict[str, str]  # lower-cased names
    body: bytes


class Upstream:
    """A recording HTTP service: answers `/status/NNN…` with status NNN, anything else with a 200 JSON echo;
    every answer carries `X-Upstream-Custom`, and `/cookies/…` two Set-Cookie headers."""

    def __init__(self):
        self.requests: list[Recorded] = []
        self.lock = threading.Lock()
        upstream = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def _body(self) -> bytes:
                if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                    data = b""
                    while True:
                        size = int(self.rfile.readline().strip().split(b";")[0], 16)
                        if size == 0:
                            while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                                pass
                            return data
                        data += self.rfile.read(size)
                        self.rfile.readline()
                length = int(self.headers.get("Content-Length") or 0)
                return self.rfile.read(length) if length else b""

            def _handle(self):
                parts = urlsplit(self.path)
                body = self._body()
                record = Recorded(self.command, parts.path, parts.query,
                                  {k.lower(): v for k, v in self.headers.items()}, body)
                with upstream.lock:
                    upstream.requests.append(record)
                status = 200
                segments = parts.path.strip("/").split("/")
                if len(segments) >= 2 and segments[0] == "status" and segments[1].isdigit():
                    status = int(segments[1])
                payload = json.dumps({"method": self.command, "path": parts.path, "query": parts.query,
                                      "body": body.decode("utf-8", "replace")}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("X-Upstream-Custom", f"custom-{status}")
                if segments[0] == "cookies":
                    self.send_header("Set-Cookie", "a=1; Path=/")
                    self.send_header("Set-Cookie", "b=2; Path=/")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _handle

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def received(self, path: str) -> list[Recorded]:
        with self.lock:
            return [r for r in self.requests if r.path == path]

    def only(self, path: str) -> Recorded:
        got = self.received(path)
        assert len(got) == 1, f"upstream saw {len(got)} requests for {path}"
        return got[0]


# --- the gateway ---

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class GatewayProcess:
    def __init__(self, upstream_url: str, api_id: str = API_ID, stage: str = STAGE):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = tempfile.NamedTemporaryFile(prefix="postern-gateway-", suffix=".log", delete=False)
        self.process = subprocess.Popen(
            [POSTERN_BIN, "gateway", "--listen", f"127.0.0.1:{self.port}", "--upstream", upstream_url,
             "--api-id", api_id, "--stage", stage],
            cwd=REPO_ROOT, env=dict(os.environ), stdin=subprocess.DEVNULL, stdout=self.log, stderr=subprocess.STDOUT)

    def output(self) -> str:
        try:
            with open(self.log.name, encoding="utf-8", errors="replace") as f:
                return f.read()[-8000:]
        except OSError:
            return ""

    def wait_ready(self, timeout: float = 60.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"postern gateway exited with {self.process.returncode}:\n{self.output()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        pytest.fail(f"postern gateway did not accept connections within {timeout} s:\n{self.output()}")

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self.log.close()
        try:
            os.unlink(self.log.name)
        except OSError:
            pass


@pytest.fixture(scope="module")
def upstream():
    with Upstream() as server:
        yield server


@pytest.fixture(scope="module")
def gateway(upstream, request):
    process = GatewayProcess(f"http://127.0.0.1:{upstream.port}").wait_ready()
    yield process
    failed = getattr(request.session, "testsfailed", 0)
    if failed:
        print(f"\n--- postern gateway output (last 8000 characters) ---\n{process.output()}")
    process.stop()


# --- requests ---

def method_arn(method: str, path: str, *, api_id: str = API_ID, stage: str = STAGE) -> str:
    return f"arn:aws:execute-api:{REGION}:{ACCOUNT_ID}:{api_id}/{stage}/{method}/{path.lstrip('/')}"


def statement(resource, effect: str = "Allow", condition: dict | None = None, action="execute-api:Invoke") -> dict:
    s = {"Effect": effect, "Action": action, "Resource": resource}
    if condition:
        s["Condition"] = condition
    return s


def put_policy(iam, role: dict, *statements: dict, name: str | None = None) -> None:
    iam.put_role_policy(RoleName=role["RoleName"], PolicyName=name or unique("invoke"),
                        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": list(statements)}))


def unique_path(prefix: str = "/items") -> str:
    return f"{prefix}/{uuid.uuid4().hex[:12]}"


def secret_of(creds: dict) -> str:
    return creds.get("SecretKey") or creds["SecretAccessKey"]


def call(gateway, method: str, path: str, creds: dict | None = None, *, query: dict | None = None,
         body: bytes = b"", headers: dict | None = None, secret: str | None = None,
         session_token: str | None = None, omit_token: bool = False, stage: str = STAGE,
         service: str = "execute-api", region: str = REGION) -> requests.Response:
    """`method /{stage}{path}?{query}` on the gateway, SigV4-signed with `creds` unless they are None."""
    url = f"{gateway.url}/{stage}{path}" + (f"?{urlencode(query, quote_via=quote)}" if query else "")
    headers = dict(headers or {})
    if creds is not None:
        token = None if omit_token else (session_token or creds["SessionToken"])
        request = AWSRequest(method=method, url=url, data=body, headers=headers)
        SigV4Auth(Credentials(creds["AccessKeyId"], secret or secret_of(creds), token), service, region).add_auth(request)
        headers = dict(request.headers.items())
    return requests.request(method, url, headers=headers, data=body, timeout=30, allow_redirects=False)


def call_raw(gateway, method: str, target: str, creds: dict) -> tuple[int, dict, bytes]:
    """`method target` sent exactly as written (no client-side path normalization, unlike requests/urllib3),
    SigV4-signed with `creds`."""
    request = AWSRequest(method=method, url=f"{gateway.url}{target}", data=b"", headers={})
    SigV4Auth(Credentials(creds["AccessKeyId"], secret_of(creds), creds["SessionToken"]), "execute-api",
              REGION).add_auth(request)
    connection = http.client.HTTPConnection("127.0.0.1", gateway.port, timeout=30)
    try:
        connection.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
        connection.putheader("Host", f"127.0.0.1:{gateway.port}")
        for name, value in request.headers.items():
            connection.putheader(name, value)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def assert_refused(response: requests.Response, expected: tuple[str, dict], status: int = 403) -> None:
    error_type, body = expected
    assert response.status_code == status, (response.status_code, response.headers, response.text)
    assert response.headers.get("x-amzn-ErrorType") == error_type, (response.headers, response.text)
    assert response.headers.get("Content-Type", "").startswith("application/json")
    assert response.json() == body


def assert_access_denied(response: requests.Response, role: dict, method: str, path: str, *, explicit: bool) -> None:
    message = (f"User: {assumed_role_arn(role)} is not authorized to perform: execute-api:Invoke on resource: "
               f"{method_arn(method, path)}" + (" with an explicit deny" if explicit else ""))
    assert_refused(response, ("AccessDeniedException", {"Message": message}))


def assert_forwarded(response: requests.Response) -> dict:
    assert response.status_code == 200, (response.status_code, response.headers, response.text)
    return response.json()


def guest_with_policy(identity, anon_identity, identity_pool_factory, role_factory, iam, *statements):
    """(setup, credentials) of a guest whose unauthenticated role carries `statements`."""
    s = guest_setup(identity, anon_identity, identity_pool_factory, role_factory)
    if statements:
        put_policy(iam, s.unauth, *statements)
    return s, credentials_of(anon_identity, s.identity_id)["Credentials"]


@pytest.fixture
def guest(identity, anon_identity, identity_pool_factory, role_factory, iam):
    """make(*statements) -> (setup, credentials) for a new guest identity."""
    return lambda *statements: guest_with_policy(identity, anon_identity, identity_pool_factory, role_factory, iam,
                                                 *statements)


# --- allowed requests ---

def test_gateway_forwards_an_allowed_guest_get_with_identity_headers(gateway, upstream, guest):
    path = unique_path()
    s, creds = guest(statement(method_arn("GET", path)))
    response = call(gateway, "GET", path, creds, query={"color": "blue", "n": "2"})
    echo = assert_forwarded(response)
    # The stage is removed; the query is kept.
    assert echo["path"] == path
    assert parse_qs(echo["query"]) == {"color": ["blue"], "n": ["2"]}
    seen = upstream.only(path)
    assert seen.method == "GET"
    assert seen.headers["x-postern-identity-id"] == s.identity_id
    assert seen.headers["x-postern-identity-pool-id"] == s.pool_id
    assert seen.headers["x-postern-principal-arn"] == assumed_role_arn(s.unauth)
    assert seen.headers["x-postern-authentication-type"] == "unauthenticated"
    # The caller's credentials end at the gateway.
    for name in ("authorization", "x-amz-security-token", "x-amz-date"):
        assert name not in seen.headers, name
    # The upstream is addressed as itself, and sees the request id the caller gets back.
    assert seen.headers["host"] == f"127.0.0.1:{upstream.port}"
    assert response.headers.get("x-amzn-RequestId")
    assert seen.headers.get("x-amzn-requestid") == response.headers["x-amzn-RequestId"]


def test_gateway_forwards_a_user_pool_login_as_authenticated(gateway, upstream, identity, anon_identity,
                                                             identity_pool_factory, role_factory, iam, client,
                                                             user_pool_login):
    s = user_setup(identity, anon_identity, identity_pool_factory, role_factory, client, user_pool_login)
    path = unique_path("/me")
    put_policy(iam, s.auth, statement(method_arn("GET", path)))
    creds = credentials_of(anon_identity, s.identity_id, dict([user_pool_login]))["Credentials"]
    assert_forwarded(call(gateway, "GET", path, creds))
    seen = upstream.only(path)
    assert seen.headers["x-postern-identity-id"] == s.identity_id
    assert seen.headers["x-postern-identity-pool-id"] == s.pool_id
    assert seen.headers["x-postern-principal-arn"] == assumed_role_arn(s.auth)
    assert seen.headers["x-postern-authentication-type"] == "authenticated"


def test_gateway_relays_a_post_body(gateway, upstream, guest):
    path = unique_path("/orders")
    _, creds = guest(statement(method_arn("POST", path)))
    body = json.dumps({"item": "widget", "quantity": 3, "note": "caf\u00e9"}).encode()
    response = call(gateway, "POST", path, creds, body=body, headers={"Content-Type": "application/json"})
    echo = assert_forwarded(response)
    assert echo["method"] == "POST"
    seen = upstream.only(path)
    assert seen.method == "POST"
    assert seen.body == body
    assert seen.headers["content-type"] == "application/json"


def test_gateway_relays_other_methods(gateway, upstream, guest):
    path = unique_path("/things")
    _, creds = guest(statement(method_arn("*", path)))
    for method in ("PUT", "DELETE", "PATCH"):
        body = f"{method} body".encode() if method != "DELETE" else b""
        assert_forwarded(call(gateway, method, path, creds, body=body))
    assert [(r.method, r.body) for r in upstream.received(path)] == [
        ("PUT", b"PUT body"), ("DELETE", b""), ("PATCH", b"PATCH body")]


def test_gateway_relays_the_upstream_status_headers_and_body(gateway, upstream, guest):
    token = uuid.uuid4().hex[:12]
    _, creds = guest(statement(method_arn("*", f"/status/*/{token}")))
    for status in (201, 302, 404, 500):
        path = f"/status/{status}/{token}"
        response = call(gateway, "POST", path, creds, body=b"x")
        assert response.status_code == status, (response.status_code, response.text)
        assert response.headers.get("X-Upstream-Custom") == f"custom-{status}"
        # The upstream's own answer, not a gateway error.
        assert "x-amzn-ErrorType" not in response.headers
        assert response.json() == {"method": "POST", "path": path, "query": "", "body": "x"}
        assert len(upstream.received(path)) == 1


def test_gateway_replaces_caller_sent_postern_headers(gateway, upstream, guest):
    path = unique_path()
    s, creds = guest(statement(method_arn("GET", path)))
    forged = {"X-Postern-Identity-Id": "us-east-1:00000000-0000-4000-8000-000000000bad",
              "X-Postern-Identity-Pool-Id": "us-east-1:00000000-0000-4000-8000-000000000bad",
              "X-Postern-Authentication-Type": "authenticated",
              "X-Postern-Principal-Arn": f"arn:aws:sts::{ACCOUNT_ID}:assumed-role/admin/x",
              "X-Postern-Extra": "forged", "X-Caller-Header": "kept"}
    assert_forwarded(call(gateway, "GET", path, creds, headers=forged))
    seen = upstream.only(path)
    assert seen.headers["x-postern-identity-id"] == s.identity_id
    assert seen.headers["x-postern-identity-pool-id"] == s.pool_id
    assert seen.headers["x-postern-authentication-type"] == "unauthenticated"
    assert seen.headers["x-postern-principal-arn"] == assumed_role_arn(s.unauth)
    assert "x-postern-extra" not in seen.headers
    # Headers that are not the gateway's own are relayed.
    assert seen.headers["x-caller-header"] == "kept"


def test_gateway_stage_root_is_the_root_resource(gateway, upstream, guest):
    _, creds = guest(statement(method_arn("GET", "/")))
    before = len(upstream.received("/"))
    assert_forwarded(call(gateway, "GET", "", creds))
    assert len(upstream.received("/")) == before + 1


def test_gateway_wildcard_resource_allows_every_method_and_path_below_it(gateway, upstream, guest):
    prefix = unique_path("/tree")
    _, creds = guest(statement(f"arn:aws:execute-api:{REGION}:{ACCOUNT_ID}:{API_ID}/{STAGE}/*{prefix}/*"))
    assert_forwarded(call(gateway, "GET", f"{prefix}/a", creds))
    assert_forwarded(call(gateway, "POST", f"{prefix}/b/c", creds, body=b"{}"))
    assert call(gateway, "GET", "/elsewhere", creds).status_code == 403


def test_gateway_accepts_web_identity_credentials(gateway, upstream, iam, anon_sts, anon_identity,
                                                 identity_pool_factory, role_factory):
    # Basic flow: GetOpenIdToken + STS AssumeRoleWithWebIdentity.
    pool_id = identity_pool_factory(AllowUnauthenticatedIdentities=True, AllowClassicFlow=True)["IdentityPoolId"]
    identity_id = anon_identity.get_id(IdentityPoolId=pool_id)["IdentityId"]
    token = anon_identity.get_open_id_token(IdentityId=identity_id)["Token"]
    role = cognito_role(role_factory, pool_id, "unauthenticated")
    path = unique_path("/basic")
    put_policy(iam, role, statement(method_arn("GET", path)))
    creds = anon_sts.assume_role_with_web_identity(RoleArn=role["Arn"], RoleSessionName="basic-session",
                                                   WebIdentityToken=token)["Credentials"]
    assert_forwarded(call(gateway, "GET", path, creds))
    seen = upstream.only(path)
    assert seen.headers["x-postern-principal-arn"] == assumed_role_arn(role, "basic-session")
    assert seen.headers["x-postern-identity-id"] == identity_id


def test_gateway_relays_an_encoded_query(gateway, upstream, guest):
    path = unique_path()
    _, creds = guest(statement(method_arn("GET", path)))
    query = {"q": "a b/c&d=e", "name": "J\u00fcrgen", "empty": ""}
    echo = assert_forwarded(call(gateway, "GET", path, creds, query=query))
    assert parse_qs(echo["query"], keep_blank_values=True) == {k: [v] for k, v in query.items()}


def test_gateway_relays_repeated_upstream_headers(gateway, upstream, guest):
    path = unique_path("/cookies")
    _, creds = guest(statement(method_arn("GET", path)))
    response = call(gateway, "GET", path, creds)
    assert_forwarded(response)
    assert response.raw.headers.getlist("Set-Cookie") == ["a=1; Path=/", "b=2; Path=/"]


# --- refusals before authorization ---

def test_gateway_unsigned_request_is_missing_authentication_token(gateway, upstream):
    path = unique_path()
    response = call(gateway, "GET", path)
    assert_refused(response, MISSING_TOKEN)
    assert response.headers.get("x-amzn-RequestId")
    assert upstream.received(path) == []


def test_gateway_wrong_stage_is_forbidden(gateway, upstream, guest):
    path = unique_path()
    _, creds = guest(statement(f"arn:aws:execute-api:{REGION}:{ACCOUNT_ID}:{API_ID}/*"))
    assert_refused(call(gateway, "GET", path, creds, stage="dev"), FORBIDDEN)
    assert_refused(call(gateway, "GET", path, creds, stage="prodx"), FORBIDDEN)
    assert upstream.received(path) == []


def test_gateway_garbled_session_token_is_unrecognized_client(gateway, upstream, guest):
    path = unique_path()
    _, creds = guest(statement(method_arn("GET", path)))
    assert_refused(call(gateway, "GET", path, creds, session_token=flip_middle_char(creds["SessionToken"])),
                   INVALID_TOKEN)
    assert_refused(call(gateway, "GET", path, creds, session_token="not-a-session-token"), INVALID_TOKEN)
    assert upstream.received(path) == []


def test_gateway_missing_session_token_is_unrecognized_client(gateway, upstream, guest):
    path = unique_path()
    _, creds = guest(statement(method_arn("GET", path)))
    assert_refused(call(gateway, "GET", path, creds, omit_token=True), INVALID_TOKEN)
    assert upstream.received(path) == []


def test_gateway_wrong_secret_is_invalid_signature(gateway, upstream, guest):
    path = unique_path()
    _, creds = guest(statement(method_arn("GET", path)))
    response = call(gateway, "GET", path, creds, secret=flip_middle_char(secret_of(creds)))
    assert response.status_code == 403, response.text
    assert response.headers.get("x-amzn-ErrorType") == "InvalidSignatureException"
    assert response.json()["message"].startswith("The request signature we calculated does not match")
    assert upstream.received(path) == []


def test_gateway_signature_for_another_service_is_refused(gateway, upstream, guest):
    path = unique_path()
    _, creds = guest(statement(method_arn("GET", path)))
    response = call(gateway, "GET", path, creds, service="s3")
    assert response.status_code == 403, response.text
    assert response.headers.get("x-amzn-ErrorType") == "IncompleteSignatureException"
    assert upstream.received(path) == []


def test_gateway_session_token_of_other_credentials_is_unrecognized_client(gateway, upstream, guest):
    # A valid session token presented with another session's access key (and that key's secret).
    path = unique_path()
    _, mine = guest(statement(method_arn("GET", path)))
    _, theirs = guest(statement(method_arn("GET", path)))
    assert_refused(call(gateway, "GET", path, mine, session_token=theirs["SessionToken"]), INVALID_TOKEN)
    assert upstream.received(path) == []


def test_gateway_access_denied_body_is_plain_json(gateway, upstream, guest):
    # API Gateway writes ARNs as they are: {"Message":"User: arn:aws:sts::…:assumed-role/ROLE/… on resource:
    # arn:aws:execute-api:…/prod/GET/…"}, no "\/" escapes (equal once parsed, but not byte for byte).
    path = unique_path()
    s, creds = guest()
    response = call(gateway, "GET", path, creds)
    assert_access_denied(response, s.unauth, "GET", path, explicit=False)
    assert "\\/" not in response.text, response.text


# --- policy evaluation ---

def test_gateway_policy_for_another_path_is_an_implicit_deny(gateway, upstream, guest):
    path = unique_path()
    s, creds = guest(statement(method_arn("GET", "/other/path")))
    assert_access_denied(call(gateway, "GET", path, creds), s.unauth, "GET", path, explicit=False)
    assert upstream.received(path) == []


def test_gateway_policy_for_another_method_is_an_implicit_deny(gateway, upstream, guest):
    path = unique_path()
    s, creds = guest(statement(method_arn("GET", path)))
    assert_access_denied(call(gateway, "DELETE", path, creds), s.unauth, "DELETE", path, explicit=False)
    assert upstream.received(path) == []
    assert_forwarded(call(gateway, "GET", path, creds))


def test_gateway_role_without_policies_is_an_implicit_deny(gateway, upstream, guest):
    path = unique_path()
    s, creds = guest()
    assert_access_denied(call(gateway, "GET", path, creds), s.unauth, "GET", path, explicit=False)


def test_gateway_policy_for_another_action_does_not_allow_invoke(gateway, upstream, guest):
    path = unique_path()
    s, creds = guest(statement(method_arn("GET", path), action="execute-api:ManageConnections"))
    assert_access_denied(call(gateway, "GET", path, creds), s.unauth, "GET", path, explicit=False)


def test_gateway_explicit_deny_wins_over_an_allow(gateway, upstream, guest, iam):
    prefix = unique_path("/admin")
    denied = f"{prefix}/secret"
    s, creds = guest(statement(method_arn("*", f"{prefix}/*")))
    put_policy(iam, s.unauth, statement(method_arn("GET", denied), effect="Deny"))
    assert_access_denied(call(gateway, "GET", denied, creds), s.unauth, "GET", denied, explicit=True)
    assert upstream.received(denied) == []
    assert_forwarded(call(gateway, "GET", f"{prefix}/public", creds))


def test_gateway_policy_variable_sub_limits_an_identity_to_its_own_path(gateway, upstream, identity, anon_identity,
                                                                       identity_pool_factory, role_factory, iam):
    s = guest_setup(identity, anon_identity, identity_pool_factory, role_factory)
    put_policy(iam, s.unauth, statement(method_arn("GET", "/users/${cognito-identity.amazonaws.com:sub}")))
    other = anon_identity.get_id(IdentityPoolId=s.pool_id)["IdentityId"]
    assert other != s.identity_id
    mine = credentials_of(anon_identity, s.identity_id)["Credentials"]
    theirs = credentials_of(anon_identity, other)["Credentials"]
    own_path, other_path = f"/users/{s.identity_id}", f"/users/{other}"
    assert_forwarded(call(gateway, "GET", own_path, mine))
    assert_forwarded(call(gateway, "GET", other_path, theirs))
    assert_access_denied(call(gateway, "GET", other_path, mine), s.unauth, "GET", other_path, explicit=False)
    assert_access_denied(call(gateway, "GET", own_path, theirs), s.unauth, "GET", own_path, explicit=False)
    assert len(upstream.received(own_path)) == 1
    assert len(upstream.received(other_path)) == 1


def test_gateway_amr_condition_separates_guests_from_users(gateway, upstream, identity, anon_identity,
                                                           identity_pool_factory, role_factory, iam, client,
                                                           user_pool_login):
    s = user_setup(identity, anon_identity, identity_pool_factory, role_factory, client, user_pool_login, guests=True)
    path = unique_path("/members")
    only_users = statement(method_arn("GET", path),
                           condition={"ForAnyValue:StringLike": {f"{IDENTITY_POOL_TOKEN_PROVIDER}:amr": "authenticated"}})
    # Both roles carry the same policy: only the condition tells them apart.
    put_policy(iam, s.unauth, only_users)
    put_policy(iam, s.auth, only_users)
    user_creds = credentials_of(anon_identity, s.identity_id, dict([user_pool_login]))["Credentials"]
    guest_id = anon_identity.get_id(IdentityPoolId=s.pool_id)["IdentityId"]
    guest_creds = credentials_of(anon_identity, guest_id)["Credentials"]
    assert_forwarded(call(gateway, "GET", path, user_creds))
    assert_access_denied(call(gateway, "GET", path, guest_creds), s.unauth, "GET", path, explicit=False)
    assert len(upstream.received(path)) == 1


def test_gateway_aud_condition_names_the_identity_pool(gateway, upstream, guest, iam):
    path = unique_path()
    s, creds = guest()
    put_policy(iam, s.unauth,
               statement(method_arn("GET", f"{path}/mine"),
                         condition={"StringEquals": {f"{IDENTITY_POOL_TOKEN_PROVIDER}:aud": s.pool_id}}),
               statement(method_arn("GET", f"{path}/theirs"),
                         condition={"StringEquals": {f"{IDENTITY_POOL_TOKEN_PROVIDER}:aud":
                                                     "us-east-1:00000000-0000-4000-8000-000000000001"}}))
    assert_forwarded(call(gateway, "GET", f"{path}/mine", creds))
    assert_access_denied(call(gateway, "GET", f"{path}/theirs", creds), s.unauth, "GET", f"{path}/theirs",
                         explicit=False)


def test_gateway_source_ip_condition(gateway, upstream, guest, iam):
    path = unique_path()
    s, creds = guest()
    put_policy(iam, s.unauth,
               statement(method_arn("GET", f"{path}/local"), condition={"IpAddress": {"aws:SourceIp": "127.0.0.0/8"}}),
               statement(method_arn("GET", f"{path}/remote"), condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}))
    assert_forwarded(call(gateway, "GET", f"{path}/local", creds))
    assert call(gateway, "GET", f"{path}/remote", creds).status_code == 403


def test_gateway_forwarded_for_header_does_not_set_the_source_ip(gateway, upstream, guest, iam):
    # With no trusted proxies, X-Forwarded-For is the caller's claim, not aws:SourceIp.
    path = unique_path()
    s, creds = guest(statement(method_arn("GET", path), condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}))
    response = call(gateway, "GET", path, creds, headers={"X-Forwarded-For": "10.1.2.3"})
    assert_access_denied(response, s.unauth, "GET", path, explicit=False)


def test_gateway_token_issue_time_condition(gateway, upstream, guest, iam):
    path = unique_path()
    s, creds = guest()
    put_policy(iam, s.unauth,
               statement(method_arn("GET", f"{path}/recent"),
                         condition={"DateGreaterThan": {"aws:TokenIssueTime": "2020-01-01T00:00:00Z"}}),
               statement(method_arn("GET", f"{path}/future"),
                         condition={"DateGreaterThan": {"aws:TokenIssueTime": "2099-01-01T00:00:00Z"}}))
    assert_forwarded(call(gateway, "GET", f"{path}/recent", creds))
    assert_access_denied(call(gateway, "GET", f"{path}/future", creds), s.unauth, "GET", f"{path}/future",
                         explicit=False)


@pytest.mark.parametrize("dots", ["..", "%2e%2e"])
def test_gateway_dot_segments_cannot_reach_a_path_the_policy_does_not_allow(gateway, upstream, guest, iam, dots):
    # Allowed: GET {prefix}/public/*; explicitly denied: GET {prefix}/admin/*. "{prefix}/public/../admin/secret"
    # is {prefix}/admin/secret to any upstream that normalizes dot segments (RFC 3986 §5.2.4; %2e is "." by
    # §6.2.2.2), and SigV4 itself signs it as such. The gateway must not authorize one path and forward another:
    # it may refuse the request or authorize the normalized path (an explicit deny here), but the upstream must
    # not see it.
    prefix = unique_path("/dots")
    s, creds = guest(statement(method_arn("GET", f"{prefix}/public/*")))
    put_policy(iam, s.unauth, statement(method_arn("GET", f"{prefix}/admin/*"), effect="Deny"))
    status, headers, body = call_raw(gateway, "GET", f"/{STAGE}{prefix}/public/{dots}/admin/secret", creds)
    with upstream.lock:
        reached = [r.path for r in upstream.requests if r.path.startswith(prefix)]
    assert reached == [], f"the upstream was asked for {reached} (gateway answered {status} {body[:200]!r})"
    assert 400 <= status < 500, (status, body)


# --- revocation ---

def test_gateway_refuses_credentials_of_a_deleted_role(gateway, upstream, guest, iam):
    path = unique_path()
    s, creds = guest(statement(method_arn("GET", path)))
    assert_forwarded(call(gateway, "GET", path, creds))
    for name in iam.list_role_policies(RoleName=s.unauth["RoleName"])["PolicyNames"]:
        iam.delete_role_policy(RoleName=s.unauth["RoleName"], PolicyName=name)
    iam.delete_role(RoleName=s.unauth["RoleName"])
    time.sleep(CACHE_WAIT)
    assert_refused(call(gateway, "GET", path, creds), INVALID_TOKEN)
    assert len(upstream.received(path)) == 1


def test_gateway_refuses_credentials_of_a_recreated_role(gateway, upstream, guest, iam, anon_identity, role_factory):
    path = unique_path()
    s, creds = guest(statement(method_arn("GET", path)))
    assert_forwarded(call(gateway, "GET", path, creds))
    name = s.unauth["RoleName"]
    for policy_name in iam.list_role_policies(RoleName=name)["PolicyNames"]:
        iam.delete_role_policy(RoleName=name, PolicyName=policy_name)
    iam.delete_role(RoleName=name)
    recreated = role_factory(cognito_trust(s.pool_id, "unauthenticated"), RoleName=name)
    assert recreated["RoleId"] != s.unauth["RoleId"]
    time.sleep(CACHE_WAIT)
    # Same ARN, new role id: the old session is not the new role's. (Were the role id ignored, the new role,
    # which has no policies, would give AccessDenied instead.)
    assert_refused(call(gateway, "GET", path, creds), INVALID_TOKEN)
    # Credentials of the new role are recognized, and judged by the new role's (empty) policies. The recreated
    # role is given no policy here: see test_recreated_role_can_be_given_policies_and_deleted
    # (test_identity_credentials.py) for why.
    fresh = credentials_of(anon_identity, s.identity_id)["Credentials"]
    assert_access_denied(call(gateway, "GET", path, fresh), recreated, "GET", path, explicit=False)
    assert len(upstream.received(path)) == 1


def test_gateway_refuses_credentials_of_a_deleted_identity(gateway, upstream, guest, identity):
    path = unique_path()
    s, creds = guest(statement(method_arn("GET", path)))
    assert_forwarded(call(gateway, "GET", path, creds))
    resp = identity.delete_identities(IdentityIdsToDelete=[s.identity_id])
    assert resp.get("UnprocessedIdentityIds", []) == []
    time.sleep(CACHE_WAIT)
    assert_refused(call(gateway, "GET", path, creds), INVALID_TOKEN)
    assert len(upstream.received(path)) == 1


def test_gateway_sees_a_new_policy_within_the_cache_window(gateway, upstream, guest, iam):
    path = unique_path()
    s, creds = guest(statement(method_arn("GET", "/nothing")))
    assert call(gateway, "GET", path, creds).status_code == 403
    put_policy(iam, s.unauth, statement(method_arn("GET", path)))
    time.sleep(CACHE_WAIT)
    assert_forwarded(call(gateway, "GET", path, creds))


# --- the upstream failing ---

def test_gateway_upstream_down_is_502(guest):
    path = unique_path()
    _, creds = guest(statement(method_arn("GET", path)))
    closed = free_port()  # nothing listens there
    down = GatewayProcess(f"http://127.0.0.1:{closed}").wait_ready()
    try:
        assert_refused(call(down, "GET", path, creds), INTERNAL_ERROR, status=502)
    finally:
        down.stop()


# --- principal tags (attributes for access control) through the gateway ---

def test_gateway_principal_tag_condition_allows_the_users_sub(gateway, upstream, identity, anon_identity,
                                                              identity_pool_factory, role_factory, iam, client,
                                                              confirmed_user, user_pool_login):
    provider, id_token = user_pool_login
    pool_id = user_pool_identity_pool(identity_pool_factory, provider, client["ClientId"])
    role = role_factory(tag_session_trust(pool_id))
    identity.set_identity_pool_roles(IdentityPoolId=pool_id, Roles={"authenticated": role["Arn"]})
    identity.set_principal_tag_attribute_map(IdentityPoolId=pool_id, IdentityProviderName=provider,
                                             UseDefaults=False, PrincipalTags={"username": "sub"})
    path = unique_path("/tagged")
    put_policy(iam, role,
               statement(method_arn("GET", f"{path}/mine"),
                         condition={"StringEquals": {"aws:PrincipalTag/username": confirmed_user.sub}}),
               statement(method_arn("GET", f"{path}/theirs"),
                         condition={"StringEquals": {"aws:PrincipalTag/username": str(uuid.uuid4())}}))
    identity_id = anon_identity.get_id(IdentityPoolId=pool_id, Logins={provider: id_token})["IdentityId"]
    creds = credentials_of(anon_identity, identity_id, {provider: id_token})["Credentials"]
    assert_forwarded(call(gateway, "GET", f"{path}/mine", creds))
    assert_access_denied(call(gateway, "GET", f"{path}/theirs", creds), role, "GET", f"{path}/theirs", explicit=False)
    assert len(upstream.received(f"{path}/mine")) == 1


def test_gateway_principal_tag_defaults_map_username_and_client(gateway, upstream, identity, anon_identity,
                                                               identity_pool_factory, role_factory, iam, client,
                                                               confirmed_user, user_pool_login):
    # UseDefaults: username <- sub, client <- aud (the app client id).
    provider, id_token = user_pool_login
    pool_id = user_pool_identity_pool(identity_pool_factory, provider, client["ClientId"])
    role = role_factory(tag_session_trust(pool_id))
    identity.set_identity_pool_roles(IdentityPoolId=pool_id, Roles={"authenticated": role["Arn"]})
    identity.set_principal_tag_attribute_map(IdentityPoolId=pool_id, IdentityProviderName=provider, UseDefaults=True)
    path = unique_path("/defaults")
    put_policy(iam, role, statement(method_arn("GET", path), condition={"StringEquals": {
        "aws:PrincipalTag/username": confirmed_user.sub, "aws:PrincipalTag/client": client["ClientId"]}}))
    identity_id = anon_identity.get_id(IdentityPoolId=pool_id, Logins={provider: id_token})["IdentityId"]
    creds = credentials_of(anon_identity, identity_id, {provider: id_token})["Credentials"]
    assert_forwarded(call(gateway, "GET", path, creds))


def test_gateway_credentials_without_tags_fail_a_principal_tag_condition(gateway, upstream, identity, anon_identity,
                                                                        identity_pool_factory, role_factory, iam,
                                                                        client, confirmed_user, user_pool_login):
    # No principal-tag map: the session has no tags, so the condition key is absent and StringEquals fails.
    s = user_setup(identity, anon_identity, identity_pool_factory, role_factory, client, user_pool_login)
    path = unique_path("/untagged")
    put_policy(iam, s.auth, statement(method_arn("GET", path),
                                      condition={"StringEquals": {"aws:PrincipalTag/username": confirmed_user.sub}}))
    creds = credentials_of(anon_identity, s.identity_id, dict([user_pool_login]))["Credentials"]
    assert_access_denied(call(gateway, "GET", path, creds), s.auth, "GET", path, explicit=False)


def test_gateway_principal_tag_policy_variable(gateway, upstream, identity, anon_identity, identity_pool_factory,
                                               role_factory, iam, client, confirmed_user, user_pool_login):
    # ${aws:PrincipalTag/username} in a resource: each user reaches the path named after its own sub.
    provider, id_token = user_pool_login
    pool_id = user_pool_identity_pool(identity_pool_factory, provider, client["ClientId"])
    role = role_factory(tag_session_trust(pool_id))
    identity.set_identity_pool_roles(IdentityPoolId=pool_id, Roles={"authenticated": role["Arn"]})
    identity.set_principal_tag_attribute_map(IdentityPoolId=pool_id, IdentityProviderName=provider,
                                             UseDefaults=True)
    put_policy(iam, role, statement(method_arn("GET", "/profiles/${aws:PrincipalTag/username}")))
    identity_id = anon_identity.get_id(IdentityPoolId=pool_id, Logins={provider: id_token})["IdentityId"]
    creds = credentials_of(anon_identity, identity_id, {provider: id_token})["Credentials"]
    own, other = f"/profiles/{confirmed_user.sub}", f"/profiles/{uuid.uuid4()}"
    assert_forwarded(call(gateway, "GET", own, creds))
    assert_access_denied(call(gateway, "GET", other, creds), role, "GET", other, explicit=False)


# --- Session policies (AssumeRole's Policy and PolicyArns) narrow what the role allows ---

ACCOUNT_TRUST = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT_ID}:root"}, "Action": "sts:AssumeRole"}]}


def invoke_document(*resources: str) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [statement(list(resources))]})


@pytest.fixture
def managed_policy(iam):
    """create(*resources) -> ARN of a managed policy allowing Invoke on them; deleted after the test."""
    arns: list[str] = []

    def create(*resources: str) -> str:
        arn = iam.create_policy(PolicyName=unique("session"), PolicyDocument=invoke_document(*resources))["Policy"]["Arn"]
        arns.append(arn)
        return arn

    yield create
    for arn in arns:
        try:
            iam.delete_policy(PolicyArn=arn)
        except Exception:
            pass  # the test deleted it itself


def test_gateway_an_inline_session_policy_narrows_the_role(gateway, upstream, sts, iam, role_factory):
    role = role_factory(ACCOUNT_TRUST)
    put_policy(iam, role, statement(method_arn("*", "*")))
    allowed = unique_path("/narrow")
    creds = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="narrow",
                            Policy=invoke_document(method_arn("GET", allowed)))["Credentials"]
    assert_forwarded(call(gateway, "GET", allowed, creds))
    assert call(gateway, "GET", unique_path("/other"), creds).status_code == 403


def test_gateway_managed_session_policies_allow_the_union_within_the_role(gateway, upstream, sts, iam, role_factory,
                                                                          managed_policy):
    role = role_factory(ACCOUNT_TRUST)
    put_policy(iam, role, statement(method_arn("GET", "*")))
    pets, toys = unique_path("/pets"), unique_path("/toys")
    arns = [managed_policy(method_arn("GET", pets)), managed_policy(method_arn("*", toys))]
    answer = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="managed", PolicyArns=[{"arn": a} for a in arns])
    assert 1 <= answer["PackedPolicySize"] <= 100
    creds = answer["Credentials"]
    assert_forwarded(call(gateway, "GET", pets, creds))
    assert_forwarded(call(gateway, "GET", toys, creds))
    # The session policy allows POST on toys, the role does not: the intersection refuses it.
    assert call(gateway, "POST", toys, creds).status_code == 403
    assert call(gateway, "GET", unique_path("/cars"), creds).status_code == 403


def test_gateway_a_managed_session_policy_is_read_at_request_time(gateway, upstream, sts, iam, role_factory,
                                                                  managed_policy):
    role = role_factory(ACCOUNT_TRUST)
    put_policy(iam, role, statement(method_arn("*", "*")))
    first, second = unique_path("/v"), unique_path("/v")
    arn = managed_policy(method_arn("GET", first))
    creds = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="live", PolicyArns=[{"arn": arn}])["Credentials"]
    assert_forwarded(call(gateway, "GET", first, creds))
    assert call(gateway, "GET", second, creds).status_code == 403
    iam.create_policy_version(PolicyArn=arn, PolicyDocument=invoke_document(method_arn("GET", second)), SetAsDefault=True)
    time.sleep(1.2)  # the gateway caches a policy for a second
    assert_forwarded(call(gateway, "GET", second, creds))
    assert call(gateway, "GET", first, creds).status_code == 403
    # Deleted: the session was given session policies and none is left, so it may do nothing.
    iam.delete_policy_version(PolicyArn=arn, VersionId="v1")
    iam.delete_policy(PolicyArn=arn)
    time.sleep(1.2)
    assert call(gateway, "GET", second, creds).status_code == 403


def test_gateway_web_identity_session_policies_narrow_the_role(gateway, upstream, iam, anon_sts, anon_identity,
                                                              identity_pool_factory, role_factory, managed_policy):
    pool = identity_pool_factory(AllowUnauthenticatedIdentities=True, AllowClassicFlow=True)
    trust = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Federated": "cognito-identity.amazonaws.com"},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {"cognito-identity.amazonaws.com:aud": pool["IdentityPoolId"]}}}]}
    role = role_factory(trust)
    put_policy(iam, role, statement(method_arn("*", "*")))
    identity_id = anon_identity.get_id(IdentityPoolId=pool["IdentityPoolId"])["IdentityId"]
    token = anon_identity.get_open_id_token(IdentityId=identity_id)["Token"]
    allowed, managed = unique_path("/web"), unique_path("/web")
    answer = anon_sts.assume_role_with_web_identity(
        RoleArn=role["Arn"], RoleSessionName="web", WebIdentityToken=token,
        Policy=invoke_document(method_arn("GET", allowed)), PolicyArns=[{"arn": managed_policy(method_arn("GET", managed))}])
    assert 1 <= answer["PackedPolicySize"] <= 100
    creds = answer["Credentials"]
    assert_forwarded(call(gateway, "GET", allowed, creds))
    assert_forwarded(call(gateway, "GET", managed, creds))
    assert call(gateway, "GET", unique_path("/web"), creds).status_code == 403


# --- Encoded authorization messages: STS DecodeAuthorizationMessage opens them for the account ---

def decoded(sts, response: requests.Response) -> dict:
    encoded = response.headers["X-Postern-Authorization-Message"]
    return json.loads(sts.decode_authorization_message(EncodedMessage=encoded)["DecodedMessage"])


def test_gateway_access_denied_carries_a_message_the_account_can_decode(gateway, upstream, guest, iam, sts):
    prefix = unique_path("/audit")
    denied = f"{prefix}/secret"
    s, creds = guest(statement(method_arn("*", f"{prefix}/*")))
    put_policy(iam, s.unauth, {"Sid": "NoSecrets", **statement(method_arn("GET", denied), effect="Deny")})
    response = call(gateway, "GET", denied, creds)
    assert_access_denied(response, s.unauth, "GET", denied, explicit=True)
    message = decoded(sts, response)
    assert message["allowed"] is False and message["explicitDeny"] is True
    [matched] = message["matchedStatements"]["items"]
    assert matched["statementId"] == "NoSecrets" and matched["effect"] == "DENY"
    context = message["context"]
    assert context["action"] == "execute-api:Invoke" and context["resource"] == method_arn("GET", denied)
    assert context["principal"]["arn"] == assumed_role_arn(s.unauth)
    conditions = {item["key"]: [v["value"] for v in item["values"]["items"]] for item in context["conditions"]["items"]}
    assert conditions["cognito-identity.amazonaws.com:sub"] == [s.identity_id]
    assert conditions["aws:sourceip"] == ["127.0.0.1"]
    # An implicit deny says so too, with no statements.
    other = decoded(sts, call(gateway, "GET", unique_path("/elsewhere"), creds))
    assert (other["allowed"], other["explicitDeny"], other["matchedStatements"]["items"]) == (False, False, [])


def test_decode_authorization_message_refuses_what_this_server_did_not_seal(sts, anon_sts, gateway, upstream, guest):
    with expect_error("InvalidAuthorizationMessageException", status=400):
        sts.decode_authorization_message(EncodedMessage="bm90LWEtbWVzc2FnZQ")
    s, creds = guest()
    encoded = call(gateway, "GET", unique_path(), creds).headers["X-Postern-Authorization-Message"]
    tampered = encoded[:-2] + ("AA" if not encoded.endswith("AA") else "BB")
    with expect_error("InvalidAuthorizationMessageException", status=400):
        sts.decode_authorization_message(EncodedMessage=tampered)
    # Only the account decodes: unsigned callers may not.
    with expect_error("MissingAuthenticationToken", status=403):
        anon_sts.decode_authorization_message(EncodedMessage=encoded)
