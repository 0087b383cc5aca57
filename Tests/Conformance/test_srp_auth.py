"""USER_SRP_AUTH (spec/auth-flows.md §6, §8): the PASSWORD_VERIFIER challenge, driven by pycognito's
AWSSRP unchanged where it can be, and by its maths with hand-made answers where a test needs to tamper.

What real Cognito does and the tests pin: no Session with PASSWORD_VERIFIER (all state is in
SECRET_BLOCK); USER_ID_FOR_SRP is the internal username even when an alias was typed; an unknown user is
UserNotFoundException at InitiateAuth without PreventUserExistenceErrors, and a plausible challenge and
then "Incorrect username or password." with it; a wrong password, signature, SECRET_BLOCK, a zero-padded
day or a wrong weekday in TIMESTAMP are all NotAuthorized "Incorrect username or password."."""
import base64
import datetime
import hashlib
import hmac
import json
import re
import time

import pytest
from pycognito.aws_srp import AWSSRP, hex_to_long

from support import (
    ALL_FLOWS,
    OTHER_PASSWORD,
    PASSWORD,
    claims,
    expect_error,
    log_events,
    secret_hash,
    sign_up,
    unique,
)

SCRIPTED = "arn:aws:lambda:us-east-1:123456789012:function:scripted"
HEX = re.compile(r"^[0-9a-f]+$")
UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


def srp(idp, pool_id, client, username, password=PASSWORD):
    return AWSSRP(username=username, password=password, pool_id=pool_id, client_id=client["ClientId"], client=idp,
                  client_secret=client.get("ClientSecret"))


def initiate(idp, aws, admin=False, **extra):
    params = aws.get_auth_params()
    if admin:
        return params, idp.admin_initiate_auth(UserPoolId=aws.pool_id, ClientId=aws.client_id, AuthFlow="USER_SRP_AUTH",
                                               AuthParameters=params, **extra)
    return params, idp.initiate_auth(ClientId=aws.client_id, AuthFlow="USER_SRP_AUTH", AuthParameters=params, **extra)


def timestamp(moment):
    return f"{moment:%a} {moment:%b} {moment.day} {moment:%H:%M:%S} UTC {moment.year}"


def claim(aws, parameters, *, at=None, stamp=None, block=None):
    """ChallengeResponses for PASSWORD_VERIFIER, signed as pycognito signs them, with the TIMESTAMP or
    SECRET_BLOCK replaced when a test wants to."""
    user_id = parameters["USER_ID_FOR_SRP"]
    key = aws.get_password_authentication_key(user_id, aws.password, hex_to_long(parameters["SRP_B"]), parameters["SALT"])
    stamp = stamp or timestamp(at or datetime.datetime.now(datetime.timezone.utc))
    block = block or parameters["SECRET_BLOCK"]
    message = (aws.pool_id.split("_")[1].encode() + user_id.encode() + base64.standard_b64decode(block) + stamp.encode())
    signature = base64.standard_b64encode(hmac.new(key, message, hashlib.sha256).digest()).decode()
    responses = {"USERNAME": parameters["USERNAME"], "PASSWORD_CLAIM_SECRET_BLOCK": block,
                 "PASSWORD_CLAIM_SIGNATURE": signature, "TIMESTAMP": stamp}
    if aws.client_secret:
        responses["SECRET_HASH"] = secret_hash(parameters["USERNAME"], aws.client_id, aws.client_secret)
    return responses


def respond(idp, aws, responses, admin=False, **extra):
    if admin:
        return idp.admin_respond_to_auth_challenge(UserPoolId=aws.pool_id, ClientId=aws.client_id, ChallengeName="PASSWORD_VERIFIER",
                                                   ChallengeResponses=responses, **extra)
    return idp.respond_to_auth_challenge(ClientId=aws.client_id, ChallengeName="PASSWORD_VERIFIER", ChallengeResponses=responses,
                                         **extra)


@pytest.fixture
def user(idp, anon_idp, pool, client):
    signed_up = sign_up(anon_idp, pool["Id"], client)
    idp.admin_confirm_sign_up(UserPoolId=pool["Id"], Username=signed_up.username)
    return signed_up


def test_pycognito_signs_in_with_srp_and_the_tokens_are_the_users(anon_idp, pool, client, user):
    tokens = srp(anon_idp, pool["Id"], client, user.username).authenticate_user()["AuthenticationResult"]
    id_claims = claims(tokens["IdToken"])
    assert id_claims["sub"] == user.sub and id_claims["cognito:username"] == user.username
    assert anon_idp.get_user(AccessToken=tokens["AccessToken"])["Username"] == user.username
    assert tokens["RefreshToken"]

    stream = f"user-{user.sub}"
    [issued] = log_events(stream, "ChallengeIssued")
    [answered] = log_events(stream, "ChallengeAnswered")
    [succeeded] = log_events(stream, "SignInSucceeded")
    assert issued["data"]["challengeName"] == answered["data"]["challengeName"] == "PASSWORD_VERIFIER"
    assert issued["data"]["sessionId"] == answered["data"]["sessionId"] and answered["data"]["correct"] is True
    assert succeeded["data"]["flow"] == "USER_SRP_AUTH"


def test_the_challenge_has_cognitos_parameters_and_no_session(anon_idp, pool, client, user):
    _, challenge = initiate(anon_idp, srp(anon_idp, pool["Id"], client, user.username))
    assert challenge["ChallengeName"] == "PASSWORD_VERIFIER"
    assert "Session" not in challenge
    parameters = challenge["ChallengeParameters"]
    assert set(parameters) == {"SALT", "SRP_B", "SECRET_BLOCK", "USERNAME", "USER_ID_FOR_SRP"}
    assert parameters["USERNAME"] == parameters["USER_ID_FOR_SRP"] == user.username
    assert HEX.match(parameters["SALT"]) and HEX.match(parameters["SRP_B"])
    assert len(base64.standard_b64decode(parameters["SECRET_BLOCK"])) > 64
    # B is fresh every time; the salt is the user's.
    _, again = initiate(anon_idp, srp(anon_idp, pool["Id"], client, user.username))
    assert again["ChallengeParameters"]["SRP_B"] != parameters["SRP_B"]
    assert again["ChallengeParameters"]["SALT"] == parameters["SALT"]


def test_a_client_with_a_secret(idp, anon_idp, pool, secret_client):
    user = sign_up(anon_idp, pool["Id"], secret_client)
    idp.admin_confirm_sign_up(UserPoolId=pool["Id"], Username=user.username)
    tokens = srp(anon_idp, pool["Id"], secret_client, user.username).authenticate_user()["AuthenticationResult"]
    assert claims(tokens["AccessToken"])["client_id"] == secret_client["ClientId"]

    aws = srp(anon_idp, pool["Id"], secret_client, user.username)
    params = {"USERNAME": user.username, "SRP_A": format(aws.large_a_value, "x")}
    with expect_error("NotAuthorizedException", f"Unable to verify secret hash for client {secret_client['ClientId']}"):
        anon_idp.initiate_auth(ClientId=secret_client["ClientId"], AuthFlow="USER_SRP_AUTH", AuthParameters=params)
    _, challenge = initiate(anon_idp, aws)
    responses = claim(aws, challenge["ChallengeParameters"])
    responses["SECRET_HASH"] = secret_hash(user.username, secret_client["ClientId"], "wrong")
    with expect_error("NotAuthorizedException", f"Unable to verify secret hash for client {secret_client['ClientId']}"):
        respond(anon_idp, aws, responses)


def test_the_admin_variants(idp, pool, client, user):
    aws = srp(idp, pool["Id"], client, user.username)
    _, challenge = initiate(idp, aws, admin=True)
    assert challenge["ChallengeName"] == "PASSWORD_VERIFIER"
    result = respond(idp, aws, claim(aws, challenge["ChallengeParameters"]), admin=True)
    assert claims(result["AuthenticationResult"]["IdToken"])["sub"] == user.sub


def test_a_wrong_password_is_incorrect_and_recorded(anon_idp, pool, client, user):
    with expect_error("NotAuthorizedException", "Incorrect username or password."):
        srp(anon_idp, pool["Id"], client, user.username, password=OTHER_PASSWORD).authenticate_user()
    [failed] = log_events(f"user-{user.sub}", "SignInFailed")
    assert failed["data"]["reason"] == "incorrect_password" and failed["data"]["flow"] == "USER_SRP_AUTH"
    assert failed["data"]["failedAttempts"] == 1
    [answered] = log_events(f"user-{user.sub}", "ChallengeAnswered")
    assert answered["data"]["correct"] is False


@pytest.mark.parametrize("change", ["signature", "block", "padded-day", "weekday", "stale", "future"])
def test_a_tampered_or_stale_claim_is_incorrect(anon_idp, pool, client, user, change):
    aws = srp(anon_idp, pool["Id"], client, user.username)
    _, challenge = initiate(anon_idp, aws)
    parameters = challenge["ChallengeParameters"]
    now = datetime.datetime.now(datetime.timezone.utc)
    if change == "signature":
        responses = claim(aws, parameters)
        responses["PASSWORD_CLAIM_SIGNATURE"] = base64.standard_b64encode(b"\0" * 32).decode()
    elif change == "block":
        raw = bytearray(base64.standard_b64decode(parameters["SECRET_BLOCK"]))
        raw[20] ^= 1
        responses = claim(aws, parameters, block=base64.standard_b64encode(bytes(raw)).decode())
    elif change == "padded-day":
        responses = claim(aws, parameters, stamp=f"{now:%a %b} {now.day:02d} {now:%H:%M:%S} UTC {now.year}"
                          if now.day < 10 else f"{now:%a %b} 0{now.day} {now:%H:%M:%S} UTC {now.year}")
    elif change == "weekday":
        other = (now + datetime.timedelta(days=1)).strftime("%a")
        responses = claim(aws, parameters, stamp=f"{other} {now:%b} {now.day} {now:%H:%M:%S} UTC {now.year}")
    elif change == "stale":
        responses = claim(aws, parameters, at=now - datetime.timedelta(minutes=10))
    else:
        responses = claim(aws, parameters, at=now + datetime.timedelta(minutes=10))
    with expect_error("NotAuthorizedException", "Incorrect username or password."):
        respond(anon_idp, aws, responses)


def test_a_claim_within_the_clock_tolerance_signs_in(anon_idp, pool, client, user):
    aws = srp(anon_idp, pool["Id"], client, user.username)
    _, challenge = initiate(anon_idp, aws)
    stamp = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=4)
    assert "AuthenticationResult" in respond(anon_idp, aws, claim(aws, challenge["ChallengeParameters"], at=stamp))


def test_a_secret_block_is_single_use_and_bound_to_its_client(anon_idp, pool, client, client_factory, user):
    aws = srp(anon_idp, pool["Id"], client, user.username)
    _, challenge = initiate(anon_idp, aws)
    responses = claim(aws, challenge["ChallengeParameters"])
    other = client_factory()
    with expect_error("NotAuthorizedException", "Invalid session for the user."):
        anon_idp.respond_to_auth_challenge(ClientId=other["ClientId"], ChallengeName="PASSWORD_VERIFIER",
                                           ChallengeResponses=responses)
    assert "AuthenticationResult" in respond(anon_idp, aws, responses)
    with expect_error("NotAuthorizedException", "Invalid session for the user, session can only be used once."):
        respond(anon_idp, aws, responses)
    # A failed answer uses the block up too.
    _, challenge = initiate(anon_idp, aws)
    wrong = claim(aws, challenge["ChallengeParameters"])
    wrong["PASSWORD_CLAIM_SIGNATURE"] = base64.standard_b64encode(b"\1" * 32).decode()
    with expect_error("NotAuthorizedException", "Incorrect username or password."):
        respond(anon_idp, aws, wrong)
    with expect_error("NotAuthorizedException", "Invalid session for the user, session can only be used once."):
        respond(anon_idp, aws, claim(aws, challenge["ChallengeParameters"]))


def test_the_answer_must_name_the_challenged_user(anon_idp, pool, client, user):
    aws = srp(anon_idp, pool["Id"], client, user.username)
    _, challenge = initiate(anon_idp, aws)
    responses = claim(aws, challenge["ChallengeParameters"])
    responses["USERNAME"] = unique("someone-else")
    with expect_error("NotAuthorizedException", "Invalid session for the user."):
        respond(anon_idp, aws, responses)


def test_a_password_changed_since_the_challenge_makes_it_stale(idp, anon_idp, pool, client, user):
    aws = srp(anon_idp, pool["Id"], client, user.username)
    _, challenge = initiate(anon_idp, aws)
    idp.admin_set_user_password(UserPoolId=pool["Id"], Username=user.username, Password=PASSWORD, Permanent=True)
    with expect_error("NotAuthorizedException", "Incorrect username or password."):
        respond(anon_idp, aws, claim(aws, challenge["ChallengeParameters"]))


def test_lockout_counts_srp_and_password_failures_together(anon_idp, pool, client, user):
    for attempt in range(5):
        if attempt % 2:
            with expect_error("NotAuthorizedException", "Incorrect username or password."):
                anon_idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="USER_PASSWORD_AUTH",
                                       AuthParameters={"USERNAME": user.username, "PASSWORD": OTHER_PASSWORD})
        else:
            with expect_error("NotAuthorizedException", "Incorrect username or password."):
                srp(anon_idp, pool["Id"], client, user.username, password=OTHER_PASSWORD).authenticate_user()
    # Locked now: the right password through SRP is refused at the answer, as through USER_PASSWORD_AUTH.
    with expect_error("NotAuthorizedException", "Password attempts exceeded"):
        srp(anon_idp, pool["Id"], client, user.username).authenticate_user()
    with expect_error("NotAuthorizedException", "Password attempts exceeded"):
        anon_idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="USER_PASSWORD_AUTH",
                               AuthParameters={"USERNAME": user.username, "PASSWORD": PASSWORD})
    reasons = [e["data"]["reason"] for e in log_events(f"user-{user.sub}", "SignInFailed")]
    assert reasons == ["incorrect_password"] * 5 + ["locked_out"] * 2


def test_a_verified_alias_signs_in_and_the_user_id_is_the_username(idp, anon_idp, pool_factory, client_factory):
    pool = pool_factory(AliasAttributes=["email"], AutoVerifiedAttributes=["email"])
    client = client_factory(pool_id=pool["Id"])
    user = sign_up(anon_idp, pool["Id"], client)
    idp.admin_confirm_sign_up(UserPoolId=pool["Id"], Username=user.username)
    idp.admin_update_user_attributes(UserPoolId=pool["Id"], Username=user.username,
                                     UserAttributes=[{"Name": "email_verified", "Value": "true"}])
    aws = srp(anon_idp, pool["Id"], client, user.email)
    _, challenge = initiate(anon_idp, aws)
    assert challenge["ChallengeParameters"]["USER_ID_FOR_SRP"] == user.username
    assert challenge["ChallengeParameters"]["USERNAME"] == user.username
    tokens = respond(anon_idp, aws, claim(aws, challenge["ChallengeParameters"]))["AuthenticationResult"]
    assert claims(tokens["IdToken"])["sub"] == user.sub


def test_an_email_as_username_pool_hashes_with_the_internal_username(idp, anon_idp, pool_factory, client_factory):
    pool = pool_factory(UsernameAttributes=["email"], AutoVerifiedAttributes=["email"])
    client = client_factory(pool_id=pool["Id"], PreventUserExistenceErrors="ENABLED")
    email = f"{unique('srp')}@example.com"
    sub = anon_idp.sign_up(ClientId=client["ClientId"], Username=email, Password=PASSWORD,
                           UserAttributes=[{"Name": "email", "Value": email}])["UserSub"]
    idp.admin_confirm_sign_up(UserPoolId=pool["Id"], Username=email)
    _, challenge = initiate(anon_idp, srp(anon_idp, pool["Id"], client, email))
    internal = challenge["ChallengeParameters"]["USER_ID_FOR_SRP"]
    assert UUID4.match(internal) and internal == sub
    tokens = srp(anon_idp, pool["Id"], client, email).authenticate_user()["AuthenticationResult"]
    assert claims(tokens["IdToken"])["email"] == email
    # An unknown email gets a UUID too, the same one each time, and then the usual refusal.
    ghost = f"{unique('ghost')}@example.com"
    _, first = initiate(anon_idp, srp(anon_idp, pool["Id"], client, ghost))
    _, second = initiate(anon_idp, srp(anon_idp, pool["Id"], client, ghost))
    assert UUID4.match(first["ChallengeParameters"]["USER_ID_FOR_SRP"])
    assert first["ChallengeParameters"]["USER_ID_FOR_SRP"] == second["ChallengeParameters"]["USER_ID_FOR_SRP"]
    assert first["ChallengeParameters"]["SALT"] == second["ChallengeParameters"]["SALT"]


def test_an_unknown_user_is_not_found_unless_the_client_hides_existence(anon_idp, pool, client, client_factory, user):
    ghost = unique("ghost")
    with expect_error("UserNotFoundException", "User does not exist."):
        initiate(anon_idp, srp(anon_idp, pool["Id"], client, ghost))

    hidden = client_factory(PreventUserExistenceErrors="ENABLED")
    real = srp(anon_idp, pool["Id"], hidden, user.username)
    _, real_challenge = initiate(anon_idp, real)
    fake = srp(anon_idp, pool["Id"], hidden, ghost)
    _, fake_challenge = initiate(anon_idp, fake)
    _, fake_again = initiate(anon_idp, fake)
    assert fake_challenge["ChallengeName"] == "PASSWORD_VERIFIER" and "Session" not in fake_challenge
    parameters = fake_challenge["ChallengeParameters"]
    assert set(parameters) == set(real_challenge["ChallengeParameters"])
    assert parameters["USERNAME"] == parameters["USER_ID_FOR_SRP"] == ghost
    assert len(parameters["SALT"]) in (32, 34) and HEX.match(parameters["SALT"]) and HEX.match(parameters["SRP_B"])
    assert parameters["SALT"] == fake_again["ChallengeParameters"]["SALT"], "a stable salt, like a real user's"
    assert parameters["SRP_B"] != fake_again["ChallengeParameters"]["SRP_B"]
    # The block is padded: its length must not tell a decoy (no user) from a real user's.
    assert len(parameters["SECRET_BLOCK"]) == len(real_challenge["ChallengeParameters"]["SECRET_BLOCK"])
    with expect_error("NotAuthorizedException", "Incorrect username or password."):
        respond(anon_idp, fake, claim(fake, parameters))
    with expect_error("NotAuthorizedException", "Invalid session for the user, session can only be used once."):
        respond(anon_idp, fake, claim(fake, parameters))


def test_a_temporary_password_proved_by_srp_leads_to_new_password_required(idp, anon_idp, pool, client):
    username = unique("invited")
    idp.admin_create_user(UserPoolId=pool["Id"], Username=username, TemporaryPassword=PASSWORD, MessageAction="SUPPRESS",
                          UserAttributes=[{"Name": "email", "Value": f"{username}@example.com"}])
    aws = srp(anon_idp, pool["Id"], client, username)
    _, challenge = initiate(anon_idp, aws)
    step = respond(anon_idp, aws, claim(aws, challenge["ChallengeParameters"]))
    assert step["ChallengeName"] == "NEW_PASSWORD_REQUIRED" and step["Session"]
    done = anon_idp.respond_to_auth_challenge(ClientId=client["ClientId"], ChallengeName="NEW_PASSWORD_REQUIRED",
                                              Session=step["Session"],
                                              ChallengeResponses={"USERNAME": username, "NEW_PASSWORD": OTHER_PASSWORD})
    assert "AuthenticationResult" in done
    tokens = srp(anon_idp, pool["Id"], client, username, password=OTHER_PASSWORD).authenticate_user()
    assert "AuthenticationResult" in tokens


def test_an_unconfirmed_user_learns_it_only_after_proving_the_password(anon_idp, pool, client):
    user = sign_up(anon_idp, pool["Id"], client)
    aws = srp(anon_idp, pool["Id"], client, user.username)
    _, challenge = initiate(anon_idp, aws)
    with expect_error("UserNotConfirmedException"):
        respond(anon_idp, aws, claim(aws, challenge["ChallengeParameters"]))
    wrong = srp(anon_idp, pool["Id"], client, user.username, password=OTHER_PASSWORD)
    with expect_error("NotAuthorizedException", "Incorrect username or password."):
        wrong.authenticate_user()


def test_bad_requests_change_nothing(anon_idp, pool, client, client_factory, user):
    aws = srp(anon_idp, pool["Id"], client, user.username)
    with expect_error("InvalidParameterException", "Missing required parameter SRP_A"):
        anon_idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="USER_SRP_AUTH", AuthParameters={"USERNAME": user.username})
    n = int("FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD"
            "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
            "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F"
            "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
            "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510"
            "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7"
            "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C"
            "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF", 16)
    for bad in ("0", format(n, "x"), format(2 * n, "x"), "not-hex"):
        with expect_error("InvalidParameterException", "SRP_A is not a valid SRP value."):
            anon_idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="USER_SRP_AUTH",
                                   AuthParameters={"USERNAME": user.username, "SRP_A": bad})
    _, challenge = initiate(anon_idp, aws)
    for missing in ("PASSWORD_CLAIM_SIGNATURE", "PASSWORD_CLAIM_SECRET_BLOCK", "TIMESTAMP", "USERNAME"):
        responses = claim(aws, challenge["ChallengeParameters"])
        del responses[missing]
        with expect_error("InvalidParameterException", f"Missing required parameter {missing}"):
            respond(anon_idp, aws, responses)
    assert log_events(f"user-{user.sub}", "SignInFailed") == []
    # The challenge is still good after all that.
    assert "AuthenticationResult" in respond(anon_idp, aws, claim(aws, challenge["ChallengeParameters"]))

    no_srp = client_factory(ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    with expect_error("InvalidParameterException", "USER_SRP_AUTH flow not enabled for this client"):
        initiate(anon_idp, srp(anon_idp, pool["Id"], no_srp, user.username))


def test_pre_and_post_authentication_run_once_each_around_the_two_requests(idp, anon_idp, pool_factory, client_factory):
    pool = pool_factory(AutoVerifiedAttributes=["email"],
                        LambdaConfig={"PreAuthentication": SCRIPTED, "PostAuthentication": SCRIPTED})
    client = client_factory(pool_id=pool["Id"])
    user = sign_up(anon_idp, pool["Id"], client)
    idp.admin_confirm_sign_up(UserPoolId=pool["Id"], Username=user.username)
    aws = srp(anon_idp, pool["Id"], client, user.username)
    _, challenge = initiate(anon_idp, aws, ClientMetadata={"step": "initiate"})
    [issued] = log_events(f"user-{user.sub}", "ChallengeIssued")
    assert [h["triggerSource"] for h in issued["data"]["hooks"]] == ["PreAuthentication_Authentication"]
    with open(f"/tmp/postern-hook-events/{pool['Id']}-{user.username}.PreAuthentication_Authentication.json") as f:
        assert json.load(f)["request"]["validationData"] == {"step": "initiate"}
    respond(anon_idp, aws, claim(aws, challenge["ChallengeParameters"]), ClientMetadata={"step": "answer"})
    [succeeded] = log_events(f"user-{user.sub}", "SignInSucceeded")
    assert [h["triggerSource"] for h in succeeded["data"]["hooks"]] == ["PostAuthentication_Authentication"]
    # A refusing PreAuthentication stops the flow before any challenge.
    with expect_error("UserLambdaValidationException", "PreAuthentication failed with error no."):
        initiate(anon_idp, aws, ClientMetadata={"reject": "no"})
    assert len(log_events(f"user-{user.sub}", "ChallengeIssued")) == 1


def test_custom_auth_can_start_with_srp(idp, anon_idp, pool_factory, client_factory):
    pool = pool_factory(LambdaConfig={"DefineAuthChallenge": SCRIPTED, "CreateAuthChallenge": SCRIPTED,
                                      "VerifyAuthChallengeResponse": SCRIPTED})
    client = client_factory(pool_id=pool["Id"], ExplicitAuthFlows=ALL_FLOWS + ["ALLOW_CUSTOM_AUTH"])
    username = unique("custom-srp")
    idp.admin_create_user(UserPoolId=pool["Id"], Username=username, MessageAction="SUPPRESS",
                          UserAttributes=[{"Name": "email", "Value": f"{username}@example.com"}])
    idp.admin_set_user_password(UserPoolId=pool["Id"], Username=username, Password=PASSWORD, Permanent=True)
    aws = srp(anon_idp, pool["Id"], client, username)
    params = {"USERNAME": username, "CHALLENGE_NAME": "SRP_A", "SRP_A": format(aws.large_a_value, "x")}
    ask_password = {"answer": json.dumps({"challengeName": "PASSWORD_VERIFIER", "issueTokens": False, "failAuthentication": False})}
    challenge = anon_idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="CUSTOM_AUTH", AuthParameters=params,
                                       ClientMetadata=ask_password)
    assert challenge["ChallengeName"] == "PASSWORD_VERIFIER"

    def define_session():
        with open(f"/tmp/postern-hook-events/{pool['Id']}-{username}.DefineAuthChallenge_Authentication.json") as f:
            return json.load(f)["request"]["session"]

    assert define_session() == [{"challengeName": "SRP_A", "challengeResult": True, "challengeMetadata": None}]
    quiz = {"answer": json.dumps({"challengeName": "CUSTOM_CHALLENGE", "publicChallengeParameters": {"q": "2+2"},
                                  "privateChallengeParameters": {"a": "4"}, "answerCorrect": True})}
    step = respond(anon_idp, aws, claim(aws, challenge["ChallengeParameters"]), ClientMetadata=quiz)
    assert step["ChallengeName"] == "CUSTOM_CHALLENGE" and step["ChallengeParameters"]["q"] == "2+2"
    assert define_session() == [
        {"challengeName": "SRP_A", "challengeResult": True, "challengeMetadata": None},
        {"challengeName": "PASSWORD_VERIFIER", "challengeResult": True, "challengeMetadata": None},
    ]
    done = anon_idp.respond_to_auth_challenge(
        ClientId=client["ClientId"], ChallengeName="CUSTOM_CHALLENGE", Session=step["Session"],
        ChallengeResponses={"USERNAME": username, "ANSWER": "4"},
        ClientMetadata={"answer": json.dumps({"issueTokens": True, "answerCorrect": True})})
    assert claims(done["AuthenticationResult"]["IdToken"])["cognito:username"] == username

    # A wrong password inside CUSTOM_AUTH is refused at once and counts toward the lockout.
    wrong = srp(anon_idp, pool["Id"], client, username, password=OTHER_PASSWORD)
    params["SRP_A"] = format(wrong.large_a_value, "x")
    challenge = anon_idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="CUSTOM_AUTH", AuthParameters=params,
                                       ClientMetadata=ask_password)
    with expect_error("NotAuthorizedException", "Incorrect username or password."):
        respond(anon_idp, wrong, claim(wrong, challenge["ChallengeParameters"]), ClientMetadata=quiz)
    sub = claims(done["AuthenticationResult"]["IdToken"])["sub"]
    [failed] = log_events(f"user-{sub}", "SignInFailed")
    assert failed["data"]["flow"] == "CUSTOM_AUTH" and failed["data"]["failedAttempts"] == 1

    with expect_error("InvalidParameterException", "Missing required parameter SRP_A"):
        anon_idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="CUSTOM_AUTH",
                               AuthParameters={"USERNAME": username, "CHALLENGE_NAME": "SRP_A"})
    # Define may ask for PASSWORD_VERIFIER only when the flow started with SRP_A.
    with expect_error("InvalidLambdaResponseException"):
        anon_idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="CUSTOM_AUTH", AuthParameters={"USERNAME": username},
                               ClientMetadata=ask_password)
