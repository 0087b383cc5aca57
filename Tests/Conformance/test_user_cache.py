"""The user cache behind access tokens and AdminGetUser (`UserCache`): a server reads its own writes at
once, and a second server on the same database sees another's revocations, deletions and updates
within one follower round (a notification, or its one-second poll), never later.

The second server runs the same binary against the same database, master key and admin key, as a
scaled-out deployment does."""
from __future__ import annotations

import os
import socket
import subprocess
import time
import uuid

import boto3
import pytest
import requests
from botocore.config import Config

from support import ADMIN_KEY_ID, ADMIN_SECRET, ENDPOINT, PASSWORD, POSTERN_BIN, REPO_ROOT

# A follower round is one notification away; the poll is 1 s and the cache stops answering after 2 s
# without one. 5 s leaves room for a loaded CI machine while still failing a cache that never invalidates.
PROPAGATION_BOUND = 5.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _client(endpoint, signed=True):
    if signed:
        return boto3.client("cognito-idp", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id=ADMIN_KEY_ID,
                            aws_secret_access_key=ADMIN_SECRET, config=Config(retries={"max_attempts": 1}))
    return boto3.client("cognito-idp", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="x",
                        aws_secret_access_key="x", config=Config(retries={"max_attempts": 1}))


@pytest.fixture(scope="module")
def second_server():
    port = _free_port()
    env = dict(os.environ, POSTERN_PLUGINS_DIR=str(REPO_ROOT / "Tests" / "Fixtures" / "hooks"))
    process = subprocess.Popen([POSTERN_BIN, "serve", "--port", str(port), "--host", "127.0.0.1"], cwd=REPO_ROOT, env=env,
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    endpoint = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                if requests.get(f"{endpoint}/health", timeout=1).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            time.sleep(0.1)
        else:
            pytest.fail("the second server did not start")
        yield endpoint
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.fixture
def pool_id(pool):
    return pool["Id"]


@pytest.fixture
def client_id(client):
    return client["ClientId"]


@pytest.fixture
def signed_in(idp, pool_id, client_id):
    pool, client = pool_id, client_id
    username = f"cache-{uuid.uuid4().hex[:8]}"
    idp.admin_create_user(UserPoolId=pool, Username=username, MessageAction="SUPPRESS",
                          UserAttributes=[{"Name": "email", "Value": f"{username}@example.com"}])
    idp.admin_set_user_password(UserPoolId=pool, Username=username, Password=PASSWORD, Permanent=True)
    tokens = idp.initiate_auth(ClientId=client, AuthFlow="USER_PASSWORD_AUTH",
                               AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD})["AuthenticationResult"]
    return username, tokens


def _until(condition, bound=PROPAGATION_BOUND):
    """Seconds until `condition()` held, failing after `bound`."""
    started = time.monotonic()
    while True:
        if condition():
            return time.monotonic() - started
        if time.monotonic() - started > bound:
            pytest.fail(f"not seen within {bound} s")
        time.sleep(0.05)


def _refused(call):
    try:
        call()
        return None
    except Exception as error:  # botocore's ClientError
        return error.response["Error"] if hasattr(error, "response") else str(error)


def test_a_server_reads_its_own_writes_at_once(anon_idp, idp, pool_id, signed_in):
    pool = pool_id
    username, tokens = signed_in
    access = tokens["AccessToken"]
    assert {"Name": "email", "Value": f"{username}@example.com"} in anon_idp.get_user(AccessToken=access)["UserAttributes"]
    idp.admin_get_user(UserPoolId=pool, Username=username)  # cached by name too
    anon_idp.update_user_attributes(AccessToken=access, UserAttributes=[{"Name": "given_name", "Value": "Ada"}])
    assert {"Name": "given_name", "Value": "Ada"} in anon_idp.get_user(AccessToken=access)["UserAttributes"]
    assert {"Name": "given_name", "Value": "Ada"} in idp.admin_get_user(UserPoolId=pool, Username=username)["UserAttributes"]
    anon_idp.global_sign_out(AccessToken=access)
    error = _refused(lambda: anon_idp.get_user(AccessToken=access))
    assert error and error["Code"] == "NotAuthorizedException"


def test_another_servers_sign_out_reaches_this_servers_cache(anon_idp, second_server, signed_in):
    _, tokens = signed_in
    access = tokens["AccessToken"]
    other = _client(second_server, signed=False)
    other.get_user(AccessToken=access)  # now cached on the second server
    other.get_user(AccessToken=access)
    anon_idp.global_sign_out(AccessToken=access)  # on the first server
    _until(lambda: _refused(lambda: other.get_user(AccessToken=access)) is not None)
    for _ in range(5):  # and it stays refused
        error = _refused(lambda: other.get_user(AccessToken=access))
        assert error and error["Code"] == "NotAuthorizedException" and error["Message"] == "Access Token has been revoked"


def test_another_servers_revoked_refresh_token_reaches_this_servers_cache(anon_idp, client_id, second_server, signed_in):
    client = client_id
    _, tokens = signed_in
    access = tokens["AccessToken"]
    other = _client(second_server, signed=False)
    other.get_user(AccessToken=access)
    anon_idp.revoke_token(Token=tokens["RefreshToken"], ClientId=client)
    _until(lambda: _refused(lambda: other.get_user(AccessToken=access)) is not None)


def test_another_servers_update_and_delete_reach_this_servers_cache(idp, pool_id, second_server, signed_in):
    pool = pool_id
    username, tokens = signed_in
    other_admin = _client(second_server)
    other = _client(second_server, signed=False)
    assert other_admin.admin_get_user(UserPoolId=pool, Username=username)["Enabled"] is True
    other.get_user(AccessToken=tokens["AccessToken"])
    idp.admin_set_user_password(UserPoolId=pool, Username=username, Password=PASSWORD, Permanent=False)
    _until(lambda: other_admin.admin_get_user(UserPoolId=pool, Username=username)["UserStatus"] == "FORCE_CHANGE_PASSWORD")
    idp.admin_delete_user(UserPoolId=pool, Username=username)
    _until(lambda: _refused(lambda: other_admin.admin_get_user(UserPoolId=pool, Username=username)) is not None)
    assert _refused(lambda: other_admin.admin_get_user(UserPoolId=pool, Username=username))["Code"] == "UserNotFoundException"
    _until(lambda: _refused(lambda: other.get_user(AccessToken=tokens["AccessToken"])) is not None)


def test_a_stale_row_on_a_write_is_read_again_not_a_conflict(anon_idp, idp, pool_id, second_server, signed_in):
    """The second server caches the user, the first changes it, and the second's write on its (maybe still
    cached) row must land: the conflict drops the entry and the pipeline decides again on the fresh row."""
    pool = pool_id
    username, tokens = signed_in
    access = tokens["AccessToken"]
    other = _client(second_server, signed=False)
    other.get_user(AccessToken=access)
    for index in range(5):
        anon_idp.update_user_attributes(AccessToken=access, UserAttributes=[{"Name": "given_name", "Value": f"first{index}"}])
        other.update_user_attributes(AccessToken=access, UserAttributes=[{"Name": "family_name", "Value": f"second{index}"}])
    attributes = {a["Name"]: a["Value"] for a in idp.admin_get_user(UserPoolId=pool, Username=username)["UserAttributes"]}
    assert attributes["given_name"] == "first4" and attributes["family_name"] == "second4"


# --- Identity pools and IAM roles are cached the same way (ConfigurationCache) ---

def _identity_clients(endpoint):
    keys = {"endpoint_url": endpoint, "region_name": "us-east-1", "config": Config(retries={"max_attempts": 1})}
    admin = dict(keys, aws_access_key_id=ADMIN_KEY_ID, aws_secret_access_key=ADMIN_SECRET)
    from botocore import UNSIGNED
    anon = boto3.client("cognito-identity", endpoint_url=endpoint, region_name="us-east-1",
                        config=Config(signature_version=UNSIGNED, retries={"max_attempts": 1}))
    return boto3.client("cognito-identity", **admin), boto3.client("iam", **admin), anon


def test_another_servers_identity_pool_and_role_changes_reach_this_servers_cache(second_server):
    identity, iam, _ = _identity_clients(ENDPOINT)
    _, _, remote = _identity_clients(second_server)
    pool_id = identity.create_identity_pool(IdentityPoolName=f"cache_{uuid.uuid4().hex[:8]}",
                                            AllowUnauthenticatedIdentities=True)["IdentityPoolId"]
    name = f"cache-guests-{uuid.uuid4().hex[:8]}"
    trust = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Federated": "cognito-identity.amazonaws.com"},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {"cognito-identity.amazonaws.com:aud": pool_id}}}]}
    import json
    role = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]
    try:
        identity.set_identity_pool_roles(IdentityPoolId=pool_id, Roles={"unauthenticated": role["Arn"]})
        identity_id = remote.get_id(IdentityPoolId=pool_id)["IdentityId"]
        # The second server has the pool and role cached now.
        assert remote.get_credentials_for_identity(IdentityId=identity_id)["Credentials"]["AccessKeyId"]
        # A trust policy changed on this server refuses the next exchange there, within one follower round.
        iam.update_assume_role_policy(RoleName=name, PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [dict(trust["Statement"][0], Effect="Deny")]}))
        _until(lambda: (_refused(lambda: remote.get_credentials_for_identity(IdentityId=identity_id)) or {}).get("Code")
               == "InvalidIdentityPoolConfigurationException")
        iam.update_assume_role_policy(RoleName=name, PolicyDocument=json.dumps(trust))
        _until(lambda: _refused(lambda: remote.get_credentials_for_identity(IdentityId=identity_id)) is None)
        # Guests turned off on this server are refused there too.
        identity.update_identity_pool(IdentityPoolId=pool_id, IdentityPoolName=identity.describe_identity_pool(
            IdentityPoolId=pool_id)["IdentityPoolName"], AllowUnauthenticatedIdentities=False)
        _until(lambda: (_refused(lambda: remote.get_credentials_for_identity(IdentityId=identity_id)) or {}).get("Code")
               == "NotAuthorizedException")
    finally:
        identity.delete_identity_pool(IdentityPoolId=pool_id)
        iam.delete_role(RoleName=name)
