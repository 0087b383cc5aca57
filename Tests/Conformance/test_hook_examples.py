"""The shipped examples (plugins/examples, unmodified Lambda handlers run by the shims) against the live
server, in spawn and worker mode: the PreSignUp allow-list, the PostConfirmation file append and
PreTokenGeneration claims from a JSON file. (UserMigration and CUSTOM_AUTH examples: see
test_user_migration.py and test_custom_auth.py.)"""
import json
import os

import pytest

from support import PASSWORD, claims, expect_error, unique

ARN = "arn:aws:lambda:us-east-1:123456789012:function:"


@pytest.mark.parametrize("function", ["example-allowlist", "example-allowlist-worker"])
def test_the_allow_list_auto_confirms_allowed_domains_and_refuses_others(idp, anon_idp, pool_factory, client_factory, function):
    pool = pool_factory(LambdaConfig={"PreSignUp": ARN + function})
    client = client_factory(pool_id=pool["Id"])
    for _ in range(3):  # several calls: a worker serves them all
        username = unique("ok")
        result = anon_idp.sign_up(ClientId=client["ClientId"], Username=username, Password=PASSWORD,
                                  UserAttributes=[{"Name": "email", "Value": f"{username}@example.com"}])
        assert result["UserConfirmed"] is True
    user = idp.admin_get_user(UserPoolId=pool["Id"], Username=username)
    assert {a["Name"]: a["Value"] for a in user["UserAttributes"]}["email_verified"] == "true"
    with expect_error("UserLambdaValidationException", "PreSignUp failed with error Email domain evil.test is not allowed."):
        anon_idp.sign_up(ClientId=client["ClientId"], Username=unique("no"), Password=PASSWORD,
                         UserAttributes=[{"Name": "email", "Value": "mallory@evil.test"}])


def test_confirmations_are_appended_to_a_file(idp, anon_idp, pool_factory, client_factory):
    pool = pool_factory(LambdaConfig={"PostConfirmation": ARN + "example-confirmations"})
    client = client_factory(pool_id=pool["Id"])
    username = unique("conf")
    sub = anon_idp.sign_up(ClientId=client["ClientId"], Username=username, Password=PASSWORD,
                           UserAttributes=[{"Name": "email", "Value": f"{username}@example.com"}])["UserSub"]
    idp.admin_confirm_sign_up(UserPoolId=pool["Id"], Username=username)
    with open("/tmp/postern-confirmations.jsonl") as f:
        lines = [json.loads(line) for line in f if username in line]
    assert len(lines) == 1
    assert lines[0]["sub"] == sub and lines[0]["email"] == f"{username}@example.com"
    assert lines[0]["triggerSource"] == "PostConfirmation_ConfirmSignUp" and lines[0]["userPoolId"] == pool["Id"]


@pytest.mark.parametrize("version", ["V1_0", "V2_0"])
def test_claims_come_from_the_rules_file(idp, anon_idp, pool_factory, client_factory, version):
    username = unique("claims")
    rules = {"users": {username: {"claims": {"department": "engineering", "clearance": 3}, "groups": ["staff"],
                                  "scopesToAdd": ["reports/read"]}},
             "default": {"claims": {"department": "general"}}}
    with open("/tmp/postern-claims.json", "w") as f:
        json.dump(rules, f)
    pool = pool_factory(LambdaConfig={"PreTokenGenerationConfig": {"LambdaVersion": version, "LambdaArn": ARN + "example-claims"}})
    client = client_factory(pool_id=pool["Id"])
    idp.admin_create_user(UserPoolId=pool["Id"], Username=username, MessageAction="SUPPRESS")
    idp.admin_set_user_password(UserPoolId=pool["Id"], Username=username, Password=PASSWORD, Permanent=True)
    tokens = anon_idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="USER_PASSWORD_AUTH",
                                    AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD})["AuthenticationResult"]
    id_claims, access_claims = claims(tokens["IdToken"]), claims(tokens["AccessToken"])
    assert id_claims["department"] == "engineering"
    assert id_claims["cognito:groups"] == ["staff"] and access_claims["cognito:groups"] == ["staff"]
    if version == "V1_0":
        assert id_claims["clearance"] == "3", "V1 claim values are strings"
        assert "reports/read" not in access_claims["scope"]
    else:
        assert id_claims["clearance"] == 3
        assert access_claims["department"] == "engineering"
        assert access_claims["scope"].split() == ["aws.cognito.signin.user.admin", "reports/read"]
