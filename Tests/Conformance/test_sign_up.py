"""SignUp (unsigned public operation; user-pools.md "Sign-up and confirmation")."""
import re
import uuid

from support import (PASSWORD, WEAK_PASSWORD, attrs, expect_error, secret_hash, sign_up, unique)

UUID_RE = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


def test_sign_up_returns_sub_and_delivery(anon_idp, pool, client):
    username = unique("user")
    email = f"{username}@example.com"
    resp = anon_idp.sign_up(ClientId=client["ClientId"], Username=username, Password=PASSWORD,
                            UserAttributes=[{"Name": "email", "Value": email}])
    assert re.fullmatch(UUID_RE, resp["UserSub"]), resp["UserSub"]
    assert uuid.UUID(resp["UserSub"]).version == 4
    assert resp["UserConfirmed"] is False
    details = resp["CodeDeliveryDetails"]
    assert details["DeliveryMedium"] == "EMAIL"
    assert details["AttributeName"] == "email"
    # Destination is masked (guide example `j****@e****`; exact rules unconfirmed, user-pools.md).
    assert details["Destination"] != email
    assert "*" in details["Destination"]


def test_user_is_unconfirmed_with_attributes(idp, anon_idp, pool, client):
    user = sign_up(anon_idp, pool["Id"], client)
    got = idp.admin_get_user(UserPoolId=pool["Id"], Username=user.username)
    assert got["UserStatus"] == "UNCONFIRMED"
    assert got["Enabled"] is True
    a = attrs(got["UserAttributes"])
    assert a["sub"] == user.sub
    assert a["email"] == user.email


def test_code_is_delivered(anon_idp, pool, client, outbox):
    user = sign_up(anon_idp, pool["Id"], client)
    msg = outbox.wait_message(pool["Id"], user.username, kind="SignUp")
    assert msg["deliveryMedium"] == "EMAIL"
    assert msg["destination"] == user.email
    # Codes are 6 digits (user-pools.md, observed).
    assert re.fullmatch(r"\d{6}", msg["code"]), msg["code"]
    assert msg["code"] in msg["message"]


def test_custom_attribute(idp, anon_idp, pool, client):
    user = sign_up(anon_idp, pool["Id"], client, extra_attributes=[{"Name": "custom:tier", "Value": "gold"}])
    got = attrs(idp.admin_get_user(UserPoolId=pool["Id"], Username=user.username)["UserAttributes"])
    assert got["custom:tier"] == "gold"


def test_unknown_custom_attribute(anon_idp, pool, client):
    with expect_error("InvalidParameterException"):
        sign_up(anon_idp, pool["Id"], client, extra_attributes=[{"Name": "custom:nope", "Value": "x"}])


def test_weak_password(anon_idp, pool, client):
    with expect_error("InvalidPasswordException"):
        sign_up(anon_idp, pool["Id"], client, password=WEAK_PASSWORD)


def test_username_exists(anon_idp, pool, client):
    user = sign_up(anon_idp, pool["Id"], client)
    # "User already exists" (auth-flows.md §11, observed).
    with expect_error("UsernameExistsException", "User already exists"):
        sign_up(anon_idp, pool["Id"], client, username=user.username)


def test_required_attribute_missing(idp, anon_idp, pool_factory):
    pool = pool_factory(Schema=[{"Name": "email", "AttributeDataType": "String", "Required": True, "Mutable": True}])
    client = idp.create_user_pool_client(UserPoolId=pool["Id"], ClientName="c")["UserPoolClient"]
    with expect_error("InvalidParameterException"):
        anon_idp.sign_up(ClientId=client["ClientId"], Username=unique("user"), Password=PASSWORD)


def test_secret_client_requires_secret_hash(anon_idp, pool, secret_client):
    username = unique("user")
    # "Unable to verify secret hash for client <clientId>" (auth-flows.md §2, observed).
    message = f"Unable to verify secret hash for client {secret_client['ClientId']}"
    with expect_error("NotAuthorizedException", message):
        anon_idp.sign_up(ClientId=secret_client["ClientId"], Username=username, Password=PASSWORD)
    with expect_error("NotAuthorizedException", message):
        anon_idp.sign_up(ClientId=secret_client["ClientId"], Username=username, Password=PASSWORD,
                         SecretHash=secret_hash(username, secret_client["ClientId"], "wrong-secret"))
    user = sign_up(anon_idp, pool["Id"], secret_client, username=username)
    assert user.sub


def test_unknown_client(anon_idp):
    with expect_error("ResourceNotFoundException"):
        anon_idp.sign_up(ClientId="a" * 26, Username=unique("user"), Password=PASSWORD)


def test_email_as_username_pool_signs_in_by_email_and_keeps_it_unique(idp, anon_idp, pool_factory, client_factory):
    # spec/user-pools.md: with UsernameAttributes the email is the sign-in name and the internal
    # username is generated (the sub); a second account with the same email is UsernameExists.
    email_pool = pool_factory(UsernameAttributes=["email"], AutoVerifiedAttributes=["email"])
    app = client_factory(pool_id=email_pool["Id"])
    email = f"{unique('owner')}@example.com"
    created = anon_idp.sign_up(ClientId=app["ClientId"], Username=email, Password=PASSWORD)
    with expect_error("UsernameExistsException"):
        anon_idp.sign_up(ClientId=app["ClientId"], Username=email, Password=PASSWORD)
    with expect_error("InvalidParameterException"):
        anon_idp.sign_up(ClientId=app["ClientId"], Username="not-an-email", Password=PASSWORD)
    idp.admin_confirm_sign_up(UserPoolId=email_pool["Id"], Username=email)
    user = idp.admin_get_user(UserPoolId=email_pool["Id"], Username=email)
    assert user["Username"] == created["UserSub"]
    assert {"Name": "email", "Value": email} in user["UserAttributes"]
    tokens = anon_idp.initiate_auth(ClientId=app["ClientId"], AuthFlow="USER_PASSWORD_AUTH",
                                    AuthParameters={"USERNAME": email, "PASSWORD": PASSWORD})["AuthenticationResult"]
    assert anon_idp.get_user(AccessToken=tokens["AccessToken"])["Username"] == created["UserSub"]
