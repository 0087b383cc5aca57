"""PreTokenGeneration V1_0 and V2_0 through a real hook (spec/triggers.md, spec/tokens.md §8): claims
added, overridden and suppressed, groups and scopes overridden, for every source Postern issues tokens
from — Authentication, NewPasswordChallenge and RefreshTokens. The `scripted` fixture records the event
it received and answers with the response the test passes in ClientMetadata."""
import json
import os
import subprocess

from support import PASSWORD, OTHER_PASSWORD, POSTERN_BIN, REPO_ROOT, claims, expect_error, unique

SCRIPTED = "arn:aws:lambda:us-east-1:123456789012:function:scripted"


def received(pool_id, username, source):
    with open(f"/tmp/postern-hook-events/{pool_id}-{username}.{source}.json") as f:
        return json.load(f)


def user_in(idp, pool_factory, client_factory, lambda_config, temporary=False):
    pool = pool_factory(LambdaConfig=lambda_config)
    client = client_factory(pool_id=pool["Id"])
    username = unique("tok")
    idp.admin_create_user(UserPoolId=pool["Id"], Username=username, MessageAction="SUPPRESS", TemporaryPassword=PASSWORD,
                          UserAttributes=[{"Name": "email", "Value": f"{username}@example.com"},
                                          {"Name": "email_verified", "Value": "true"}])
    if not temporary:
        idp.admin_set_user_password(UserPoolId=pool["Id"], Username=username, Password=PASSWORD, Permanent=True)
    return pool, client, username


def sign_in(anon_idp, client, username, answer):
    return anon_idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="USER_PASSWORD_AUTH",
                                  AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD},
                                  ClientMetadata={"answer": json.dumps(answer)})


def events(sub, event_type):
    out = subprocess.run([POSTERN_BIN, "events", "--stream", f"user-{sub}", "--type", event_type], cwd=REPO_ROOT,
                         env=dict(os.environ), capture_output=True, text=True, check=True).stdout
    return [json.loads(line) for line in out.splitlines()]


V1_ANSWER = {"claimsOverrideDetails": {
    "claimsToAddOrOverride": {"tenant": "acme-corp", "email": "shown@example.com", "sub": "forged", "token_use": "access"},
    "claimsToSuppress": ["email_verified", "aud"],
    "groupOverrideDetails": {"groupsToOverride": ["admins", "auditors"], "iamRolesToOverride": ["arn:aws:iam::1:role/a"],
                             "preferredRole": "arn:aws:iam::1:role/a"}}}


def test_v1_changes_the_id_token_claims_and_both_tokens_groups(idp, anon_idp, pool_factory, client_factory):
    pool, client, username = user_in(idp, pool_factory, client_factory, {"PreTokenGeneration": SCRIPTED})
    result = sign_in(anon_idp, client, username, V1_ANSWER)["AuthenticationResult"]
    id_claims, access_claims = claims(result["IdToken"]), claims(result["AccessToken"])
    assert id_claims["tenant"] == "acme-corp"
    assert id_claims["email"] == "shown@example.com", "a V1 hook may override an attribute claim"
    assert "email_verified" not in id_claims
    assert id_claims["aud"] == client["ClientId"] and id_claims["token_use"] == "id", "protected claims are kept"
    assert id_claims["sub"] != "forged"
    assert "tenant" not in access_claims, "V1 changes only the ID token's claims"
    for token in (id_claims, access_claims):
        assert token["cognito:groups"] == ["admins", "auditors"]
        assert token["cognito:roles"] == ["arn:aws:iam::1:role/a"]
        assert token["cognito:preferred_role"] == "arn:aws:iam::1:role/a"
    # The overridden tokens still work against the API.
    assert anon_idp.get_user(AccessToken=result["AccessToken"])["Username"] == username

    event = received(pool["Id"], username, "TokenGeneration_Authentication")
    assert event["version"] == "1"
    assert event["callerContext"]["clientId"] == client["ClientId"]
    assert event["request"]["groupConfiguration"] == {"groupsToOverride": [], "iamRolesToOverride": [], "preferredRole": None}
    assert event["request"]["userAttributes"]["email"] == f"{username}@example.com"
    assert event["request"]["userAttributes"]["cognito:user_status"] == "CONFIRMED"
    assert "scopes" not in event["request"]


def test_v1_is_used_when_the_config_says_v1_0(idp, anon_idp, pool_factory, client_factory):
    config = {"PreTokenGenerationConfig": {"LambdaVersion": "V1_0", "LambdaArn": SCRIPTED}}
    pool, client, username = user_in(idp, pool_factory, client_factory, config)
    result = sign_in(anon_idp, client, username, V1_ANSWER)["AuthenticationResult"]
    assert claims(result["IdToken"])["tenant"] == "acme-corp"
    assert received(pool["Id"], username, "TokenGeneration_Authentication")["version"] == "1"


V2_ANSWER = {"claimsAndScopeOverrideDetails": {
    "idTokenGeneration": {"claimsToAddOrOverride": {"tier": 3, "flags": {"beta": True}, "regions": ["eu", "us"]},
                          "claimsToSuppress": ["email"]},
    "accessTokenGeneration": {"claimsToAddOrOverride": {"tenant": "acme-corp", "dropped": "x", "client_id": "forged"},
                              "claimsToSuppress": ["dropped"],
                              "scopesToAdd": ["orders/read", "orders/write"], "scopesToSuppress": ["orders/write"]}}}


def test_v2_changes_both_tokens_claims_with_json_values_and_the_access_scopes(idp, anon_idp, pool_factory, client_factory):
    config = {"PreTokenGenerationConfig": {"LambdaVersion": "V2_0", "LambdaArn": SCRIPTED}}
    pool, client, username = user_in(idp, pool_factory, client_factory, config)
    assert idp.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]["LambdaConfig"] == config
    result = sign_in(anon_idp, client, username, V2_ANSWER)["AuthenticationResult"]
    id_claims, access_claims = claims(result["IdToken"]), claims(result["AccessToken"])
    assert id_claims["tier"] == 3 and id_claims["flags"] == {"beta": True} and id_claims["regions"] == ["eu", "us"]
    assert "email" not in id_claims
    assert access_claims["tenant"] == "acme-corp"
    assert "dropped" not in access_claims, "suppression beats addition"
    assert access_claims["client_id"] == client["ClientId"], "client_id is protected"
    assert access_claims["scope"].split(" ") == ["aws.cognito.signin.user.admin", "orders/read"]
    assert "cognito:groups" not in id_claims, "no groupOverrideDetails keeps the (empty) groups"

    event = received(pool["Id"], username, "TokenGeneration_Authentication")
    assert event["version"] == "2"
    assert event["request"]["scopes"] == ["aws.cognito.signin.user.admin"]
    assert event["response"] == {"claimsAndScopeOverrideDetails": None}, "response arrives with neutral defaults"


def test_suppressing_the_admin_scope_yields_a_token_the_user_api_refuses(idp, anon_idp, pool_factory, client_factory):
    config = {"PreTokenGenerationConfig": {"LambdaVersion": "V2_0", "LambdaArn": SCRIPTED}}
    pool, client, username = user_in(idp, pool_factory, client_factory, config)
    answer = {"claimsAndScopeOverrideDetails": {"accessTokenGeneration": {
        "scopesToAdd": ["reports/read"], "scopesToSuppress": ["aws.cognito.signin.user.admin"]}}}
    result = sign_in(anon_idp, client, username, answer)["AuthenticationResult"]
    assert claims(result["AccessToken"])["scope"] == "reports/read"
    with expect_error("NotAuthorizedException", "Access Token does not have required scopes"):
        anon_idp.get_user(AccessToken=result["AccessToken"])


def test_refresh_runs_the_hook_with_the_refresh_source(idp, anon_idp, pool_factory, client_factory):
    pool, client, username = user_in(idp, pool_factory, client_factory, {"PreTokenGeneration": SCRIPTED})
    first = sign_in(anon_idp, client, username, V1_ANSWER)["AuthenticationResult"]
    answer = {"claimsOverrideDetails": {"claimsToAddOrOverride": {"tenant": "refreshed"}}}
    again = anon_idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="REFRESH_TOKEN_AUTH",
                                   AuthParameters={"REFRESH_TOKEN": first["RefreshToken"]},
                                   ClientMetadata={"answer": json.dumps(answer)})["AuthenticationResult"]
    assert claims(again["IdToken"])["tenant"] == "refreshed"
    assert "cognito:groups" not in claims(again["IdToken"])
    event = received(pool["Id"], username, "TokenGeneration_RefreshTokens")
    assert event["request"]["clientMetadata"] == {"answer": json.dumps(answer)}
    sub = claims(again["IdToken"])["sub"]
    [refreshed] = events(sub, "TokensRefreshed")
    assert [h["triggerSource"] for h in refreshed["data"]["hooks"]] == ["TokenGeneration_RefreshTokens"]


def test_the_new_password_challenge_runs_the_hook_with_its_source(idp, anon_idp, pool_factory, client_factory):
    pool, client, username = user_in(idp, pool_factory, client_factory, {"PreTokenGeneration": SCRIPTED}, temporary=True)
    challenge = sign_in(anon_idp, client, username, V1_ANSWER)
    assert challenge["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    answer = {"claimsOverrideDetails": {"claimsToAddOrOverride": {"first_login": "true"}}}
    result = anon_idp.respond_to_auth_challenge(
        ClientId=client["ClientId"], ChallengeName="NEW_PASSWORD_REQUIRED", Session=challenge["Session"],
        ChallengeResponses={"USERNAME": username, "NEW_PASSWORD": OTHER_PASSWORD},
        ClientMetadata={"answer": json.dumps(answer)})["AuthenticationResult"]
    assert claims(result["IdToken"])["first_login"] == "true"
    assert received(pool["Id"], username, "TokenGeneration_NewPasswordChallenge")["request"]["userAttributes"]["cognito:user_status"] \
        == "CONFIRMED", "the new password is set before the tokens are made"


def test_the_decision_is_recorded_by_name_with_values_sealed(idp, anon_idp, pool_factory, client_factory):
    pool, client, username = user_in(idp, pool_factory, client_factory, {"PreTokenGeneration": SCRIPTED})
    result = sign_in(anon_idp, client, username, V1_ANSWER)["AuthenticationResult"]
    [succeeded] = events(claims(result["IdToken"])["sub"], "SignInSucceeded")
    [hook] = succeeded["data"]["hooks"]
    assert hook["function"] == "scripted" and hook["triggerSource"] == "TokenGeneration_Authentication" and hook["outcome"] == "ok"
    assert hook["decision"] == {"idClaimsAddedOrOverridden": ["email", "sub", "tenant", "token_use"],
                                "idClaimsSuppressed": ["aud", "email_verified"], "groupsOverridden": True}
    assert hook["sealedDecision"]
    assert "acme-corp" not in json.dumps(succeeded), "claim values stay sealed in the log"


def test_ill_typed_v1_claims_are_an_invalid_lambda_response_and_nothing_is_recorded(idp, anon_idp, pool_factory, client_factory):
    pool, client, username = user_in(idp, pool_factory, client_factory, {"PreTokenGeneration": SCRIPTED})
    with expect_error("InvalidLambdaResponseException"):
        sign_in(anon_idp, client, username, {"claimsOverrideDetails": {"claimsToAddOrOverride": {"tier": 3}}})
    sub = received(pool["Id"], username, "TokenGeneration_Authentication")["request"]["userAttributes"]["sub"]
    assert events(sub, "SignInSucceeded") == []


def test_a_rejection_denies_the_sign_in(idp, anon_idp, pool_factory, client_factory):
    pool, client, username = user_in(idp, pool_factory, client_factory, {"PreTokenGeneration": SCRIPTED})
    with expect_error("UserLambdaValidationException", "PreTokenGeneration failed with error Tenant suspended."):
        anon_idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="USER_PASSWORD_AUTH",
                               AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD},
                               ClientMetadata={"reject": "Tenant suspended"})
