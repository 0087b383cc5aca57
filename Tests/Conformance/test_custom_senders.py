"""CustomEmailSender and CustomSMSSender (spec/triggers.md): the hook is the transport for codes and
invitations; it runs from the outbox after the operation committed, receives the code in plain text or
sealed with its declared key (AES-256-GCM), and Postern sends nothing itself."""
import base64
import json
import os
import subprocess
import time

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from support import PASSWORD, POSTERN_BIN, REPO_ROOT, unique

SENDER = "arn:aws:lambda:us-east-1:123456789012:function:custom-sender"
SEALED = "arn:aws:lambda:us-east-1:123456789012:function:custom-sender-sealed"
CRASH = "arn:aws:lambda:us-east-1:123456789012:function:presignup-crash"
KMS = "arn:aws:kms:us-east-1:123456789012:key/1111-2222"
KEY = base64.b64decode((REPO_ROOT / "Tests/Fixtures/hooks/sender-code.key").read_text().strip())


def received(pool_id, username, source, timeout=10):
    path = f"/tmp/postern-hook-events/{pool_id}-{username}.{source}.json"
    deadline = time.monotonic() + timeout
    while not os.path.exists(path):
        assert time.monotonic() < deadline, f"{source} never ran for {username}"
        time.sleep(0.05)
    time.sleep(0.05)
    with open(path) as f:
        return json.load(f)


def events(stream, event_type):
    out = subprocess.run([POSTERN_BIN, "events", "--stream", stream, "--type", event_type], cwd=REPO_ROOT,
                         env=dict(os.environ), capture_output=True, text=True, check=True).stdout
    return [json.loads(line) for line in out.splitlines()]


def sender_pool(pool_factory, client_factory, email=SENDER, sms=None, verify=("email",)):
    config = {"KMSKeyID": KMS}
    if email:
        config["CustomEmailSender"] = {"LambdaVersion": "V1_0", "LambdaArn": email}
    if sms:
        config["CustomSMSSender"] = {"LambdaVersion": "V1_0", "LambdaArn": sms}
    pool = pool_factory(LambdaConfig=config, AutoVerifiedAttributes=list(verify))
    return pool, client_factory(pool_id=pool["Id"]), config


def test_the_email_sender_gets_the_sign_up_code_and_postern_sends_nothing(idp, anon_idp, pool_factory, client_factory, outbox):
    pool, client, config = sender_pool(pool_factory, client_factory)
    assert idp.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]["LambdaConfig"] == config
    username = unique("snd")
    anon_idp.sign_up(ClientId=client["ClientId"], Username=username, Password=PASSWORD, ClientMetadata={"campaign": "spring"},
                     UserAttributes=[{"Name": "email", "Value": f"{username}@example.com"}])
    event = received(pool["Id"], username, "CustomEmailSender_SignUp")
    assert event["request"]["clientMetadata"] == {"campaign": "spring"}
    assert event["version"] == "1"
    assert event["request"]["type"] == "customEmailSenderRequestV1"
    assert event["request"]["userAttributes"]["email"] == f"{username}@example.com"
    assert event["request"]["userAttributes"]["cognito:user_status"] == "UNCONFIRMED"
    assert event["callerContext"]["clientId"] == client["ClientId"]
    code = event["request"]["code"]
    anon_idp.confirm_sign_up(ClientId=client["ClientId"], Username=username, ConfirmationCode=code)
    assert outbox.messages(pool["Id"], username) == [], "the hook is the transport"


def test_a_declared_code_key_seals_the_code(anon_idp, pool_factory, client_factory):
    pool, client, _ = sender_pool(pool_factory, client_factory, email=SEALED)
    username = unique("sealed")
    sub = anon_idp.sign_up(ClientId=client["ClientId"], Username=username, Password=PASSWORD,
                           UserAttributes=[{"Name": "email", "Value": f"{username}@example.com"}])["UserSub"]
    sealed = base64.b64decode(received(pool["Id"], username, "CustomEmailSender_SignUp")["request"]["code"])
    code = AESGCM(KEY).decrypt(sealed[:12], sealed[12:], None).decode()
    assert code.isdigit() and len(code) == 6
    anon_idp.confirm_sign_up(ClientId=client["ClientId"], Username=username, ConfirmationCode=code)
    deadline = time.monotonic() + 5
    while not (invoked := events(f"user-{sub}", "HookInvoked")):
        assert time.monotonic() < deadline
        time.sleep(0.1)
    assert invoked[0]["data"]["invocation"]["triggerSource"] == "CustomEmailSender_SignUp"
    assert invoked[0]["data"]["invocation"]["outcome"] == "ok"
    assert code not in json.dumps(invoked)


def test_the_sms_sender_and_a_forgot_password_code(idp, anon_idp, pool_factory, client_factory):
    pool, client, _ = sender_pool(pool_factory, client_factory, email=None, sms=SENDER, verify=("phone_number",))
    username = unique("sms")
    idp.admin_create_user(UserPoolId=pool["Id"], Username=username, MessageAction="SUPPRESS",
                          UserAttributes=[{"Name": "phone_number", "Value": "+15555550123"},
                                          {"Name": "phone_number_verified", "Value": "true"}])
    idp.admin_set_user_password(UserPoolId=pool["Id"], Username=username, Password=PASSWORD, Permanent=True)
    anon_idp.forgot_password(ClientId=client["ClientId"], Username=username)
    event = received(pool["Id"], username, "CustomSMSSender_ForgotPassword")
    assert event["request"]["type"] == "customSMSSenderRequestV1"
    anon_idp.confirm_forgot_password(ClientId=client["ClientId"], Username=username, ConfirmationCode=event["request"]["code"],
                                     Password="An0ther-Pass!")


def test_a_temporary_password_is_html_escaped(idp, pool_factory, client_factory):
    pool, _, _ = sender_pool(pool_factory, client_factory)
    username = unique("inv")
    idp.admin_create_user(UserPoolId=pool["Id"], Username=username, TemporaryPassword="Temp<Pass>9!", DesiredDeliveryMediums=["EMAIL"],
                          UserAttributes=[{"Name": "email", "Value": f"{username}@example.com"}])
    assert received(pool["Id"], username, "CustomEmailSender_AdminCreateUser")["request"]["code"] == "Temp&lt;Pass&gt;9!"


def test_a_failing_sender_is_retried_then_recorded(anon_idp, pool_factory, client_factory, outbox):
    pool, client, _ = sender_pool(pool_factory, client_factory, email=CRASH)
    username = unique("fail")
    sub = anon_idp.sign_up(ClientId=client["ClientId"], Username=username, Password=PASSWORD,
                           UserAttributes=[{"Name": "email", "Value": f"{username}@example.com"}])["UserSub"]
    deadline = time.monotonic() + 15
    while not (invoked := events(f"user-{sub}", "HookInvoked")):
        assert time.monotonic() < deadline, "the failed hand-over was never recorded"
        time.sleep(0.2)
    assert invoked[0]["data"]["invocation"]["outcome"] == "UnexpectedLambdaException"
    assert outbox.messages(pool["Id"], username) == []


def test_the_sms_sender_carries_mfa_codes(idp, anon_idp, pool_factory, client_factory):
    pool, client, _ = sender_pool(pool_factory, client_factory, email=None, sms=SENDER)
    idp.set_user_pool_mfa_config(
        UserPoolId=pool["Id"], MfaConfiguration="OPTIONAL",
        SmsMfaConfiguration={"SmsConfiguration": {"SnsCallerArn": "arn:aws:iam::000000000000:role/sns", "ExternalId": "x"}})
    username = unique("smsmfa")
    idp.admin_create_user(UserPoolId=pool["Id"], Username=username, MessageAction="SUPPRESS",
                          UserAttributes=[{"Name": "phone_number", "Value": "+15555550123"}])
    idp.admin_set_user_password(UserPoolId=pool["Id"], Username=username, Password=PASSWORD, Permanent=True)
    idp.admin_set_user_mfa_preference(UserPoolId=pool["Id"], Username=username, SMSMfaSettings={"Enabled": True, "PreferredMfa": True})
    challenge = anon_idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="USER_PASSWORD_AUTH",
                                       AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD})
    assert challenge["ChallengeName"] == "SMS_MFA"
    event = received(pool["Id"], username, "CustomSMSSender_Authentication")
    assert event["request"]["type"] == "customSMSSenderRequestV1"
    assert event["request"]["userAttributes"]["phone_number"] == "+15555550123"
    done = anon_idp.respond_to_auth_challenge(ClientId=client["ClientId"], ChallengeName="SMS_MFA", Session=challenge["Session"],
                                              ChallengeResponses={"USERNAME": username, "SMS_MFA_CODE": event["request"]["code"]})
    assert "AuthenticationResult" in done
