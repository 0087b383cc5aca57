"""Regenerates sigv4_botocore.json: requests signed by real botocore (cognito-idp, awsJson 1.1).

Run: python3 sigv4_botocore.py > sigv4_botocore.json
Each request goes through a real botocore client; a before-send hook captures the signed request and
answers it locally, so nothing leaves the machine. urllib3 adds the Host header on the wire, so it is
added here from the endpoint URL. The clock is pinned so the fixture is stable.
"""
import datetime
import json
from unittest import mock

import botocore.session
from botocore.awsrequest import AWSResponse

ENDPOINT = "http://localhost:9229"
HOST = "localhost:9229"
NOW = datetime.datetime(2026, 11, 26, 12, 0, 0)
ACCESS_KEY, SECRET_KEY, TOKEN = "AKIDPOSTERNEXAMPLE", "postern/Example+Secret/Key0123456789abcd", "FwoGZXIvYXdzEExampleSessionToken=="


class _Headers(dict):
    def get_all(self, name, default=None):
        return default


def capture(calls, session_token=None):
    session = botocore.session.get_session()
    client = session.create_client(
        "cognito-idp", region_name="us-east-1", endpoint_url=ENDPOINT,
        aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY, aws_session_token=session_token)
    captured = []

    def before_send(request, **_):
        body = request.body or b""
        captured.append({
            "method": request.method,
            "path": "/",
            "query": "",
            "headers": [["Host", HOST]] + [[k, v.decode() if isinstance(v, bytes) else v]
                                            for k, v in request.headers.items()],
            "body": body.decode() if isinstance(body, bytes) else body,
        })
        return AWSResponse(request.url, 200, _Headers({"Content-Type": "application/x-amz-json-1.1"}), None)

    client.meta.events.register("before-send", before_send)
    with mock.patch("botocore.auth.get_current_datetime", return_value=NOW):
        for name, call in calls:
            try:
                call(client)
            except Exception:
                pass  # the empty fake response may not parse; the signed request is what matters
            captured[-1]["name"] = name
    return captured


requests = capture([
    ("ListUserPools", lambda c: c.list_user_pools(MaxResults=10)),
    ("AdminGetUser", lambda c: c.admin_get_user(UserPoolId="us-east-1_AbCdEfGh1", Username="alice  smith ünïcode")),
])


def sign_raw(name, method, path_and_query, body):
    """Signs a bare AWSRequest with SigV4Auth, for paths and queries the awsJson client never sends."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    request = AWSRequest(method=method, url=ENDPOINT + path_and_query, data=body,
                         headers={"Host": HOST, "Content-Type": "application/x-amz-json-1.1"})
    with mock.patch("botocore.auth.get_current_datetime", return_value=NOW):
        SigV4Auth(Credentials(ACCESS_KEY, SECRET_KEY), "cognito-idp", "us-east-1").add_auth(request)
    path, _, query = path_and_query.partition("?")
    return {"method": method, "path": path, "query": query, "name": name,
            "headers": [[k, v] for k, v in request.headers.items()], "body": body}


requests.append(sign_raw("DotSegmentsAndQuery", "GET", "/a%20b/./c//d/../e%C3%A9?z=1&a=b%20c&a=a&empty=&k%2Fx=%2F", ""))
requests += capture([("ListUsersWithSessionToken", lambda c: c.list_users(UserPoolId="us-east-1_AbCdEfGh1"))],
                    session_token=TOKEN)
print(json.dumps({
    "botocoreVersion": botocore.__version__,
    "accessKeyId": ACCESS_KEY, "secretAccessKey": SECRET_KEY, "sessionToken": TOKEN,
    "region": "us-east-1", "service": "cognito-idp", "amzDate": NOW.strftime("%Y%m%dT%H%M%SZ"),
    "requests": requests,
}, indent=1, ensure_ascii=False))
