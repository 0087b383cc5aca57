"""Helpers shared by the conformance tests (imported by conftest.py and the test modules).

The suite drives a running Postern with the real boto3 client. Configuration comes from the
environment that scripts/test sets: POSTERN_ENDPOINT, POSTERN_ADMIN_ACCESS_KEY_ID,
POSTERN_ADMIN_SECRET_ACCESS_KEY, POSTERN_OUTBOX_FILE, POSTERN_BIN, POSTERN_DATABASE_URL.
"""
from __future__ import annotations

import base64
import contextlib
import dataclasses
import hashlib
import hmac
import json
import os
import re
import time
import uuid
from pathlib import Path

import boto3
import botocore
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

REPO_ROOT = Path(__file__).resolve().parents[2]
ENDPOINT = os.environ.get("POSTERN_ENDPOINT", "http://127.0.0.1:7678").rstrip("/")
REGION = "us-east-1"
ADMIN_KEY_ID = os.environ.get("POSTERN_ADMIN_ACCESS_KEY_ID", "AKIAPOSTERNTEST0001")
ADMIN_SECRET = os.environ.get("POSTERN_ADMIN_SECRET_ACCESS_KEY", "")
OUTBOX_FILE = os.environ.get("POSTERN_OUTBOX_FILE", str(REPO_ROOT / ".postern" / "test-outbox.jsonl"))
POSTERN_BIN = os.environ.get("POSTERN_BIN", str(REPO_ROOT / ".build" / "debug" / "postern"))
USER_AGENT_MARKER = "postern-conformance"
# The account id in ARNs Postern builds (identity-pool ARNs: identity-pools.md §1).
ACCOUNT_ID = os.environ.get("POSTERN_ACCOUNT_ID", "000000000000")
# cognito-identity refuses a request that breaks the model's own constraints (pattern, length, range, enum,
# map size, required member) with ValidationException "1 validation error detected: Value '<v>' at
# '<member>' failed to satisfy constraint: Member must …" (observed on AWS for identityPoolName, HTTP 400),
# not with cognito-idp's InvalidParameterException; InvalidParameterException is for the checks the service
# makes beyond the model (e.g. a role mapping for a provider the pool does not have).
IDENTITY_VALIDATION_ERROR = "ValidationException"

# Satisfies the default password policy (8+ chars, upper, lower, digit, symbol).
PASSWORD = "Corr3ct-Horse!"
OTHER_PASSWORD = "Batt3ry-Staple?"
WEAK_PASSWORD = "password"  # lowercase only: fails the default policy

ALL_FLOWS = [
    "ALLOW_USER_PASSWORD_AUTH",
    "ALLOW_ADMIN_USER_PASSWORD_AUTH",
    "ALLOW_REFRESH_TOKEN_AUTH",
    "ALLOW_USER_SRP_AUTH",
]


def unique(prefix: str) -> str:
    """A name unlikely to collide with anything else in the database."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def make_idp(access_key: str | None = ADMIN_KEY_ID, secret_key: str | None = ADMIN_SECRET,
             unsigned: bool = False, *, parameter_validation: bool = True):
    """A boto3 cognito-idp client pointed at Postern (no retries, short timeouts); without
    `parameter_validation` boto3 sends what its model would refuse, so the server's checks can be seen."""
    cfg = Config(
        parameter_validation=parameter_validation,
        retries={"max_attempts": 1},
        connect_timeout=5,
        read_timeout=30,
        user_agent_extra=USER_AGENT_MARKER,
        **({"signature_version": botocore.UNSIGNED} if unsigned else {}),
    )
    return boto3.client(
        "cognito-idp",
        endpoint_url=ENDPOINT,
        region_name=REGION,
        aws_access_key_id=access_key or "AKIAUNUSED0000000000",
        aws_secret_access_key=secret_key or "unused",
        config=cfg,
    )


def make_identity(access_key: str | None = ADMIN_KEY_ID, secret_key: str | None = ADMIN_SECRET,
                  unsigned: bool = False, *, parameter_validation: bool = True, endpoint: str | None = None):
    """A boto3 cognito-identity client pointed at Postern (no retries, short timeouts); `endpoint`
    names another Postern server than the suite's.

    `parameter_validation=False` turns botocore's client-side checks off (required members, minimum
    lengths and values), so a test can show that the server refuses such requests itself.
    """
    cfg = Config(
        retries={"max_attempts": 1},
        connect_timeout=5,
        read_timeout=30,
        user_agent_extra=USER_AGENT_MARKER,
        parameter_validation=parameter_validation,
        **({"signature_version": botocore.UNSIGNED} if unsigned else {}),
    )
    return boto3.client(
        "cognito-identity",
        endpoint_url=endpoint or ENDPOINT,
        region_name=REGION,
        aws_access_key_id=access_key or "AKIAUNUSED0000000000",
        aws_secret_access_key=secret_key or "unused",
        config=cfg,
    )


def identity_pool_arn(identity_pool_id: str) -> str:
    """arn:aws:cognito-identity:{region}:{account}:identitypool/{IdentityPoolId} (identity-pools.md §1)."""
    return f"arn:aws:cognito-identity:{REGION}:{ACCOUNT_ID}:identitypool/{identity_pool_id}"


def aws_provider_name(user_pool_id: str) -> str:
    """The user-pool provider name AWS documents: cognito-idp.{region}.amazonaws.com/{userPoolId}.

    Postern accepts it as an alias of its native name (native_provider_name)."""
    return f"cognito-idp.{REGION}.amazonaws.com/{user_pool_id}"


def native_provider_name(user_pool_id: str) -> str:
    """Postern's own provider name for a user pool: the ID token's `iss` without its scheme.

    iss is {public base URL}/{userPoolId} (tokens.md; scripts/test sets the base to ENDPOINT)."""
    return re.sub(r"^https?://", "", f"{ENDPOINT}/{user_pool_id}")


def provider_name_of(id_token: str) -> str:
    """The provider name a user-pool ID token logs in with: its `iss` without https:// or http://."""
    return re.sub(r"^https?://", "", claims(id_token)["iss"])


def secret_hash(username: str, client_id: str, secret: str) -> str:
    """SECRET_HASH = Base64(HMAC_SHA256(key=client secret, msg=username + client id)) (auth-flows.md §3)."""
    digest = hmac.new(secret.encode(), (username + client_id).encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


@contextlib.contextmanager
def expect_error(code: str, message: str | None = None, status: int | tuple[int, ...] = 400):
    """Asserts that the block raises a ClientError with this `__type` code, HTTP status and message.

    Pass `message` only where the spec records Cognito's exact wording (observed texts).
    """
    with pytest.raises(ClientError) as info:
        yield info
    response = info.value.response
    got_code = response["Error"]["Code"]
    got_message = response["Error"].get("Message")
    got_status = response["ResponseMetadata"]["HTTPStatusCode"]
    assert got_code == code, f"expected {code}, got {got_code}: {got_message!r}"
    allowed = status if isinstance(status, tuple) else (status,)
    assert got_status in allowed, f"{code}: expected HTTP {allowed}, got {got_status}"
    if message is not None:
        assert got_message == message, f"{code}: expected message {message!r}, got {got_message!r}"


def attrs(attribute_list) -> dict[str, str]:
    """[{'Name': n, 'Value': v}, ...] -> {n: v}."""
    return {a["Name"]: a.get("Value") for a in attribute_list or []}


def b64url_decode(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def claims(token: str) -> dict:
    """The JWT payload without verifying anything (use test_tokens.py for verification)."""
    return json.loads(b64url_decode(token.split(".")[1]))


def jwt_header(token: str) -> dict:
    return json.loads(b64url_decode(token.split(".")[0]))


@dataclasses.dataclass
class User:
    pool_id: str
    client_id: str
    username: str
    password: str
    email: str
    sub: str
    client_secret: str | None = None
    sign_up_request_id: str | None = None

    def hash_params(self, username: str | None = None) -> dict[str, str]:
        """{'SECRET_HASH': …} for a client with a secret, {} otherwise."""
        if not self.client_secret:
            return {}
        return {"SECRET_HASH": secret_hash(username or self.username, self.client_id, self.client_secret)}


def sign_up(anon_idp, pool_id: str, client: dict, username: str | None = None, password: str = PASSWORD,
            extra_attributes: list | None = None) -> User:
    """SignUp through the public API; returns the new (UNCONFIRMED) user."""
    username = username or unique("user")
    email = f"{username}@example.com"
    kwargs = dict(
        ClientId=client["ClientId"],
        Username=username,
        Password=password,
        UserAttributes=[{"Name": "email", "Value": email}] + (extra_attributes or []),
    )
    secret = client.get("ClientSecret")
    if secret:
        kwargs["SecretHash"] = secret_hash(username, client["ClientId"], secret)
    resp = anon_idp.sign_up(**kwargs)
    return User(pool_id, client["ClientId"], username, password, email, resp["UserSub"], secret,
                resp["ResponseMetadata"].get("RequestId"))


def sign_in(anon_idp, user: User, password: str | None = None) -> dict:
    """USER_PASSWORD_AUTH; returns the full InitiateAuth response."""
    params = {"USERNAME": user.username, "PASSWORD": password or user.password, **user.hash_params()}
    return anon_idp.initiate_auth(ClientId=user.client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters=params)


def tokens(anon_idp, user: User, password: str | None = None) -> dict:
    """USER_PASSWORD_AUTH; returns AuthenticationResult."""
    resp = sign_in(anon_idp, user, password)
    assert "AuthenticationResult" in resp, f"expected tokens, got challenge {resp.get('ChallengeName')}"
    return resp["AuthenticationResult"]


def id_token_login(anon_idp, user: User) -> tuple[str, str]:
    """Signs `user` in (USER_PASSWORD_AUTH) and returns (provider name, ID token) for a Logins map."""
    id_token = tokens(anon_idp, user)["IdToken"]
    return provider_name_of(id_token), id_token


def refresh(anon_idp, user: User, refresh_token: str) -> dict:
    """REFRESH_TOKEN_AUTH; returns the full InitiateAuth response."""
    params = {"REFRESH_TOKEN": refresh_token, **user.hash_params()}
    return anon_idp.initiate_auth(ClientId=user.client_id, AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters=params)


class Outbox:
    """Reads the server's test message sink (POSTERN_OUTBOX_FILE, one JSON object per line).

    Each line: {"id", "userPoolId", "username", "deliveryMedium", "destination", "subject", "message",
    "code", "kind"}. Delivery runs from the committed log, so readers poll.
    """

    def __init__(self, path: str):
        self.path = Path(path)

    def messages(self, pool_id: str | None = None, username: str | None = None,
                 kind: str | None = None) -> list[dict]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        out = []
        for line in text.splitlines():
            line = line.strip()
            if not line:
                continue
            try:
                msg = json.loads(line)
            except ValueError:
                continue  # a line still being written
            if pool_id is not None and msg.get("userPoolId") != pool_id:
                continue
            if username is not None and msg.get("username") != username:
                continue
            if kind is not None and msg.get("kind") != kind:
                continue
            out.append(msg)
        return out

    def count(self, pool_id: str, username: str, kind: str | None = None) -> int:
        return len(self.messages(pool_id, username, kind))

    def wait_message(self, pool_id: str, username: str, kind: str | None = None, after: int = 0,
                     timeout: float = 5.0) -> dict:
        """The newest message for pool+username once more than `after` such messages exist."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.messages(pool_id, username, kind)
            if len(found) > after:
                return found[-1]
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"no message (kind={kind}) for {username} in pool {pool_id} in {self.path} after {timeout}s")
            time.sleep(0.05)

    def code(self, pool_id: str, username: str, kind: str | None = None, after: int = 0,
             timeout: float = 5.0) -> str:
        """The newest code (or temporary password, for AdminCreateUser invitations)."""
        return self.wait_message(pool_id, username, kind, after, timeout)["code"]


def other_code(code: str) -> str:
    """A well-formed confirmation code different from `code`."""
    return "000000" if code != "000000" else "111111"


def log_events(stream: str, event_type: str | None = None) -> list[dict]:
    """The events of one stream, as `postern events` prints them for auditors."""
    import subprocess

    args = [POSTERN_BIN, "events", "--stream", stream] + (["--type", event_type] if event_type else [])
    out = subprocess.run(args, cwd=REPO_ROOT, env=dict(os.environ), capture_output=True, text=True, check=True).stdout
    return [json.loads(line) for line in out.splitlines()]


def _aws_client(service: str, access_key: str | None, secret_key: str | None, unsigned: bool,
                session_token: str | None, parameter_validation: bool, endpoint: str | None = None):
    cfg = Config(
        retries={"max_attempts": 1},
        connect_timeout=5,
        read_timeout=30,
        user_agent_extra=USER_AGENT_MARKER,
        parameter_validation=parameter_validation,
        **({"signature_version": botocore.UNSIGNED} if unsigned else {}),
    )
    return boto3.client(
        service,
        endpoint_url=endpoint or ENDPOINT,
        region_name=REGION,
        aws_access_key_id=access_key or "AKIAUNUSED0000000000",
        aws_secret_access_key=secret_key or "unused",
        aws_session_token=session_token,
        config=cfg,
    )


def make_iam(access_key: str | None = ADMIN_KEY_ID, secret_key: str | None = ADMIN_SECRET,
             unsigned: bool = False, *, session_token: str | None = None, parameter_validation: bool = True):
    """A boto3 iam client pointed at Postern (AWS query protocol; global service signed for us-east-1).

    `parameter_validation=False` turns botocore's client-side checks off (as in make_identity)."""
    return _aws_client("iam", access_key, secret_key, unsigned, session_token, parameter_validation)


def make_sts(access_key: str | None = ADMIN_KEY_ID, secret_key: str | None = ADMIN_SECRET,
             unsigned: bool = False, *, session_token: str | None = None, parameter_validation: bool = True,
             endpoint: str | None = None):
    """A boto3 sts client pointed at Postern (AWS query protocol).

    Pass `session_token` (with the temporary key and secret) for credentials from STS or
    GetCredentialsForIdentity; `unsigned=True` for AssumeRoleWithWebIdentity as apps call it."""
    return _aws_client("sts", access_key, secret_key, unsigned, session_token, parameter_validation, endpoint)
