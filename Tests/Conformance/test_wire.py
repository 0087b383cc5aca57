"""awsJson1_1 framing checked with raw HTTP (wire-protocol.md §1)."""
import json

import requests

from support import ENDPOINT, PASSWORD, expect_error, tokens, unique

JSON_CT = "application/x-amz-json-1.1"


def _post(target, body, headers=None, service="AWSCognitoIdentityProviderService"):
    data = body if isinstance(body, (bytes, str)) else json.dumps(body)
    h = {"Content-Type": JSON_CT, "X-Amz-Target": f"{service}.{target}"}
    h.update(headers or {})
    return requests.post(f"{ENDPOINT}/", data=data, headers=h, timeout=30)


def _assert_error(resp, code_predicate, statuses=(400,)):
    assert resp.status_code in statuses, (resp.status_code, resp.text)
    assert resp.headers.get("x-amzn-RequestId")
    assert resp.headers.get("Content-Type", "").startswith(JSON_CT)
    body = resp.json()
    assert code_predicate(body["__type"]), body
    # __type and x-amzn-ErrorType carry the same bare shape name (wire-protocol.md "Errors").
    assert resp.headers.get("x-amzn-ErrorType") == body["__type"]
    assert "#" not in body["__type"] and ":" not in body["__type"]
    assert isinstance(body.get("message", body.get("Message")), str)
    return body


def test_success_has_request_id_and_content_type(client):
    resp = _post("SignUp", {"ClientId": client["ClientId"], "Username": unique("user"), "Password": PASSWORD,
                            "UserAttributes": [{"Name": "email", "Value": "u@example.com"}]})
    assert resp.status_code == 200, resp.text
    assert resp.headers.get("Content-Type", "").startswith(JSON_CT)
    assert resp.headers.get("x-amzn-RequestId")
    body = resp.json()
    assert body["UserConfirmed"] is False
    # Absent members are omitted, not null (wire-protocol.md §1).
    assert None not in body.values()


def test_request_ids_are_unique(client):
    ids = {_post("InitiateAuth", {"ClientId": "a" * 26, "AuthFlow": "USER_PASSWORD_AUTH",
                                  "AuthParameters": {"USERNAME": "x", "PASSWORD": "y"}}).headers.get("x-amzn-RequestId")
           for _ in range(3)}
    assert None not in ids and len(ids) == 3


def test_error_shape(client):
    resp = _post("InitiateAuth", {"ClientId": "a" * 26, "AuthFlow": "USER_PASSWORD_AUTH",
                                  "AuthParameters": {"USERNAME": "x", "PASSWORD": "y"}})
    _assert_error(resp, lambda t: t == "ResourceNotFoundException")


def test_error_header_seen_by_botocore(idp):
    with expect_error("ResourceNotFoundException") as info:
        idp.describe_user_pool(UserPoolId="us-east-1_doesNotExist0")
    meta = info.value.response["ResponseMetadata"]
    assert meta["HTTPHeaders"].get("x-amzn-errortype") == "ResourceNotFoundException"
    assert meta.get("RequestId")


def test_botocore_sees_request_id(idp, pool):
    assert idp.describe_user_pool(UserPoolId=pool["Id"])["ResponseMetadata"].get("RequestId")


def test_unsigned_admin_call_is_an_awsjson_error(pool, client):
    resp = _post("DeleteUserPoolClient", {"UserPoolId": pool["Id"], "ClientId": client["ClientId"]})
    _assert_error(resp, lambda t: t == "MissingAuthenticationTokenException", statuses=(400, 403))


def test_empty_output_is_empty_object(anon_idp, confirmed_user):
    access = tokens(anon_idp, confirmed_user)["AccessToken"]
    resp = _post("GlobalSignOut", {"AccessToken": access})
    assert resp.status_code == 200, resp.text
    # Operations with no output members return {} (wire-protocol.md §1).
    assert resp.json() == {}
    assert resp.headers.get("x-amzn-RequestId")


def test_unknown_operation():
    resp = _post("NoSuchOperation", {})
    _assert_error(resp, lambda t: "UnknownOperation" in t)


def test_malformed_json(client):
    resp = _post("SignUp", b'{"ClientId": "' + client["ClientId"].encode() + b'", ')
    _assert_error(resp, lambda t: t == "SerializationException")


def test_body_not_an_object(client):
    resp = _post("SignUp", b"[1, 2, 3]")
    _assert_error(resp, lambda t: t in ("SerializationException", "InvalidParameterException"))


def test_oversized_body(client):
    pad = "a" * (1024 * 1024 + 1024)
    body = json.dumps({"ClientId": client["ClientId"], "Username": unique("user"), "Password": PASSWORD,
                       "ClientMetadata": {"pad": pad}})
    try:
        resp = _post("SignUp", body)
    except requests.exceptions.ConnectionError:
        # The server may answer 413 and close before reading the whole body; the client then sees a
        # reset. The refusal is what matters; the server must still be up.
        resp = None
    if resp is not None:
        assert resp.status_code in (400, 413), resp.status_code
    assert requests.get(f"{ENDPOINT}/health", timeout=10).status_code == 200


def test_unknown_members_are_ignored(client):
    # Newer SDKs send newer fields (wire-protocol.md §1).
    resp = _post("SignUp", {"ClientId": client["ClientId"], "Username": unique("user"), "Password": PASSWORD,
                            "UserAttributes": [{"Name": "email", "Value": "u@example.com"}],
                            "SomeFutureMember": {"x": 1}})
    assert resp.status_code == 200, resp.text


def test_missing_required_member(client):
    resp = _post("SignUp", {"ClientId": client["ClientId"], "Password": PASSWORD})
    _assert_error(resp, lambda t: t == "InvalidParameterException")


def test_health():
    resp = requests.get(f"{ENDPOINT}/health", timeout=10)
    assert resp.status_code == 200

