"""Every synchronous trigger, driven through boto3, with a hook that refuses, crashes, prints garbage,
times out or does not exist (spec/triggers.md §2): the caller sees Cognito's error, and a failing
pre-trigger leaves nothing behind — no user, no sign-in, no challenge."""
import json
import os
import subprocess

import pytest

from support import ALL_FLOWS, PASSWORD, POSTERN_BIN, REPO_ROOT, expect_error, unique

ARN = "arn:aws:lambda:us-east-1:123456789012:function:"
FAULTS = {
    "reject": ("scripted", "UserLambdaValidationException", "{trigger} failed with error Refused by policy."),
    "crash": ("presignup-crash", "UnexpectedLambdaException", None),
    "garbage": ("presignup-garbage", "InvalidLambdaResponseException", None),
    "timeout": ("presignup-slow", "UnexpectedLambdaException", "{trigger} invocation failed due to error TimeoutError."),
    "missing": ("no-such-hook", "UnexpectedLambdaException", "{trigger} invocation failed due to error ResourceNotFoundException."),
}
REFUSE = {"reject": "Refused by policy"}
CHALLENGE = {"answer": json.dumps({"challengeName": "CUSTOM_CHALLENGE", "publicChallengeParameters": {"q": "?"}})}


def events(stream, event_type):
    out = subprocess.run([POSTERN_BIN, "events", "--stream", stream, "--type", event_type], cwd=REPO_ROOT,
                         env=dict(os.environ), capture_output=True, text=True, check=True).stdout
    return [json.loads(line) for line in out.splitlines()]


class Setup:
    def __init__(self, idp, anon_idp, pool_factory, client_factory, lambda_config, existing_user=True, prefix="f"):
        self.idp, self.anon = idp, anon_idp
        self.pool = pool_factory(LambdaConfig=lambda_config, AutoVerifiedAttributes=["email"])
        self.client = client_factory(pool_id=self.pool["Id"], ExplicitAuthFlows=ALL_FLOWS + ["ALLOW_CUSTOM_AUTH"])
        self.username = unique(prefix)
        self.sub = None
        if existing_user:
            user = idp.admin_create_user(UserPoolId=self.pool["Id"], Username=self.username, MessageAction="SUPPRESS",
                                         UserAttributes=[{"Name": "email", "Value": f"{self.username}@example.com"}])["User"]
            self.sub = {a["Name"]: a["Value"] for a in user["Attributes"]}["sub"]
            idp.admin_set_user_password(UserPoolId=self.pool["Id"], Username=self.username, Password=PASSWORD, Permanent=True)

    def sign_in(self, metadata):
        return self.anon.initiate_auth(ClientId=self.client["ClientId"], AuthFlow="USER_PASSWORD_AUTH", ClientMetadata=metadata,
                                       AuthParameters={"USERNAME": self.username, "PASSWORD": PASSWORD})

    def custom(self, metadata):
        return self.anon.initiate_auth(ClientId=self.client["ClientId"], AuthFlow="CUSTOM_AUTH", ClientMetadata=metadata,
                                       AuthParameters={"USERNAME": self.username})

    def user_exists(self):
        try:
            self.idp.admin_get_user(UserPoolId=self.pool["Id"], Username=self.username)
            return True
        except self.idp.exceptions.UserNotFoundException:
            return False


def sign_up(setup, metadata):
    setup.anon.sign_up(ClientId=setup.client["ClientId"], Username=setup.username, Password=PASSWORD, ClientMetadata=metadata,
                       UserAttributes=[{"Name": "email", "Value": f"{setup.username}@example.com"}])


# trigger -> (LambdaConfig besides the faulty function, whether the user exists, the call, what must not exist afterwards)
CASES = {
    "PreSignUp": ({}, False, sign_up, lambda s: not s.user_exists()),
    "CustomMessage": ({}, False, sign_up, lambda s: not s.user_exists()),
    "UserMigration": ({}, False, Setup.sign_in, lambda s: not s.user_exists()),
    "PreAuthentication": ({}, True, Setup.sign_in, lambda s: events(f"user-{s.sub}", "SignInSucceeded") == []),
    "PostAuthentication": ({}, True, Setup.sign_in, lambda s: events(f"user-{s.sub}", "SignInSucceeded") == []),
    "PreTokenGeneration": ({}, True, Setup.sign_in, lambda s: events(f"user-{s.sub}", "SignInSucceeded") == []),
    "DefineAuthChallenge": ({"CreateAuthChallenge": ARN + "scripted", "VerifyAuthChallengeResponse": ARN + "scripted"}, True,
                            Setup.custom, lambda s: events(f"user-{s.sub}", "ChallengeIssued") == []),
    "CreateAuthChallenge": ({"DefineAuthChallenge": ARN + "custom-auth-otp", "VerifyAuthChallengeResponse": ARN + "custom-auth-otp"}, True,
                            Setup.custom, lambda s: events(f"user-{s.sub}", "ChallengeIssued") == []),
}


@pytest.mark.parametrize("fault", list(FAULTS))
@pytest.mark.parametrize("trigger", list(CASES))
def test_a_failing_pre_trigger_fails_the_call_and_changes_nothing(idp, anon_idp, pool_factory, client_factory, trigger, fault):
    function, error, message = FAULTS[fault]
    extra, existing, call, untouched = CASES[trigger]
    prefix = "f"
    if (trigger, fault) == ("PostAuthentication", "reject"):
        # PostAuthentication gets no ClientMetadata from InitiateAuth: `auth-gate` refuses "blocked…" emails instead.
        function, message, prefix = "auth-gate", "{trigger} failed with error Sign-in blocked by policy.", "blocked"
    setup = Setup(idp, anon_idp, pool_factory, client_factory, {trigger: ARN + function, **extra}, existing, prefix)
    metadata = {}
    if fault == "reject":
        metadata.update(REFUSE)
    with expect_error(error, message.format(trigger=trigger) if message else None):
        call(setup, metadata)
    assert untouched(setup)


@pytest.mark.parametrize("fault", list(FAULTS))
def test_a_failing_verify_hook_fails_the_answer_and_keeps_the_session_unused(idp, anon_idp, pool_factory, client_factory, fault):
    function, error, message = FAULTS[fault]
    config = {"DefineAuthChallenge": ARN + "scripted", "CreateAuthChallenge": ARN + "scripted",
              "VerifyAuthChallengeResponse": ARN + function}
    setup = Setup(idp, anon_idp, pool_factory, client_factory, config)
    challenge = setup.custom(CHALLENGE)
    with expect_error(error, message.format(trigger="VerifyAuthChallengeResponse") if message else None):
        anon_idp.respond_to_auth_challenge(ClientId=setup.client["ClientId"], ChallengeName="CUSTOM_CHALLENGE",
                                           Session=challenge["Session"], ClientMetadata=REFUSE,
                                           ChallengeResponses={"USERNAME": setup.username, "ANSWER": "x"})
    assert events(f"user-{setup.sub}", "ChallengeAnswered") == []


@pytest.mark.parametrize("fault", list(FAULTS))
def test_a_failing_post_confirmation_hook_reaches_the_caller_but_the_user_stays_confirmed(
        idp, anon_idp, pool_factory, client_factory, fault):
    function, error, message = FAULTS[fault]
    setup = Setup(idp, anon_idp, pool_factory, client_factory, {"PostConfirmation": ARN + function}, existing_user=False)
    sign_up(setup, {})
    with expect_error(error, message.format(trigger="PostConfirmation") if message else None):
        idp.admin_confirm_sign_up(UserPoolId=setup.pool["Id"], Username=setup.username, ClientMetadata=REFUSE)
    assert idp.admin_get_user(UserPoolId=setup.pool["Id"], Username=setup.username)["UserStatus"] == "CONFIRMED"
