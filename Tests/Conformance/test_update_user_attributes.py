"""UpdateUserAttributes, AdminUpdateUserAttributes, GetUserAttributeVerificationCode and VerifyUserAttribute,
with CustomMessage_UpdateUserAttribute and CustomMessage_VerifyUserAttribute (spec/user-pools.md,
spec/triggers.md §4)."""
import json

from support import PASSWORD, attrs, expect_error, other_code, sign_up, tokens, unique

SCRIPTED = "arn:aws:lambda:us-east-1:123456789012:function:scripted"


def signed_in(idp, anon_idp, pool, client, outbox):
    user = sign_up(anon_idp, pool["Id"], client)
    anon_idp.confirm_sign_up(ClientId=client["ClientId"], Username=user.username,
                             ConfirmationCode=outbox.code(pool["Id"], user.username, kind="SignUp"))
    return user, tokens(anon_idp, user)["AccessToken"]


def current(anon_idp, access):
    return attrs(anon_idp.get_user(AccessToken=access)["UserAttributes"])


def test_a_new_email_is_unverified_until_its_code_comes_back(idp, anon_idp, pool, client, outbox):
    user, access = signed_in(idp, anon_idp, pool, client, outbox)
    assert current(anon_idp, access)["email_verified"] == "true"
    new_email = f"new-{user.username}@example.com"
    result = anon_idp.update_user_attributes(AccessToken=access, UserAttributes=[
        {"Name": "email", "Value": new_email}, {"Name": "name", "Value": "Ada"}])
    [delivery] = result["CodeDeliveryDetailsList"]
    assert delivery["AttributeName"] == "email" and delivery["DeliveryMedium"] == "EMAIL"
    seen = current(anon_idp, access)
    assert seen["email"] == new_email and seen["email_verified"] == "false" and seen["name"] == "Ada"
    message = outbox.wait_message(pool["Id"], user.username, kind="UpdateUserAttribute")
    assert message["destination"] == new_email
    with expect_error("CodeMismatchException"):
        anon_idp.verify_user_attribute(AccessToken=access, AttributeName="email", Code=other_code(message["code"]))
    anon_idp.verify_user_attribute(AccessToken=access, AttributeName="email", Code=message["code"])
    assert current(anon_idp, access)["email_verified"] == "true"
    with expect_error("CodeMismatchException"):
        anon_idp.verify_user_attribute(AccessToken=access, AttributeName="email", Code=message["code"])


def test_a_blank_value_deletes_and_users_cannot_verify_by_themselves(idp, anon_idp, pool, client, outbox):
    user, access = signed_in(idp, anon_idp, pool, client, outbox)
    anon_idp.update_user_attributes(AccessToken=access, UserAttributes=[{"Name": "name", "Value": "Temp"}])
    assert anon_idp.update_user_attributes(AccessToken=access, UserAttributes=[{"Name": "name", "Value": ""}])["CodeDeliveryDetailsList"] == []
    assert "name" not in current(anon_idp, access)
    with expect_error("NotAuthorizedException", "A client attempted to write unauthorized attribute"):
        anon_idp.update_user_attributes(AccessToken=access, UserAttributes=[{"Name": "email_verified", "Value": "true"}])
    with expect_error("InvalidParameterException"):
        anon_idp.update_user_attributes(AccessToken=access, UserAttributes=[{"Name": "no_such_thing", "Value": "x"}])


def test_an_administrator_may_set_a_verified_email(idp, anon_idp, pool, client, outbox):
    user, access = signed_in(idp, anon_idp, pool, client, outbox)
    before = len(outbox.messages(pool["Id"], user.username))
    idp.admin_update_user_attributes(UserPoolId=pool["Id"], Username=user.username, UserAttributes=[
        {"Name": "email", "Value": f"admin-set-{user.username}@example.com"}, {"Name": "email_verified", "Value": "true"}])
    seen = attrs(idp.admin_get_user(UserPoolId=pool["Id"], Username=user.username)["UserAttributes"])
    assert seen["email"] == f"admin-set-{user.username}@example.com" and seen["email_verified"] == "true"
    assert len(outbox.messages(pool["Id"], user.username)) == before, "a verified email needs no code"


def test_a_verification_code_on_request(idp, anon_idp, pool, client, outbox):
    user, access = signed_in(idp, anon_idp, pool, client, outbox)
    delivery = anon_idp.get_user_attribute_verification_code(AccessToken=access, AttributeName="email")["CodeDeliveryDetails"]
    assert delivery["AttributeName"] == "email"
    code = outbox.code(pool["Id"], user.username, kind="VerifyUserAttribute")
    anon_idp.verify_user_attribute(AccessToken=access, AttributeName="email", Code=code)
    with expect_error("InvalidParameterException"):
        anon_idp.get_user_attribute_verification_code(AccessToken=access, AttributeName="phone_number")


def test_custom_message_writes_both_messages(idp, anon_idp, pool_factory, client_factory, outbox):
    pool = pool_factory(LambdaConfig={"CustomMessage": SCRIPTED}, AutoVerifiedAttributes=["email"])
    client = client_factory(pool_id=pool["Id"])
    username = unique("attr")
    idp.admin_create_user(UserPoolId=pool["Id"], Username=username, MessageAction="SUPPRESS",
                          UserAttributes=[{"Name": "email", "Value": f"{username}@example.com"}, {"Name": "email_verified", "Value": "true"}])
    idp.admin_set_user_password(UserPoolId=pool["Id"], Username=username, Password=PASSWORD, Permanent=True)
    access = anon_idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="USER_PASSWORD_AUTH",
                                    AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD})["AuthenticationResult"]["AccessToken"]
    metadata = {"answer": json.dumps({"emailSubject": "Confirm your new address", "emailMessage": "Code {####}"})}
    anon_idp.update_user_attributes(AccessToken=access, ClientMetadata=metadata,
                                    UserAttributes=[{"Name": "email", "Value": f"moved-{username}@example.com"}])
    message = outbox.wait_message(pool["Id"], username, kind="UpdateUserAttribute")
    assert message["subject"] == "Confirm your new address" and message["message"] == f"Code {message['code']}"
    with open(f"/tmp/postern-hook-events/{pool['Id']}-{username}.CustomMessage_UpdateUserAttribute.json") as f:
        event = json.load(f)
    assert event["request"]["userAttributes"]["email"] == f"moved-{username}@example.com"
    assert event["callerContext"]["clientId"] == client["ClientId"]

    anon_idp.get_user_attribute_verification_code(AccessToken=access, AttributeName="email",
                                                  ClientMetadata={"answer": json.dumps({"emailMessage": "Verify: {####}"})})
    message = outbox.wait_message(pool["Id"], username, kind="VerifyUserAttribute")
    assert message["message"] == f"Verify: {message['code']}"
    with open(f"/tmp/postern-hook-events/{pool['Id']}-{username}.CustomMessage_VerifyUserAttribute.json") as f:
        assert json.load(f)["triggerSource"] == "CustomMessage_VerifyUserAttribute"
