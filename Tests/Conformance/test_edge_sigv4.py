"""SigV4 on admin operations: what must be signed, scoped and known (security issue item 9).

Every request here is signed by botocore itself (a boto3 client, or botocore's SigV4Auth for requests a
client would never send), then sent over the wire to the live server. AWS's answers for these cases:
a credential scoped to another region is InvalidSignatureException ("Credential should be scoped to a
valid region"), a session token AWS does not know is UnrecognizedClientException ("The security token
included in the request is invalid."), an Authorization header that leaves out what must be signed is
IncompleteSignatureException; all are HTTP 400.
"""
from __future__ import annotations

import json

import boto3
import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

from support import ADMIN_KEY_ID, ADMIN_SECRET, ENDPOINT, REGION, expect_error, make_idp

TARGET = "AWSCognitoIdentityProviderService.ListUserPools"
BODY = json.dumps({"MaxResults": 1})


class _WithoutSignedHeader(SigV4Auth):
    """SigV4Auth that leaves one header out of SignedHeaders (the header is still sent)."""

    def __init__(self, credentials, service, region, leave_out):
        super().__init__(credentials, service, region)
        self.leave_out = leave_out

    def headers_to_sign(self, request):
        headers = super().headers_to_sign(request)
        del headers[self.leave_out]
        return headers


def _send(auth=None, region=REGION, token=None, after_signing=None):
    """Signs a ListUserPools request with botocore, optionally changes headers afterwards, and sends it."""
    request = AWSRequest(method="POST", url=ENDPOINT + "/", data=BODY,
                         headers={"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": TARGET})
    credentials = Credentials(ADMIN_KEY_ID, ADMIN_SECRET, token)
    (auth or SigV4Auth(credentials, "cognito-idp", region)).add_auth(request)
    headers = dict(request.headers.items())
    if after_signing:
        after_signing(headers)
    return requests.post(ENDPOINT + "/", data=BODY, headers=headers, timeout=10)


def _assert_refused(response, error_type, message_part=None):
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["__type"] == error_type, body
    if message_part:
        assert message_part in body["message"], body


def test_a_correctly_signed_request_passes():
    response = _send()
    assert response.status_code == 200, response.text
    assert "UserPools" in response.json()


def test_normal_admin_calls_still_pass(idp):
    assert "UserPools" in idp.list_user_pools(MaxResults=1)


def test_a_credential_scoped_to_another_region_is_refused():
    other = boto3.client("cognito-idp", endpoint_url=ENDPOINT, region_name="eu-west-1", aws_access_key_id=ADMIN_KEY_ID,
                         aws_secret_access_key=ADMIN_SECRET, config=Config(retries={"max_attempts": 1}))
    with expect_error("InvalidSignatureException", "Credential should be scoped to a valid region.", status=400):
        other.list_user_pools(MaxResults=1)


def test_an_x_amz_header_added_after_signing_is_refused():
    response = _send(after_signing=lambda headers: headers.update({"X-Amz-Meta-Injected": "1"}))
    _assert_refused(response, "IncompleteSignatureException", "x-amz-meta-injected must be signed")


def test_an_unsigned_x_amz_target_is_refused():
    # The target decides the operation: left out of SignedHeaders, anyone in the path could change it.
    auth = _WithoutSignedHeader(Credentials(ADMIN_KEY_ID, ADMIN_SECRET), "cognito-idp", REGION, "x-amz-target")
    _assert_refused(_send(auth=auth), "IncompleteSignatureException", "x-amz-target must be signed")


def test_an_unsigned_host_is_refused():
    auth = _WithoutSignedHeader(Credentials(ADMIN_KEY_ID, ADMIN_SECRET), "cognito-idp", REGION, "host")
    _assert_refused(_send(auth=auth), "IncompleteSignatureException", "host must be signed")


def test_an_unsigned_x_amz_date_is_refused():
    auth = _WithoutSignedHeader(Credentials(ADMIN_KEY_ID, ADMIN_SECRET), "cognito-idp", REGION, "x-amz-date")
    _assert_refused(_send(auth=auth), "IncompleteSignatureException", "x-amz-date must be signed")


def test_a_session_token_is_refused_while_no_session_credentials_exist():
    tokened = boto3.client("cognito-idp", endpoint_url=ENDPOINT, region_name=REGION, aws_access_key_id=ADMIN_KEY_ID,
                           aws_secret_access_key=ADMIN_SECRET, aws_session_token="FwoGZXIvYXdzEExampleSessionToken==",
                           config=Config(retries={"max_attempts": 1}))
    with expect_error("UnrecognizedClientException", "The security token included in the request is invalid.", status=400):
        tokened.list_user_pools(MaxResults=1)


def test_a_session_token_added_after_signing_is_refused():
    response = _send(after_signing=lambda headers: headers.update({"X-Amz-Security-Token": "injected"}))
    _assert_refused(response, "IncompleteSignatureException", "x-amz-security-token must be signed")
