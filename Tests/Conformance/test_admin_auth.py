"""SigV4 on admin operations; public operations work signed or unsigned (wire-protocol.md §1)."""
import json

import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from support import ADMIN_KEY_ID, ADMIN_SECRET, ENDPOINT, PASSWORD, REGION, expect_error, make_idp, unique

# AWS-wide auth error codes; 400 vs 403 is unconfirmed for Cognito (wire-protocol.md §1).
AUTH_STATUS = (400, 403)


def test_admin_op_unsigned(anon_idp):
    with expect_error("MissingAuthenticationTokenException", status=AUTH_STATUS):
        anon_idp.list_user_pools(MaxResults=10)


def test_unknown_access_key(pool):
    stranger = make_idp(access_key="AKIAUNKNOWNKEY000001", secret_key="x" * 40)
    with expect_error("UnrecognizedClientException", status=AUTH_STATUS):
        stranger.describe_user_pool(UserPoolId=pool["Id"])


def test_wrong_secret(pool):
    wrong = make_idp(access_key=ADMIN_KEY_ID, secret_key=ADMIN_SECRET + "x")
    with expect_error("InvalidSignatureException", status=AUTH_STATUS):
        wrong.describe_user_pool(UserPoolId=pool["Id"])


def test_admin_op_signed(idp, pool):
    assert idp.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]["Id"] == pool["Id"]


def test_public_op_unsigned(anon_idp, client):
    resp = anon_idp.sign_up(ClientId=client["ClientId"], Username=unique("user"), Password=PASSWORD,
                            UserAttributes=[{"Name": "email", "Value": "u@example.com"}])
    assert resp["UserSub"]


def _signed_sign_up(client_id, access_key, secret_key):
    body = json.dumps({"ClientId": client_id, "Username": unique("user"), "Password": PASSWORD,
                       "UserAttributes": [{"Name": "email", "Value": "u@example.com"}]})
    request = AWSRequest(method="POST", url=f"{ENDPOINT}/", data=body, headers={
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": "AWSCognitoIdentityProviderService.SignUp",
    })
    SigV4Auth(Credentials(access_key, secret_key), "cognito-idp", REGION).add_auth(request)
    prepared = request.prepare()
    return requests.post(prepared.url, data=prepared.body, headers=dict(prepared.headers), timeout=30)


def test_public_op_signed_with_admin_key(client):
    # Other clients may sign public operations; never reject one for carrying a signature.
    resp = _signed_sign_up(client["ClientId"], ADMIN_KEY_ID, ADMIN_SECRET)
    assert resp.status_code == 200, resp.text
    assert resp.json()["UserSub"]


def test_public_op_signed_with_unknown_key(client):
    # e.g. Amplify signing with identity-pool credentials the server does not know.
    resp = _signed_sign_up(client["ClientId"], "AKIAUNKNOWNKEY000002", "y" * 40)
    assert resp.status_code == 200, resp.text
    assert resp.json()["UserSub"]


def test_admin_keys_created_listed_and_revoked_with_the_cli(pool):
    """`postern admin-keys create|list|revoke`: a created key signs admin calls until it is revoked."""
    import os
    import subprocess

    from support import POSTERN_BIN, REPO_ROOT

    def cli(*args):
        result = subprocess.run([POSTERN_BIN, "admin-keys", *args], cwd=REPO_ROOT, env=dict(os.environ),
                                capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
        return result.stdout

    created = dict(line.split(": ", 1) for line in cli("create", "--description", "conformance").splitlines())
    key_id, secret = created["AccessKeyId"], created["SecretAccessKey"]
    listing = cli("list")
    assert key_id in listing and secret not in listing, "list shows keys, never secrets"

    holder = make_idp(access_key=key_id, secret_key=secret)
    assert holder.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]["Id"] == pool["Id"]

    cli("revoke", key_id)
    assert f"{key_id}\trevoked" in cli("list")
    with expect_error("UnrecognizedClientException", status=AUTH_STATUS):
        holder.describe_user_pool(UserPoolId=pool["Id"])
