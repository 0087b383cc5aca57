"""CustomMessage (spec/triggers.md): the hook writes the text of code and invitation messages for
SignUp, ResendConfirmationCode, AdminCreateUser (and ForgotPassword, in test_forgot_password.py); null
fields keep the pool's templates, a message without the code placeholder is refused. The `scripted`
fixture records the event and answers with the response passed in ClientMetadata."""
import json
import os
import subprocess

from support import PASSWORD, POSTERN_BIN, REPO_ROOT, expect_error, unique

SCRIPTED = "arn:aws:lambda:us-east-1:123456789012:function:scripted"


def received(pool_id, username, source):
    with open(f"/tmp/postern-hook-events/{pool_id}-{username}.{source}.json") as f:
        return json.load(f)


def script(**response):
    return {"answer": json.dumps(response)}


def custom_pool(pool_factory, client_factory, **extra):
    pool = pool_factory(LambdaConfig={"CustomMessage": SCRIPTED}, AutoVerifiedAttributes=extra.pop("verify", ["email"]), **extra)
    return pool, client_factory(pool_id=pool["Id"])


def sign_up(anon_idp, client, username, metadata, attributes=None):
    return anon_idp.sign_up(ClientId=client["ClientId"], Username=username, Password=PASSWORD, ClientMetadata=metadata,
                            UserAttributes=attributes or [{"Name": "email", "Value": f"{username}@example.com"}])


def test_the_hook_writes_the_sign_up_email(anon_idp, pool_factory, client_factory, outbox):
    pool, client = custom_pool(pool_factory, client_factory)
    username = unique("msg")
    metadata = script(emailSubject="Welcome to Acme", emailMessage="<p>Hello {username}, your code is <b>{####}</b></p>")
    sign_up(anon_idp, client, username, metadata)
    message = outbox.wait_message(pool["Id"], username, kind="SignUp")
    assert message["subject"] == "Welcome to Acme"
    assert message["message"] == f"<p>Hello {username}, your code is <b>{message['code']}</b></p>"

    event = received(pool["Id"], username, "CustomMessage_SignUp")
    assert event["request"]["codeParameter"] == "{####}"
    assert event["request"]["usernameParameter"] is None
    assert event["request"]["clientMetadata"] == metadata
    assert event["request"]["userAttributes"]["email"] == f"{username}@example.com"
    assert event["request"]["userAttributes"]["cognito:user_status"] == "UNCONFIRMED"
    assert event["response"] == {"smsMessage": None, "emailMessage": None, "emailSubject": None}
    assert event["callerContext"]["clientId"] == client["ClientId"]


def test_null_fields_keep_the_pools_template(anon_idp, pool_factory, client_factory, outbox):
    pool, client = custom_pool(pool_factory, client_factory, VerificationMessageTemplate={
        "EmailSubject": "Pool subject", "EmailMessage": "Pool says {####}", "DefaultEmailOption": "CONFIRM_WITH_CODE"})
    username = unique("msg")
    sign_up(anon_idp, client, username, script(emailMessage="Hook says {####}"))
    message = outbox.wait_message(pool["Id"], username, kind="SignUp")
    assert message["subject"] == "Pool subject"
    assert message["message"] == f"Hook says {message['code']}"
    other = unique("msg")
    sign_up(anon_idp, client, other, script())
    assert outbox.wait_message(pool["Id"], other, kind="SignUp")["message"].startswith("Pool says ")


def test_resend_runs_the_hook_with_its_source(anon_idp, pool_factory, client_factory, outbox):
    pool, client = custom_pool(pool_factory, client_factory)
    username = unique("msg")
    sign_up(anon_idp, client, username, script())
    anon_idp.resend_confirmation_code(ClientId=client["ClientId"], Username=username,
                                      ClientMetadata=script(emailMessage="Again: {####}", emailSubject="Your new code"))
    message = outbox.wait_message(pool["Id"], username, kind="ResendCode")
    assert message["message"] == f"Again: {message['code']}" and message["subject"] == "Your new code"
    assert received(pool["Id"], username, "CustomMessage_ResendCode")["triggerSource"] == "CustomMessage_ResendCode"


def test_the_invitation_of_an_admin_created_user(idp, pool_factory, client_factory, outbox):
    pool, _ = custom_pool(pool_factory, client_factory)
    username = unique("inv")
    idp.admin_create_user(UserPoolId=pool["Id"], Username=username, DesiredDeliveryMediums=["EMAIL"],
                          UserAttributes=[{"Name": "email", "Value": f"{username}@example.com"}],
                          ClientMetadata=script(emailSubject="You're invited",
                                                emailMessage="Sign in as {username} with {####}"))
    message = outbox.wait_message(pool["Id"], username, kind="AdminCreateUser")
    assert message["subject"] == "You're invited"
    assert message["message"] == f"Sign in as {username} with {message['code']}"
    event = received(pool["Id"], username, "CustomMessage_AdminCreateUser")
    assert event["request"]["usernameParameter"] == "{username}"
    assert event["request"]["userAttributes"]["cognito:user_status"] == "FORCE_CHANGE_PASSWORD"


def test_an_sms_message(anon_idp, pool_factory, client_factory, outbox):
    pool, client = custom_pool(pool_factory, client_factory, verify=["phone_number"])
    username = unique("sms")
    sign_up(anon_idp, client, username, script(smsMessage="Acme code {####}", emailMessage="not used {####}"),
            attributes=[{"Name": "phone_number", "Value": "+15555550100"}])
    message = outbox.wait_message(pool["Id"], username, kind="SignUp")
    assert message["deliveryMedium"] == "SMS"
    assert message["message"] == f"Acme code {message['code']}"


def test_a_message_without_the_code_is_refused_and_nothing_is_created(idp, anon_idp, pool_factory, client_factory):
    pool, client = custom_pool(pool_factory, client_factory)
    username = unique("msg")
    with expect_error("InvalidLambdaResponseException"):
        sign_up(anon_idp, client, username, script(emailMessage="No code here"))
    with expect_error("UserNotFoundException"):
        idp.admin_get_user(UserPoolId=pool["Id"], Username=username)


def test_a_rejection_fails_the_sign_up(idp, anon_idp, pool_factory, client_factory):
    pool, client = custom_pool(pool_factory, client_factory)
    username = unique("msg")
    with expect_error("UserLambdaValidationException", "CustomMessage failed with error Template service down."):
        sign_up(anon_idp, client, username, {"reject": "Template service down"})
    with expect_error("UserNotFoundException"):
        idp.admin_get_user(UserPoolId=pool["Id"], Username=username)


def test_the_run_is_recorded_without_the_text(anon_idp, pool_factory, client_factory, outbox):
    pool, client = custom_pool(pool_factory, client_factory)
    username = unique("msg")
    sub = sign_up(anon_idp, client, username, script(emailMessage="Secret-ish text {####}"))["UserSub"]
    outbox.wait_message(pool["Id"], username, kind="SignUp")
    out = subprocess.run([POSTERN_BIN, "events", "--stream", f"user-{sub}", "--type", "MessageQueued"], cwd=REPO_ROOT,
                         env=dict(os.environ), capture_output=True, text=True, check=True).stdout
    [queued] = [json.loads(line) for line in out.splitlines()]
    [hook] = queued["data"]["hooks"]
    assert hook["triggerSource"] == "CustomMessage_SignUp" and hook["decision"] == {"customized": ["message"]}
    assert "Secret-ish" not in out
