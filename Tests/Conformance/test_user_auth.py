"""Choice-based sign-in (USER_AUTH): the pool's AllowedFirstAuthFactors, PREFERRED_CHALLENGE,
SELECT_CHALLENGE with AvailableChallenges, and the PASSWORD, PASSWORD_SRP, EMAIL_OTP and SMS_OTP first
factors (the codes through the outbox)."""
import pytest
from pycognito.aws_srp import AWSSRP

from support import ALL_FLOWS, OTHER_PASSWORD, PASSWORD, claims, expect_error, log_events, sign_up, unique

FACTORS = {"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "EMAIL_OTP", "SMS_OTP"]}}


@pytest.fixture
def choice_pool(pool_factory):
    return pool_factory(AutoVerifiedAttributes=["email"], Policies=FACTORS)


@pytest.fixture
def choice_client(client_factory, choice_pool):
    return client_factory(pool_id=choice_pool["Id"], ExplicitAuthFlows=ALL_FLOWS + ["ALLOW_USER_AUTH"])


def verified_user(idp, anon_idp, pool, client, phone=False):
    extra = [{"Name": "phone_number", "Value": "+15555550142"}] if phone else []
    user = sign_up(anon_idp, pool["Id"], client, extra_attributes=extra)
    idp.admin_confirm_sign_up(UserPoolId=pool["Id"], Username=user.username)
    verified = [{"Name": "email_verified", "Value": "true"}] + ([{"Name": "phone_number_verified", "Value": "true"}] if phone else [])
    idp.admin_update_user_attributes(UserPoolId=pool["Id"], Username=user.username, UserAttributes=verified)
    return user


def user_auth(anon_idp, client, username, **params):
    return anon_idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="USER_AUTH", AuthParameters={"USERNAME": username, **params})


def test_the_pool_keeps_its_first_factors(idp, choice_pool, pool_factory):
    described = idp.describe_user_pool(UserPoolId=choice_pool["Id"])["UserPool"]["Policies"]
    assert described["SignInPolicy"] == FACTORS["SignInPolicy"]
    plain = idp.describe_user_pool(UserPoolId=pool_factory()["Id"])["UserPool"]["Policies"]
    assert plain["SignInPolicy"] == {"AllowedFirstAuthFactors": ["PASSWORD"]}
    with expect_error("InvalidParameterException"):
        pool_factory(Policies={"SignInPolicy": {"AllowedFirstAuthFactors": ["EMAIL_OTP"]}})


def test_select_challenge_lists_what_the_user_can_use(idp, anon_idp, choice_pool, choice_client):
    email_only = verified_user(idp, anon_idp, choice_pool, choice_client)
    step = user_auth(anon_idp, choice_client, email_only.username)
    assert step["ChallengeName"] == "SELECT_CHALLENGE" and step["Session"]
    assert step["AvailableChallenges"] == ["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP"]
    both = verified_user(idp, anon_idp, choice_pool, choice_client, phone=True)
    assert user_auth(anon_idp, choice_client, both.username)["AvailableChallenges"] == ["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP", "SMS_OTP"]


def test_the_password_first_factor_directly_and_through_the_choice(idp, anon_idp, choice_pool, choice_client):
    user = verified_user(idp, anon_idp, choice_pool, choice_client)
    tokens = user_auth(anon_idp, choice_client, user.username, PREFERRED_CHALLENGE="PASSWORD", PASSWORD=PASSWORD)["AuthenticationResult"]
    assert claims(tokens["IdToken"])["sub"] == user.sub
    with expect_error("NotAuthorizedException", "Incorrect username or password."):
        user_auth(anon_idp, choice_client, user.username, PREFERRED_CHALLENGE="PASSWORD", PASSWORD=OTHER_PASSWORD)
    step = user_auth(anon_idp, choice_client, user.username)
    done = anon_idp.respond_to_auth_challenge(
        ClientId=choice_client["ClientId"], ChallengeName="SELECT_CHALLENGE", Session=step["Session"],
        ChallengeResponses={"USERNAME": user.username, "ANSWER": "PASSWORD", "PASSWORD": PASSWORD})
    assert "AuthenticationResult" in done
    assert log_events(f"user-{user.sub}", "SignInSucceeded")[-1]["data"]["flow"] == "USER_AUTH"


def test_the_srp_first_factor(idp, anon_idp, choice_pool, choice_client):
    user = verified_user(idp, anon_idp, choice_pool, choice_client)
    aws = AWSSRP(username=user.username, password=PASSWORD, pool_id=choice_pool["Id"], client_id=choice_client["ClientId"], client=anon_idp)
    step = user_auth(anon_idp, choice_client, user.username)
    verifier = anon_idp.respond_to_auth_challenge(
        ClientId=choice_client["ClientId"], ChallengeName="SELECT_CHALLENGE", Session=step["Session"],
        ChallengeResponses={"USERNAME": user.username, "ANSWER": "PASSWORD_SRP", "SRP_A": format(aws.large_a_value, "x")})
    assert verifier["ChallengeName"] == "PASSWORD_VERIFIER"
    responses = aws.process_challenge(verifier["ChallengeParameters"], {"USERNAME": user.username})
    done = anon_idp.respond_to_auth_challenge(ClientId=choice_client["ClientId"], ChallengeName="PASSWORD_VERIFIER",
                                              ChallengeResponses=responses)
    assert claims(done["AuthenticationResult"]["AccessToken"])["username"] == user.username


def test_an_email_code_signs_in_without_a_password(idp, anon_idp, choice_pool, choice_client, outbox):
    user = verified_user(idp, anon_idp, choice_pool, choice_client)
    before = outbox.count(choice_pool["Id"], user.username, "Authentication")
    step = user_auth(anon_idp, choice_client, user.username, PREFERRED_CHALLENGE="EMAIL_OTP")
    assert step["ChallengeName"] == "EMAIL_OTP"
    assert step["ChallengeParameters"]["CODE_DELIVERY_DELIVERY_MEDIUM"] == "EMAIL"
    code = outbox.wait_message(choice_pool["Id"], user.username, "Authentication", after=before)["code"]

    def answer(session, value):
        return anon_idp.respond_to_auth_challenge(ClientId=choice_client["ClientId"], ChallengeName="EMAIL_OTP", Session=session,
                                                  ChallengeResponses={"USERNAME": user.username, "EMAIL_OTP_CODE": value})

    with expect_error("CodeMismatchException", "Invalid code or auth state for the user."):
        answer(step["Session"], "000000" if code != "000000" else "111111")
    tokens = answer(step["Session"], code)["AuthenticationResult"]
    assert claims(tokens["IdToken"])["email"] == user.email
    with expect_error("NotAuthorizedException", "Invalid session for the user, session can only be used once."):
        answer(step["Session"], code)


def test_a_text_message_code_through_the_choice(idp, anon_idp, choice_pool, choice_client, outbox):
    user = verified_user(idp, anon_idp, choice_pool, choice_client, phone=True)
    before = outbox.count(choice_pool["Id"], user.username, "Authentication")
    select = user_auth(anon_idp, choice_client, user.username)
    step = anon_idp.respond_to_auth_challenge(
        ClientId=choice_client["ClientId"], ChallengeName="SELECT_CHALLENGE", Session=select["Session"],
        ChallengeResponses={"USERNAME": user.username, "ANSWER": "SMS_OTP"})
    assert step["ChallengeName"] == "SMS_OTP"
    assert step["ChallengeParameters"]["CODE_DELIVERY_DESTINATION"] == "+*******0142"
    message = outbox.wait_message(choice_pool["Id"], user.username, "Authentication", after=before)
    assert message["deliveryMedium"] == "SMS"
    done = anon_idp.respond_to_auth_challenge(ClientId=choice_client["ClientId"], ChallengeName="SMS_OTP", Session=step["Session"],
                                              ChallengeResponses={"USERNAME": user.username, "SMS_OTP_CODE": message["code"]})
    assert "AuthenticationResult" in done


def test_what_the_pool_or_client_does_not_allow_is_refused(idp, anon_idp, pool_factory, client_factory, choice_pool, choice_client):
    user = verified_user(idp, anon_idp, choice_pool, choice_client)
    step = user_auth(anon_idp, choice_client, user.username)
    with expect_error("InvalidParameterException"):
        anon_idp.respond_to_auth_challenge(ClientId=choice_client["ClientId"], ChallengeName="SELECT_CHALLENGE", Session=step["Session"],
                                           ChallengeResponses={"USERNAME": user.username, "ANSWER": "SMS_OTP"})
    no_flow = client_factory(pool_id=choice_pool["Id"])
    with expect_error("InvalidParameterException", "USER_AUTH flow not enabled for this client"):
        user_auth(anon_idp, no_flow, user.username)
    password_pool = pool_factory(AutoVerifiedAttributes=["email"])
    client = client_factory(pool_id=password_pool["Id"], ExplicitAuthFlows=ALL_FLOWS + ["ALLOW_USER_AUTH"])
    other = verified_user(idp, anon_idp, password_pool, client)
    assert user_auth(anon_idp, client, other.username)["AvailableChallenges"] == ["PASSWORD", "PASSWORD_SRP"]
    # An unpreferable choice falls back to the list.
    assert user_auth(anon_idp, client, other.username, PREFERRED_CHALLENGE="EMAIL_OTP")["ChallengeName"] == "SELECT_CHALLENGE"


def test_an_unknown_user(anon_idp, choice_pool, choice_client, client_factory):
    with expect_error("UserNotFoundException"):
        user_auth(anon_idp, choice_client, unique("ghost"))
    hidden = client_factory(pool_id=choice_pool["Id"], ExplicitAuthFlows=ALL_FLOWS + ["ALLOW_USER_AUTH"],
                            PreventUserExistenceErrors="ENABLED")
    ghost = unique("ghost")
    step = user_auth(anon_idp, hidden, ghost)
    assert step["ChallengeName"] == "SELECT_CHALLENGE" and step["AvailableChallenges"][:2] == ["PASSWORD", "PASSWORD_SRP"]
    with expect_error("NotAuthorizedException", "Incorrect username or password."):
        anon_idp.respond_to_auth_challenge(ClientId=hidden["ClientId"], ChallengeName="SELECT_CHALLENGE", Session=step["Session"],
                                           ChallengeResponses={"USERNAME": ghost, "ANSWER": "PASSWORD", "PASSWORD": PASSWORD})


def test_sign_up_then_sign_in_with_the_confirmation_session(idp, anon_idp, choice_pool, choice_client, outbox):
    username = unique("new")
    signed_up = anon_idp.sign_up(ClientId=choice_client["ClientId"], Username=username, Password=PASSWORD,
                                 UserAttributes=[{"Name": "email", "Value": f"{username}@example.com"}])
    assert signed_up["Session"]
    code = outbox.code(choice_pool["Id"], username)
    confirmed = anon_idp.confirm_sign_up(ClientId=choice_client["ClientId"], Username=username, ConfirmationCode=code,
                                         Session=signed_up["Session"])
    assert confirmed["Session"]
    with expect_error("NotAuthorizedException", "Invalid session for the user."):
        anon_idp.initiate_auth(ClientId=choice_client["ClientId"], AuthFlow="USER_AUTH", AuthParameters={"USERNAME": username},
                               Session=signed_up["Session"])
    tokens = anon_idp.initiate_auth(ClientId=choice_client["ClientId"], AuthFlow="USER_AUTH", AuthParameters={"USERNAME": username},
                                    Session=confirmed["Session"])["AuthenticationResult"]
    assert claims(tokens["IdToken"])["cognito:username"] == username
    with expect_error("NotAuthorizedException", "Invalid session for the user, session can only be used once."):
        anon_idp.initiate_auth(ClientId=choice_client["ClientId"], AuthFlow="USER_AUTH", AuthParameters={"USERNAME": username},
                               Session=confirmed["Session"])
    # A client without USER_AUTH gets no session at sign-up.
    plain_client = idp.create_user_pool_client(UserPoolId=choice_pool["Id"], ClientName="plain", ExplicitAuthFlows=ALL_FLOWS)
    plain = anon_idp.sign_up(ClientId=plain_client["UserPoolClient"]["ClientId"], Username=unique("plain"), Password=PASSWORD,
                             UserAttributes=[{"Name": "email", "Value": "plain@example.com"}])
    assert "Session" not in plain


def test_an_unknown_user_choosing_a_code_gets_a_decoy(idp, anon_idp, choice_pool, choice_client, client_factory):
    import re

    hidden = client_factory(pool_id=choice_pool["Id"], ExplicitAuthFlows=ALL_FLOWS + ["ALLOW_USER_AUTH"],
                            PreventUserExistenceErrors="ENABLED")
    real = verified_user(idp, anon_idp, choice_pool, hidden)
    ghost = unique("ghost")
    masked = re.compile(r"^\w\*\*\*@\w\*\*\*$")
    for name in (real.username, ghost):
        step = user_auth(anon_idp, hidden, name, PREFERRED_CHALLENGE="EMAIL_OTP")
        assert step["ChallengeName"] == "EMAIL_OTP" and step["Session"]
        assert masked.match(step["ChallengeParameters"]["CODE_DELIVERY_DESTINATION"])
        assert step["ChallengeParameters"]["CODE_DELIVERY_DELIVERY_MEDIUM"] == "EMAIL"
        with expect_error("CodeMismatchException", "Invalid code or auth state for the user."):
            anon_idp.respond_to_auth_challenge(ClientId=hidden["ClientId"], ChallengeName="EMAIL_OTP", Session=step["Session"],
                                               ChallengeResponses={"USERNAME": name, "EMAIL_OTP_CODE": "000001"})
    again = user_auth(anon_idp, hidden, ghost, PREFERRED_CHALLENGE="SMS_OTP")
    assert again["ChallengeName"] == "SMS_OTP" and again["ChallengeParameters"]["CODE_DELIVERY_DESTINATION"].startswith("+")
