"""CUSTOM_AUTH with DefineAuthChallenge, CreateAuthChallenge and VerifyAuthChallengeResponse
(spec/auth-flows.md §9, spec/triggers.md): the session loop through InitiateAuth/RespondToAuthChallenge
and their admin variants, driven by the shipped example (plugins/examples/custom_auth_otp.js, an
unmodified Node Lambda handler run through plugins/shims/node-lambda) and by the `scripted` fixture."""
import json
import os
import subprocess
import time

import pytest

from support import ALL_FLOWS, PASSWORD, POSTERN_BIN, REPO_ROOT, claims, expect_error, unique

OTP = "arn:aws:lambda:us-east-1:123456789012:function:custom-auth-otp"
OTP_WORKER = "arn:aws:lambda:us-east-1:123456789012:function:custom-auth-otp-worker"
SCRIPTED = "arn:aws:lambda:us-east-1:123456789012:function:scripted"
CRASH = "arn:aws:lambda:us-east-1:123456789012:function:presignup-crash"
OTP_OUTBOX = "/tmp/postern-otp-outbox.jsonl"


def custom_pool(idp, pool_factory, client_factory, function=OTP, unknown_users="LEGACY", **config):
    lambda_config = {"DefineAuthChallenge": function, "CreateAuthChallenge": function, "VerifyAuthChallengeResponse": function}
    lambda_config.update(config)
    pool = pool_factory(LambdaConfig=lambda_config)
    client = client_factory(pool_id=pool["Id"], PreventUserExistenceErrors=unknown_users,
                            ExplicitAuthFlows=ALL_FLOWS + ["ALLOW_CUSTOM_AUTH"])
    username = unique("otp")
    idp.admin_create_user(UserPoolId=pool["Id"], Username=username, MessageAction="SUPPRESS",
                          UserAttributes=[{"Name": "email", "Value": f"{username}@example.com"}])
    idp.admin_set_user_password(UserPoolId=pool["Id"], Username=username, Password=PASSWORD, Permanent=True)
    return pool, client, username


def sent_code(username):
    """The code the example 'e-mailed' (appended to its outbox file)."""
    for _ in range(50):
        if os.path.exists(OTP_OUTBOX):
            with open(OTP_OUTBOX) as f:
                codes = [json.loads(line)["code"] for line in f if json.loads(line)["userName"] == username]
            if codes:
                return codes[-1]
        time.sleep(0.05)
    raise AssertionError(f"no code sent to {username}")


def answer(idp_call, client, username, session, code, **extra):
    return idp_call(ClientId=client["ClientId"], ChallengeName="CUSTOM_CHALLENGE", Session=session,
                    ChallengeResponses={"USERNAME": username, "ANSWER": code}, **extra)


def events(stream, event_type):
    out = subprocess.run([POSTERN_BIN, "events", "--stream", stream, "--type", event_type], cwd=REPO_ROOT,
                         env=dict(os.environ), capture_output=True, text=True, check=True).stdout
    return [json.loads(line) for line in out.splitlines()]


@pytest.mark.parametrize("function", [OTP, OTP_WORKER], ids=["spawn", "worker"])
def test_a_one_time_code_challenge_signs_the_user_in(idp, anon_idp, pool_factory, client_factory, function):
    pool, client, username = custom_pool(idp, pool_factory, client_factory, function)
    challenge = anon_idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="CUSTOM_AUTH", AuthParameters={"USERNAME": username})
    assert challenge["ChallengeName"] == "CUSTOM_CHALLENGE"
    assert challenge["ChallengeParameters"] == {"email": f"{username[0]}***@example.com", "USERNAME": username}
    code = sent_code(username)
    result = answer(anon_idp.respond_to_auth_challenge, client, username, challenge["Session"], code)
    tokens = result["AuthenticationResult"]
    assert claims(tokens["IdToken"])["cognito:username"] == username
    assert anon_idp.get_user(AccessToken=tokens["AccessToken"])["Username"] == username

    sub = claims(tokens["IdToken"])["sub"]
    [issued] = events(f"user-{sub}", "ChallengeIssued")
    assert [(h["triggerSource"], h["decision"]) for h in issued["data"]["hooks"]] == [
        ("DefineAuthChallenge_Authentication", {"challengeName": "CUSTOM_CHALLENGE", "issueTokens": False, "failAuthentication": False}),
        ("CreateAuthChallenge_Authentication", {"challengeMetadata": True, "publicChallengeParameters": ["email"],
                                               "privateChallengeParameters": ["answer"]}),
    ]
    # The hook's metadata is its free text: sealed with the user's data key, never in the clear.
    assert issued["data"]["hooks"][1]["sealedDecision"].startswith("v1.")
    assert "OTP-1" not in json.dumps(issued)
    [answered] = events(f"user-{sub}", "ChallengeAnswered")
    assert answered["data"]["correct"] is True
    assert answered["data"]["hooks"][0]["decision"] == {"answerCorrect": True}
    [succeeded] = events(f"user-{sub}", "SignInSucceeded")
    assert succeeded["data"]["flow"] == "CUSTOM_AUTH"
    assert [h["decision"].get("issueTokens") for h in succeeded["data"]["hooks"]] == [True]
    log = json.dumps([issued, answered, succeeded])
    assert code not in log, "the expected answer never reaches the event log"


def test_wrong_answers_get_a_new_challenge_until_the_hook_gives_up(idp, anon_idp, pool_factory, client_factory):
    pool, client, username = custom_pool(idp, pool_factory, client_factory)
    step = anon_idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="CUSTOM_AUTH", AuthParameters={"USERNAME": username})
    for round_number in (1, 2):
        step = answer(anon_idp.respond_to_auth_challenge, client, username, step["Session"], "000000x")
        assert step["ChallengeName"] == "CUSTOM_CHALLENGE", f"round {round_number}: a new challenge"
    with expect_error("NotAuthorizedException", "Incorrect username or password."):
        answer(anon_idp.respond_to_auth_challenge, client, username, step["Session"], "000000x")
    user = idp.admin_get_user(UserPoolId=pool["Id"], Username=username)
    sub = next(a["Value"] for a in user["UserAttributes"] if a["Name"] == "sub")
    [failed] = events(f"user-{sub}", "SignInFailed")
    assert failed["data"]["reason"] == "custom_auth_failed"
    assert failed["data"]["hooks"][-1]["decision"]["failAuthentication"] is True


def test_a_second_round_sees_the_first_in_its_session(idp, anon_idp, pool_factory, client_factory):
    pool, client, username = custom_pool(idp, pool_factory, client_factory)
    first = anon_idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="CUSTOM_AUTH", AuthParameters={"USERNAME": username})
    second = answer(anon_idp.respond_to_auth_challenge, client, username, first["Session"], "wrong")
    result = answer(anon_idp.respond_to_auth_challenge, client, username, second["Session"], sent_code(username))
    assert "AuthenticationResult" in result


def test_a_session_answers_once(idp, anon_idp, pool_factory, client_factory):
    pool, client, username = custom_pool(idp, pool_factory, client_factory)
    challenge = anon_idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="CUSTOM_AUTH", AuthParameters={"USERNAME": username})
    code = sent_code(username)
    answer(anon_idp.respond_to_auth_challenge, client, username, challenge["Session"], code)
    with expect_error("NotAuthorizedException", "Invalid session for the user, session can only be used once."):
        answer(anon_idp.respond_to_auth_challenge, client, username, challenge["Session"], code)


def test_the_admin_variants_run_the_same_loop(idp, pool_factory, client_factory):
    pool, client, username = custom_pool(idp, pool_factory, client_factory)
    challenge = idp.admin_initiate_auth(UserPoolId=pool["Id"], ClientId=client["ClientId"], AuthFlow="CUSTOM_AUTH",
                                        AuthParameters={"USERNAME": username})
    assert challenge["ChallengeName"] == "CUSTOM_CHALLENGE"
    result = answer(idp.admin_respond_to_auth_challenge, client, username, challenge["Session"], sent_code(username),
                    UserPoolId=pool["Id"])
    assert claims(result["AuthenticationResult"]["AccessToken"])["username"] == username


def test_an_unknown_user_is_not_found_or_plays_the_loop_under_prevent_user_existence_errors(idp, anon_idp, pool_factory, client_factory):
    pool, client, _ = custom_pool(idp, pool_factory, client_factory)
    with expect_error("UserNotFoundException"):
        anon_idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="CUSTOM_AUTH", AuthParameters={"USERNAME": "nobody-here"})
    pool, client, _ = custom_pool(idp, pool_factory, client_factory, unknown_users="ENABLED")
    # The example's Define fails unknown users, exactly as it fails a user who gave up.
    with expect_error("NotAuthorizedException", "Incorrect username or password."):
        anon_idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="CUSTOM_AUTH", AuthParameters={"USERNAME": "nobody-here"})


def test_an_unknown_user_never_gets_tokens_even_when_the_hooks_say_so(idp, anon_idp, pool_factory, client_factory):
    pool, client, _ = custom_pool(idp, pool_factory, client_factory, SCRIPTED, unknown_users="ENABLED")
    ghost = unique("ghost")
    script = {"answer": json.dumps({"challengeName": "CUSTOM_CHALLENGE", "publicChallengeParameters": {"q": "2+2"},
                                    "privateChallengeParameters": {"a": "4"}})}
    challenge = anon_idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="CUSTOM_AUTH", AuthParameters={"USERNAME": ghost},
                                       ClientMetadata=script)
    assert challenge["ChallengeParameters"] == {"q": "2+2", "USERNAME": ghost}
    with open(f"/tmp/postern-hook-events/{pool['Id']}-{ghost}.DefineAuthChallenge_Authentication.json") as f:
        define = json.load(f)
    assert define["request"]["userNotFound"] is True and define["request"]["userAttributes"] == {}
    accept = {"answer": json.dumps({"issueTokens": True, "answerCorrect": True})}
    with expect_error("NotAuthorizedException", "Incorrect username or password."):
        answer(anon_idp.respond_to_auth_challenge, client, ghost, challenge["Session"], "4", ClientMetadata=accept)


def test_the_events_each_hook_receives(idp, anon_idp, pool_factory, client_factory):
    pool, client, username = custom_pool(idp, pool_factory, client_factory, SCRIPTED)
    script = {"answer": json.dumps({"challengeName": "CUSTOM_CHALLENGE", "publicChallengeParameters": {"q": "2+2"},
                                    "privateChallengeParameters": {"a": "4"}, "challengeMetadata": "QUIZ",
                                    "answerCorrect": False})}
    step = anon_idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="CUSTOM_AUTH", AuthParameters={"USERNAME": username},
                                  ClientMetadata=script)
    step = answer(anon_idp.respond_to_auth_challenge, client, username, step["Session"], "5", ClientMetadata=script)
    step = answer(anon_idp.respond_to_auth_challenge, client, username, step["Session"], "6", ClientMetadata=script)

    def received(source):
        with open(f"/tmp/postern-hook-events/{pool['Id']}-{username}.{source}.json") as f:
            return json.load(f)

    define = received("DefineAuthChallenge_Authentication")
    assert define["request"]["session"] == [
        {"challengeName": "CUSTOM_CHALLENGE", "challengeResult": False, "challengeMetadata": "QUIZ"},
        {"challengeName": "CUSTOM_CHALLENGE", "challengeResult": False, "challengeMetadata": "QUIZ"},
    ]
    assert define["request"]["userNotFound"] is False
    assert define["request"]["userAttributes"]["email"] == f"{username}@example.com"
    assert define["response"] == {"challengeName": None, "issueTokens": False, "failAuthentication": False}
    create = received("CreateAuthChallenge_Authentication")
    assert create["request"]["challengeName"] == "CUSTOM_CHALLENGE" and len(create["request"]["session"]) == 2
    verify = received("VerifyAuthChallengeResponse_Authentication")
    assert verify["request"]["privateChallengeParameters"] == {"a": "4"}
    assert verify["request"]["challengeAnswer"] == "6"
    assert verify["request"]["clientMetadata"] == script
    assert verify["response"] == {"answerCorrect": False}


def test_a_define_hook_that_never_decides_ends_at_the_round_limit(idp, anon_idp, pool_factory, client_factory):
    pool, client, username = custom_pool(idp, pool_factory, client_factory, SCRIPTED)
    script = {"answer": json.dumps({"challengeName": "CUSTOM_CHALLENGE", "answerCorrect": True})}
    step = anon_idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="CUSTOM_AUTH", AuthParameters={"USERNAME": username},
                                  ClientMetadata=script)
    rounds = 0
    with expect_error("NotAuthorizedException", "Incorrect username or password."):
        while True:
            step = answer(anon_idp.respond_to_auth_challenge, client, username, step["Session"], "x", ClientMetadata=script)
            rounds += 1
    assert rounds == 7, "the eighth answer is the last one judged"


def test_custom_auth_needs_the_define_trigger_and_the_client_flow(idp, anon_idp, pool_factory, client_factory):
    pool = pool_factory()
    client = client_factory(pool_id=pool["Id"], ExplicitAuthFlows=ALL_FLOWS + ["ALLOW_CUSTOM_AUTH"])
    with expect_error("InvalidParameterException", "Custom auth lambda trigger is not configured for the user pool."):
        anon_idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="CUSTOM_AUTH", AuthParameters={"USERNAME": "anyone"})
    pool, _, username = custom_pool(idp, pool_factory, client_factory)
    narrow = client_factory(pool_id=pool["Id"], ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    with expect_error("InvalidParameterException", "CUSTOM_AUTH flow not enabled for this client"):
        anon_idp.initiate_auth(ClientId=narrow["ClientId"], AuthFlow="CUSTOM_AUTH", AuthParameters={"USERNAME": username})


@pytest.mark.parametrize("fault,error", [("crash", "UnexpectedLambdaException"), ("garbage", "InvalidLambdaResponseException"),
                                         ("slow", "UnexpectedLambdaException")])
def test_a_broken_define_hook_fails_the_flow_and_records_nothing(idp, anon_idp, pool_factory, client_factory, fault, error):
    broken = f"arn:aws:lambda:us-east-1:123456789012:function:presignup-{fault}"
    pool, client, username = custom_pool(idp, pool_factory, client_factory, OTP, DefineAuthChallenge=broken)
    with expect_error(error):
        anon_idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="CUSTOM_AUTH", AuthParameters={"USERNAME": username})
    user = idp.admin_get_user(UserPoolId=pool["Id"], Username=username)
    sub = next(a["Value"] for a in user["UserAttributes"] if a["Name"] == "sub")
    assert events(f"user-{sub}", "ChallengeIssued") == [] and events(f"user-{sub}", "SignInFailed") == []
