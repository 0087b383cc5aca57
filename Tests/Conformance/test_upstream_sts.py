"""GetCredentialsForIdentity delegated to an upstream STS (`--upstream-sts` / POSTERN_UPSTREAM_STS_URL).

The set-up AWS users run: Postern's identity-pool issuer is registered in an AWS account as an IAM OIDC
provider, and Postern exchanges each identity's OpenID token at AWS STS (AssumeRoleWithWebIdentity) for
real AWS credentials. moto_server's STS stands in for AWS here: a second Postern server on the same
database is started with its URL, and the credentials it hands out are moto's, usable against moto.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from support import POSTERN_BIN, REPO_ROOT, log_events, make_identity, unique

AWS_ACCOUNT = "123456789012"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: the process exited with {process.returncode}")
        try:
            urllib.request.urlopen(url, timeout=1).read()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up in {seconds} s")


def start_postern(upstream: str, log_name: str):
    port = free_port()
    log = open(REPO_ROOT / ".postern" / log_name, "w")
    env = dict(os.environ, POSTERN_UPSTREAM_STS_URL=upstream)
    process = subprocess.Popen([POSTERN_BIN, "serve", "--host", "127.0.0.1", "--port", str(port)], cwd=REPO_ROOT, env=env,
                               stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
    endpoint = f"http://127.0.0.1:{port}"
    wait_until_up(endpoint + "/health", process)
    return process, endpoint


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture(scope="module")
def moto():
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    endpoint = f"http://127.0.0.1:{port}"
    wait_until_up(endpoint + "/moto-api/", process)
    yield endpoint
    stop(process)


@pytest.fixture(scope="module")
def delegating(moto):
    """(admin cognito-identity client, unsigned client) of a Postern that delegates to moto's STS."""
    process, endpoint = start_postern(moto, "test-upstream-sts.log")
    yield make_identity(endpoint=endpoint), make_identity(unsigned=True, endpoint=endpoint)
    stop(process)


def moto_client(service: str, endpoint: str, credentials: dict | None = None):
    keys = ({"aws_access_key_id": credentials["AccessKeyId"], "aws_secret_access_key": credentials["SecretKey"],
             "aws_session_token": credentials["SessionToken"]} if credentials
            else {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"})
    return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1", config=Config(retries={"max_attempts": 1}), **keys)


def guest_pool(admin, role_arn: str) -> str:
    pool = admin.create_identity_pool(IdentityPoolName=unique("upstream"), AllowUnauthenticatedIdentities=True)["IdentityPoolId"]
    admin.set_identity_pool_roles(IdentityPoolId=pool, Roles={"unauthenticated": role_arn})
    return pool


def test_credentials_come_from_the_upstream_sts_and_work_there(delegating, moto):
    admin, anon = delegating
    pool = guest_pool(admin, f"arn:aws:iam::{AWS_ACCOUNT}:role/postern-guests")
    try:
        identity = anon.get_id(IdentityPoolId=pool)["IdentityId"]
        answer = anon.get_credentials_for_identity(IdentityId=identity)
        credentials = answer["Credentials"]
        assert answer["IdentityId"] == identity
        assert credentials["AccessKeyId"] and credentials["SecretKey"] and credentials["SessionToken"]
        me = moto_client("sts", moto, credentials).get_caller_identity()
        assert me["Arn"] == f"arn:aws:sts::{AWS_ACCOUNT}:assumed-role/postern-guests/CognitoIdentityCredentials"
        # The exchange is on the identity's stream: the token Postern issued for it, and the credentials.
        events = log_events(f"identity-{identity}")
        issued = [e for e in events if e["type"] == "IdentityCredentialsIssued"]
        assert len(issued) == 1 and credentials["AccessKeyId"] in str(issued[0])
        assert any(e["type"] == "IdentityTokenIssued" for e in events)
        assert credentials["SecretKey"] not in str(events)
    finally:
        admin.delete_identity_pool(IdentityPoolId=pool)


def test_the_local_iam_role_is_not_needed_when_delegating(delegating):
    admin, anon = delegating
    # No such role exists in Postern's IAM: the upstream account holds it.
    pool = guest_pool(admin, f"arn:aws:iam::{AWS_ACCOUNT}:role/only-upstream")
    try:
        identity = anon.get_id(IdentityPoolId=pool)["IdentityId"]
        assert anon.get_credentials_for_identity(IdentityId=identity)["Credentials"]["AccessKeyId"]
    finally:
        admin.delete_identity_pool(IdentityPoolId=pool)


def test_an_unreachable_upstream_is_an_external_service_error():
    closed = f"http://127.0.0.1:{free_port()}"
    process, endpoint = start_postern(closed, "test-upstream-sts-down.log")
    try:
        admin, anon = make_identity(endpoint=endpoint), make_identity(unsigned=True, endpoint=endpoint)
        pool = guest_pool(admin, f"arn:aws:iam::{AWS_ACCOUNT}:role/postern-guests")
        try:
            identity = anon.get_id(IdentityPoolId=pool)["IdentityId"]
            with pytest.raises(ClientError) as caught:
                anon.get_credentials_for_identity(IdentityId=identity)
            assert caught.value.response["Error"]["Code"] == "ExternalServiceException"
            assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
            # Nothing was issued, so nothing is recorded as issued.
            assert not log_events(f"identity-{identity}", "IdentityCredentialsIssued")
        finally:
            admin.delete_identity_pool(IdentityPoolId=pool)
    finally:
        stop(process)
