"""MFA (spec/auth-flows.md §6–7): the pool's MFA configuration, TOTP enrolment with
AssociateSoftwareToken / VerifySoftwareToken (by access token and inside sign-in through MFA_SETUP),
SetUserMFAPreference, and the SOFTWARE_TOKEN_MFA, SMS_MFA, EMAIL_OTP and SELECT_MFA_TYPE challenges
after password and SRP sign-in, with pyotp as the authenticator app and the outbox as the phone."""
import json
import time

import pyotp
import pytest
from pycognito.aws_srp import AWSSRP

from support import PASSWORD, claims, expect_error, log_events, sign_up, unique

TOTP_ON = {"Enabled": True}


def next_code(secret, steps=1):
    """A code of a later 30-second step (still inside the one-step drift Cognito allows)."""
    return pyotp.TOTP(secret).at(time.time() + 30 * steps)


@pytest.fixture
def mfa_pool(idp, pool_factory):
    pool = pool_factory(AutoVerifiedAttributes=["email"])
    idp.set_user_pool_mfa_config(UserPoolId=pool["Id"], MfaConfiguration="OPTIONAL", SoftwareTokenMfaConfiguration=TOTP_ON)
    return pool


@pytest.fixture
def mfa_client(client_factory, mfa_pool):
    return client_factory(pool_id=mfa_pool["Id"])


def confirmed_user(idp, anon_idp, pool, client, **kwargs):
    user = sign_up(anon_idp, pool["Id"], client, **kwargs)
    idp.admin_confirm_sign_up(UserPoolId=pool["Id"], Username=user.username)
    return user


def password_sign_in(anon_idp, user):
    return anon_idp.initiate_auth(ClientId=user.client_id, AuthFlow="USER_PASSWORD_AUTH",
                                  AuthParameters={"USERNAME": user.username, "PASSWORD": user.password})


def enrol(anon_idp, user):
    """Associates and verifies an authenticator with an access token; returns (secret, access token)."""
    access = password_sign_in(anon_idp, user)["AuthenticationResult"]["AccessToken"]
    secret = anon_idp.associate_software_token(AccessToken=access)["SecretCode"]
    result = anon_idp.verify_software_token(AccessToken=access, UserCode=pyotp.TOTP(secret).now(), FriendlyDeviceName="phone")
    assert result["Status"] == "SUCCESS"
    return secret, access


def answer_totp(anon_idp, user, session, code):
    return anon_idp.respond_to_auth_challenge(ClientId=user.client_id, ChallengeName="SOFTWARE_TOKEN_MFA", Session=session,
                                              ChallengeResponses={"USERNAME": user.username, "SOFTWARE_TOKEN_MFA_CODE": code})


def test_the_pool_mfa_configuration_round_trips_with_cognitos_rules(idp, pool_factory):
    pool = pool_factory()
    initial = idp.get_user_pool_mfa_config(UserPoolId=pool["Id"])
    assert initial["MfaConfiguration"] == "OFF"
    assert initial["SoftwareTokenMfaConfiguration"] == {"Enabled": False}
    answer = idp.set_user_pool_mfa_config(UserPoolId=pool["Id"], MfaConfiguration="ON", SoftwareTokenMfaConfiguration=TOTP_ON)
    assert answer["MfaConfiguration"] == "ON" and answer["SoftwareTokenMfaConfiguration"] == TOTP_ON
    described = idp.get_user_pool_mfa_config(UserPoolId=pool["Id"])
    assert described["MfaConfiguration"] == "ON" and described["SoftwareTokenMfaConfiguration"] == TOTP_ON
    assert idp.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]["MfaConfiguration"] == "ON"

    with expect_error("InvalidParameterException",
                      "Invalid MFA configuration given, can't disable all MFAs with a required or optional configuration."):
        idp.set_user_pool_mfa_config(UserPoolId=pool["Id"], MfaConfiguration="OPTIONAL")
    with expect_error("InvalidParameterException",
                      "Invalid MFA configuration given, can't turn off MFA and configure an MFA together."):
        idp.set_user_pool_mfa_config(UserPoolId=pool["Id"], MfaConfiguration="OFF", SoftwareTokenMfaConfiguration=TOTP_ON)
    assert idp.get_user_pool_mfa_config(UserPoolId=pool["Id"])["MfaConfiguration"] == "ON", "a refused call changes nothing"
    idp.set_user_pool_mfa_config(UserPoolId=pool["Id"], MfaConfiguration="OFF")
    assert idp.get_user_pool_mfa_config(UserPoolId=pool["Id"])["SoftwareTokenMfaConfiguration"] == {"Enabled": False}
    with expect_error("ResourceNotFoundException"):
        idp.get_user_pool_mfa_config(UserPoolId="us-east-1_doesNotExist")


def test_enrolment_with_an_access_token_then_preference_then_a_totp_sign_in(idp, anon_idp, mfa_pool, mfa_client):
    user = confirmed_user(idp, anon_idp, mfa_pool, mfa_client)
    secret, access = enrol(anon_idp, user)
    assert len(secret) == 52 and pyotp.TOTP(secret).now().isdigit()
    # Verified, not yet on: the user turns it on.
    assert "UserMFASettingList" not in anon_idp.get_user(AccessToken=access)
    assert "AuthenticationResult" in password_sign_in(anon_idp, user)
    anon_idp.set_user_mfa_preference(AccessToken=access, SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True})
    me = anon_idp.get_user(AccessToken=access)
    assert me["UserMFASettingList"] == ["SOFTWARE_TOKEN_MFA"] and me["PreferredMfaSetting"] == "SOFTWARE_TOKEN_MFA"
    admin_view = idp.admin_get_user(UserPoolId=mfa_pool["Id"], Username=user.username)
    assert admin_view["UserMFASettingList"] == ["SOFTWARE_TOKEN_MFA"] and admin_view["PreferredMfaSetting"] == "SOFTWARE_TOKEN_MFA"

    challenge = password_sign_in(anon_idp, user)
    assert challenge["ChallengeName"] == "SOFTWARE_TOKEN_MFA" and challenge["Session"]
    assert "AuthenticationResult" not in challenge
    code = next_code(secret)
    tokens = answer_totp(anon_idp, user, challenge["Session"], code)["AuthenticationResult"]
    assert claims(tokens["IdToken"])["sub"] == user.sub

    # A code works once: the same one in a new sign-in is refused.
    again = password_sign_in(anon_idp, user)
    with expect_error("CodeMismatchException", "Invalid code or auth state for the user."):
        answer_totp(anon_idp, user, again["Session"], code)
    # And the refused answer used the session up.
    with expect_error("NotAuthorizedException", "Invalid session for the user, session can only be used once."):
        answer_totp(anon_idp, user, again["Session"], next_code(secret))

    stream = f"user-{user.sub}"
    [associated] = log_events(stream, "SoftwareTokenAssociated")
    assert associated["data"]["sealedSecret"].startswith("v1.") and secret not in json.dumps(associated)
    [verified] = log_events(stream, "SoftwareTokenVerified")
    assert verified["data"]["enablesMFA"] is False and secret not in json.dumps(verified)
    assert "phone" not in json.dumps(verified["data"])
    [preference] = log_events(stream, "MFAPreferenceChanged")
    assert preference["data"] == {"enabled": ["SOFTWARE_TOKEN_MFA"], "preferred": "SOFTWARE_TOKEN_MFA", "by": "self"}
    [rejected] = log_events(stream, "SoftwareTokenCodeRejected")
    assert rejected["data"]["reason"] == "code_reused"
    assert [e["data"]["challengeName"] for e in log_events(stream, "ChallengeIssued")] == ["SOFTWARE_TOKEN_MFA"] * 2


def test_a_wrong_code_is_a_mismatch(idp, anon_idp, mfa_pool, mfa_client):
    user = confirmed_user(idp, anon_idp, mfa_pool, mfa_client)
    secret, access = enrol(anon_idp, user)
    idp.admin_set_user_mfa_preference(UserPoolId=mfa_pool["Id"], Username=user.username,
                                      SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True})
    challenge = password_sign_in(anon_idp, user)
    right = next_code(secret)
    wrong = "000000" if right != "000000" else "111111"
    with expect_error("CodeMismatchException", "Invalid code or auth state for the user."):
        answer_totp(anon_idp, user, challenge["Session"], wrong)
    [rejected] = log_events(f"user-{user.sub}", "SoftwareTokenCodeRejected")
    assert rejected["data"]["reason"] == "code_mismatch"
    with expect_error("InvalidParameterException", "Missing required parameter SOFTWARE_TOKEN_MFA_CODE"):
        anon_idp.respond_to_auth_challenge(ClientId=user.client_id, ChallengeName="SOFTWARE_TOKEN_MFA",
                                           Session=password_sign_in(anon_idp, user)["Session"],
                                           ChallengeResponses={"USERNAME": user.username})


def test_srp_sign_in_then_totp(idp, anon_idp, mfa_pool, mfa_client):
    user = confirmed_user(idp, anon_idp, mfa_pool, mfa_client)
    secret, access = enrol(anon_idp, user)
    anon_idp.set_user_mfa_preference(AccessToken=access, SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True})
    aws = AWSSRP(username=user.username, password=PASSWORD, pool_id=mfa_pool["Id"], client_id=mfa_client["ClientId"], client=anon_idp)
    from pycognito.exceptions import SoftwareTokenMFAChallengeException

    with pytest.raises(SoftwareTokenMFAChallengeException) as raised:
        aws.authenticate_user()
    session = raised.value.get_tokens()["Session"]
    tokens = answer_totp(anon_idp, user, session, next_code(secret))["AuthenticationResult"]
    assert claims(tokens["AccessToken"])["username"] == user.username
    [succeeded] = log_events(f"user-{user.sub}", "SignInSucceeded")[-1:]
    assert succeeded["data"]["flow"] == "USER_SRP_AUTH"


def test_required_mfa_sets_up_an_authenticator_inside_sign_in(idp, anon_idp, pool_factory, client_factory):
    pool = pool_factory(AutoVerifiedAttributes=["email"])
    idp.set_user_pool_mfa_config(UserPoolId=pool["Id"], MfaConfiguration="ON", SoftwareTokenMfaConfiguration=TOTP_ON)
    client = client_factory(pool_id=pool["Id"])
    user = confirmed_user(idp, anon_idp, pool, client)
    setup = password_sign_in(anon_idp, user)
    assert setup["ChallengeName"] == "MFA_SETUP"
    assert json.loads(setup["ChallengeParameters"]["MFAS_CAN_SETUP"]) == ["SOFTWARE_TOKEN_MFA"]
    with expect_error("InvalidParameterException"):
        anon_idp.respond_to_auth_challenge(ClientId=client["ClientId"], ChallengeName="MFA_SETUP", Session=setup["Session"],
                                           ChallengeResponses={"USERNAME": user.username})
    associated = anon_idp.associate_software_token(Session=setup["Session"])
    secret = associated["SecretCode"]
    verified = anon_idp.verify_software_token(Session=associated["Session"], UserCode=pyotp.TOTP(secret).now())
    assert verified["Status"] == "SUCCESS" and verified["Session"]
    done = anon_idp.respond_to_auth_challenge(ClientId=client["ClientId"], ChallengeName="MFA_SETUP", Session=verified["Session"],
                                              ChallengeResponses={"USERNAME": user.username})
    access = done["AuthenticationResult"]["AccessToken"]
    me = anon_idp.get_user(AccessToken=access)
    assert me["UserMFASettingList"] == ["SOFTWARE_TOKEN_MFA"] and me["PreferredMfaSetting"] == "SOFTWARE_TOKEN_MFA"
    with expect_error("NotAuthorizedException", "Invalid session for the user, session can only be used once."):
        anon_idp.respond_to_auth_challenge(ClientId=client["ClientId"], ChallengeName="MFA_SETUP", Session=verified["Session"],
                                           ChallengeResponses={"USERNAME": user.username})
    # From now on the authenticator is asked for.
    challenge = password_sign_in(anon_idp, user)
    assert challenge["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    assert "AuthenticationResult" in answer_totp(anon_idp, user, challenge["Session"], next_code(secret))
    [verified_event] = log_events(f"user-{user.sub}", "SoftwareTokenVerified")
    assert verified_event["data"]["enablesMFA"] is True


def test_a_temporary_password_then_required_mfa(idp, anon_idp, pool_factory, client_factory):
    pool = pool_factory(AutoVerifiedAttributes=["email"])
    idp.set_user_pool_mfa_config(UserPoolId=pool["Id"], MfaConfiguration="ON", SoftwareTokenMfaConfiguration=TOTP_ON)
    client = client_factory(pool_id=pool["Id"])
    username = unique("invited")
    idp.admin_create_user(UserPoolId=pool["Id"], Username=username, TemporaryPassword=PASSWORD, MessageAction="SUPPRESS",
                          UserAttributes=[{"Name": "email", "Value": f"{username}@example.com"}])
    step = anon_idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="USER_PASSWORD_AUTH",
                                  AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD})
    assert step["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    step = anon_idp.respond_to_auth_challenge(ClientId=client["ClientId"], ChallengeName="NEW_PASSWORD_REQUIRED", Session=step["Session"],
                                              ChallengeResponses={"USERNAME": username, "NEW_PASSWORD": PASSWORD + "x"})
    assert step["ChallengeName"] == "MFA_SETUP"
    assert idp.admin_get_user(UserPoolId=pool["Id"], Username=username)["UserStatus"] == "CONFIRMED"


def test_select_mfa_type_when_several_factors_are_on_and_none_preferred(idp, anon_idp, pool_factory, client_factory):
    pool = pool_factory(AutoVerifiedAttributes=["email"])
    idp.set_user_pool_mfa_config(
        UserPoolId=pool["Id"], MfaConfiguration="OPTIONAL", SoftwareTokenMfaConfiguration=TOTP_ON,
        SmsMfaConfiguration={"SmsAuthenticationMessage": "Your code is {####}",
                             "SmsConfiguration": {"SnsCallerArn": "arn:aws:iam::000000000000:role/sns", "ExternalId": "x"}})
    client = client_factory(pool_id=pool["Id"])
    user = confirmed_user(idp, anon_idp, pool, client, extra_attributes=[{"Name": "phone_number", "Value": "+15555550100"}])
    secret, access = enrol(anon_idp, user)
    anon_idp.set_user_mfa_preference(AccessToken=access, SoftwareTokenMfaSettings={"Enabled": True},
                                     SMSMfaSettings={"Enabled": True})
    choice = password_sign_in(anon_idp, user)
    assert choice["ChallengeName"] == "SELECT_MFA_TYPE"
    assert json.loads(choice["ChallengeParameters"]["MFAS_CAN_CHOOSE"]) == ["SMS_MFA", "SOFTWARE_TOKEN_MFA"]
    chosen = anon_idp.respond_to_auth_challenge(ClientId=client["ClientId"], ChallengeName="SELECT_MFA_TYPE", Session=choice["Session"],
                                                ChallengeResponses={"USERNAME": user.username, "ANSWER": "SOFTWARE_TOKEN_MFA"})
    assert chosen["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    assert "AuthenticationResult" in answer_totp(anon_idp, user, chosen["Session"], next_code(secret))
    with expect_error("InvalidParameterException"):
        anon_idp.respond_to_auth_challenge(ClientId=client["ClientId"], ChallengeName="SELECT_MFA_TYPE",
                                           Session=password_sign_in(anon_idp, user)["Session"],
                                           ChallengeResponses={"USERNAME": user.username, "ANSWER": "EMAIL_OTP"})


def test_preferences_need_a_factor_the_user_can_receive(idp, anon_idp, mfa_pool, mfa_client):
    user = confirmed_user(idp, anon_idp, mfa_pool, mfa_client)
    with expect_error("InvalidParameterException", "User does not have delivery config set to turn on SOFTWARE_TOKEN_MFA"):
        idp.admin_set_user_mfa_preference(UserPoolId=mfa_pool["Id"], Username=user.username,
                                          SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True})
    with expect_error("InvalidParameterException", "User does not have delivery config set to turn on SMS_MFA"):
        idp.admin_set_user_mfa_preference(UserPoolId=mfa_pool["Id"], Username=user.username, SMSMfaSettings={"Enabled": True})
    assert log_events(f"user-{user.sub}", "MFAPreferenceChanged") == []
    with expect_error("UserNotFoundException"):
        idp.admin_set_user_mfa_preference(UserPoolId=mfa_pool["Id"], Username=unique("ghost"), SMSMfaSettings={"Enabled": False})


def test_software_tokens_need_the_pool_to_offer_them_and_the_right_code(idp, anon_idp, pool, client, mfa_pool, mfa_client):
    plain = confirmed_user(idp, anon_idp, pool, client)
    access = password_sign_in(anon_idp, plain)["AuthenticationResult"]["AccessToken"]
    with expect_error("SoftwareTokenMFANotFoundException", "Software Token MFA has not been enabled by the userPool"):
        anon_idp.associate_software_token(AccessToken=access)

    user = confirmed_user(idp, anon_idp, mfa_pool, mfa_client)
    access = password_sign_in(anon_idp, user)["AuthenticationResult"]["AccessToken"]
    with expect_error("InvalidParameterException"):
        anon_idp.verify_software_token(AccessToken=access, UserCode="123456")
    secret = anon_idp.associate_software_token(AccessToken=access)["SecretCode"]
    right = pyotp.TOTP(secret).now()
    with expect_error("EnableSoftwareTokenMFAException", "Code mismatch"):
        anon_idp.verify_software_token(AccessToken=access, UserCode="000000" if right != "000000" else "111111")
    with expect_error("NotAuthorizedException", "Invalid Access Token"):
        anon_idp.associate_software_token(AccessToken="not-a-token")
    with expect_error("NotAuthorizedException", "Invalid session for the user."):
        anon_idp.associate_software_token(Session="x" * 40)
    assert anon_idp.verify_software_token(AccessToken=access, UserCode=pyotp.TOTP(secret).now())["Status"] == "SUCCESS"


SMS_MFA_CONFIG = {"SmsAuthenticationMessage": "Your sign-in code is {####}",
                  "SmsConfiguration": {"SnsCallerArn": "arn:aws:iam::000000000000:role/sns", "ExternalId": "x"}}
PHONE = [{"Name": "phone_number", "Value": "+15555550100"}]


def test_sms_mfa_sends_a_code_through_the_outbox(idp, anon_idp, pool_factory, client_factory, outbox):
    pool = pool_factory(AutoVerifiedAttributes=["email"])
    idp.set_user_pool_mfa_config(UserPoolId=pool["Id"], MfaConfiguration="OPTIONAL", SmsMfaConfiguration=SMS_MFA_CONFIG)
    client = client_factory(pool_id=pool["Id"])
    user = confirmed_user(idp, anon_idp, pool, client, extra_attributes=PHONE)
    idp.admin_set_user_mfa_preference(UserPoolId=pool["Id"], Username=user.username, SMSMfaSettings={"Enabled": True, "PreferredMfa": True})
    before = outbox.count(pool["Id"], user.username, "Authentication")
    challenge = password_sign_in(anon_idp, user)
    assert challenge["ChallengeName"] == "SMS_MFA"
    assert challenge["ChallengeParameters"]["CODE_DELIVERY_DELIVERY_MEDIUM"] == "SMS"
    assert challenge["ChallengeParameters"]["CODE_DELIVERY_DESTINATION"] == "+*******0100"
    message = outbox.wait_message(pool["Id"], user.username, "Authentication", after=before)
    assert message["deliveryMedium"] == "SMS" and message["message"] == f"Your sign-in code is {message['code']}"

    def answer(session, code):
        return anon_idp.respond_to_auth_challenge(ClientId=client["ClientId"], ChallengeName="SMS_MFA", Session=session,
                                                  ChallengeResponses={"USERNAME": user.username, "SMS_MFA_CODE": code})

    wrong = "000000" if message["code"] != "000000" else "111111"
    with expect_error("CodeMismatchException", "Invalid code or auth state for the user."):
        answer(challenge["Session"], wrong)
    tokens = answer(challenge["Session"], message["code"])["AuthenticationResult"]
    me = anon_idp.get_user(AccessToken=tokens["AccessToken"])
    assert {a["Name"]: a["Value"] for a in me["UserAttributes"]}["phone_number_verified"] == "true"
    assert me["PreferredMfaSetting"] == "SMS_MFA"
    # The code is used up, and the session with it.
    with expect_error("NotAuthorizedException", "Invalid session for the user, session can only be used once."):
        answer(challenge["Session"], message["code"])
    again = password_sign_in(anon_idp, user)
    fresh = outbox.wait_message(pool["Id"], user.username, "Authentication", after=before + 1)["code"]
    if fresh != message["code"]:  # a new random code; equal once in a million
        with expect_error("CodeMismatchException", "Invalid code or auth state for the user."):
            answer(again["Session"], message["code"])
    assert "AuthenticationResult" in answer(again["Session"], fresh)
    sealed = log_events(f"user-{user.sub}", "MessageQueued")[-1]
    assert message["code"] not in json.dumps(sealed)


def test_email_mfa_uses_the_pools_message(idp, anon_idp, pool_factory, client_factory, outbox):
    pool = pool_factory(AutoVerifiedAttributes=["email"])
    idp.set_user_pool_mfa_config(UserPoolId=pool["Id"], MfaConfiguration="OPTIONAL",
                                 EmailMfaConfiguration={"Message": "Sign-in code: {####}", "Subject": "Your code"})
    client = client_factory(pool_id=pool["Id"])
    user = confirmed_user(idp, anon_idp, pool, client)
    idp.admin_set_user_mfa_preference(UserPoolId=pool["Id"], Username=user.username, EmailMfaSettings={"Enabled": True})
    before = outbox.count(pool["Id"], user.username, "Authentication")
    challenge = password_sign_in(anon_idp, user)
    assert challenge["ChallengeName"] == "EMAIL_OTP"
    assert challenge["ChallengeParameters"]["CODE_DELIVERY_DELIVERY_MEDIUM"] == "EMAIL"
    message = outbox.wait_message(pool["Id"], user.username, "Authentication", after=before)
    assert message["subject"] == "Your code" and message["message"] == f"Sign-in code: {message['code']}"
    done = anon_idp.respond_to_auth_challenge(ClientId=client["ClientId"], ChallengeName="EMAIL_OTP", Session=challenge["Session"],
                                              ChallengeResponses={"USERNAME": user.username, "EMAIL_OTP_CODE": message["code"]})
    assert "AuthenticationResult" in done


def test_required_mfa_texts_a_user_who_has_a_phone_number(idp, anon_idp, pool_factory, client_factory, outbox):
    pool = pool_factory(AutoVerifiedAttributes=["email"])
    idp.set_user_pool_mfa_config(UserPoolId=pool["Id"], MfaConfiguration="ON", SmsMfaConfiguration=SMS_MFA_CONFIG,
                                 SoftwareTokenMfaConfiguration=TOTP_ON)
    client = client_factory(pool_id=pool["Id"])
    with_phone = confirmed_user(idp, anon_idp, pool, client, extra_attributes=PHONE)
    assert password_sign_in(anon_idp, with_phone)["ChallengeName"] == "SMS_MFA"
    without = confirmed_user(idp, anon_idp, pool, client)
    assert password_sign_in(anon_idp, without)["ChallengeName"] == "MFA_SETUP"


def test_legacy_mfa_options_turn_sms_on_and_off(idp, anon_idp, pool_factory, client_factory):
    pool = pool_factory(AutoVerifiedAttributes=["email"])
    idp.set_user_pool_mfa_config(UserPoolId=pool["Id"], MfaConfiguration="OPTIONAL", SmsMfaConfiguration=SMS_MFA_CONFIG)
    client = client_factory(pool_id=pool["Id"])
    user = confirmed_user(idp, anon_idp, pool, client, extra_attributes=PHONE)
    access = password_sign_in(anon_idp, user)["AuthenticationResult"]["AccessToken"]
    anon_idp.set_user_settings(AccessToken=access, MFAOptions=[{"DeliveryMedium": "SMS", "AttributeName": "phone_number"}])
    me = anon_idp.get_user(AccessToken=access)
    assert me["MFAOptions"] == [{"DeliveryMedium": "SMS", "AttributeName": "phone_number"}]
    assert me["UserMFASettingList"] == ["SMS_MFA"]
    assert password_sign_in(anon_idp, user)["ChallengeName"] == "SMS_MFA"
    idp.admin_set_user_settings(UserPoolId=pool["Id"], Username=user.username, MFAOptions=[])
    admin_view = idp.admin_get_user(UserPoolId=pool["Id"], Username=user.username)
    assert "MFAOptions" not in admin_view and "UserMFASettingList" not in admin_view
    with expect_error("InvalidParameterException"):
        anon_idp.set_user_settings(AccessToken=access, MFAOptions=[{"DeliveryMedium": "EMAIL", "AttributeName": "email"}])


def test_an_expired_sms_code_is_refused(idp, anon_idp, pool_factory, client_factory, outbox):
    """Three minutes are simulated by moving the code's expiry in the directory (the server's clock cannot
    be moved from here); the check itself is the server's."""
    import os
    import subprocess

    pool = pool_factory(AutoVerifiedAttributes=["email"])
    idp.set_user_pool_mfa_config(UserPoolId=pool["Id"], MfaConfiguration="OPTIONAL", SmsMfaConfiguration=SMS_MFA_CONFIG)
    client = client_factory(pool_id=pool["Id"])
    user = confirmed_user(idp, anon_idp, pool, client, extra_attributes=PHONE)
    idp.admin_set_user_mfa_preference(UserPoolId=pool["Id"], Username=user.username, SMSMfaSettings={"Enabled": True})
    before = outbox.count(pool["Id"], user.username, "Authentication")
    challenge = password_sign_in(anon_idp, user)
    code = outbox.wait_message(pool["Id"], user.username, "Authentication", after=before)["code"]
    owner = os.environ.get("POSTERN_MIGRATION_DATABASE_URL") or os.environ["POSTERN_DATABASE_URL"]
    subprocess.run(["psql", owner, "-qc", "UPDATE directory.confirmation_codes SET expires_at = now() - interval '1 second' "
                    f"WHERE sub = '{user.sub}' AND purpose = 'MFA:SMS_MFA'"], check=True)
    with expect_error("ExpiredCodeException"):
        anon_idp.respond_to_auth_challenge(ClientId=client["ClientId"], ChallengeName="SMS_MFA", Session=challenge["Session"],
                                           ChallengeResponses={"USERNAME": user.username, "SMS_MFA_CODE": code})


def test_the_lite_plan_has_no_email_mfa(idp, pool_factory):
    pool = pool_factory(UserPoolTier="LITE")
    with expect_error("FeatureUnavailableInTierException"):
        idp.set_user_pool_mfa_config(UserPoolId=pool["Id"], MfaConfiguration="OPTIONAL",
                                     EmailMfaConfiguration={"Message": "Code {####}", "Subject": "Code"})
    idp.set_user_pool_mfa_config(UserPoolId=pool["Id"], MfaConfiguration="OPTIONAL", SoftwareTokenMfaConfiguration=TOTP_ON)


SCRIPTED = "arn:aws:lambda:us-east-1:123456789012:function:scripted"


def test_custom_message_writes_the_mfa_code_and_guesses_are_limited(idp, anon_idp, pool_factory, client_factory, outbox):
    pool = pool_factory(AutoVerifiedAttributes=["email"], LambdaConfig={"CustomMessage": SCRIPTED})
    idp.set_user_pool_mfa_config(UserPoolId=pool["Id"], MfaConfiguration="OPTIONAL",
                                 EmailMfaConfiguration={"Message": "Code {####}", "Subject": "Code"})
    client = client_factory(pool_id=pool["Id"])
    user = confirmed_user(idp, anon_idp, pool, client)
    idp.admin_set_user_mfa_preference(UserPoolId=pool["Id"], Username=user.username, EmailMfaSettings={"Enabled": True})
    before = outbox.count(pool["Id"], user.username, "Authentication")
    metadata = {"answer": json.dumps({"emailSubject": "Your Acme code", "emailMessage": "Acme sign-in: {####}", "smsMessage": None})}
    challenge = anon_idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="USER_PASSWORD_AUTH", ClientMetadata=metadata,
                                       AuthParameters={"USERNAME": user.username, "PASSWORD": user.password})
    assert challenge["ChallengeName"] == "EMAIL_OTP"
    message = outbox.wait_message(pool["Id"], user.username, "Authentication", after=before)
    assert message["subject"] == "Your Acme code" and message["message"] == f"Acme sign-in: {message['code']}"
    with open(f"/tmp/postern-hook-events/{pool['Id']}-{user.username}.CustomMessage_Authentication.json") as f:
        assert json.load(f)["triggerSource"] == "CustomMessage_Authentication"
    wrong = "000000" if message["code"] != "000000" else "111111"
    for _ in range(5):
        with expect_error("CodeMismatchException"):
            anon_idp.respond_to_auth_challenge(ClientId=client["ClientId"], ChallengeName="EMAIL_OTP", Session=challenge["Session"],
                                               ChallengeResponses={"USERNAME": user.username, "EMAIL_OTP_CODE": wrong})
    # Five wrong guesses: even the right code is refused now.
    with expect_error("LimitExceededException"):
        anon_idp.respond_to_auth_challenge(ClientId=client["ClientId"], ChallengeName="EMAIL_OTP", Session=challenge["Session"],
                                           ChallengeResponses={"USERNAME": user.username, "EMAIL_OTP_CODE": message["code"]})
