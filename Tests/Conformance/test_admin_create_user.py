"""AdminCreateUser: invitation, temporary password, MessageAction (user-pools.md)."""
import datetime
import re
import time

from support import (PASSWORD, WEAK_PASSWORD, User, attrs, expect_error, sign_in, unique)


def _create(idp, pool_id, username=None, **kwargs):
    username = username or unique("admin-user")
    kwargs.setdefault("UserAttributes", [{"Name": "email", "Value": f"{username}@example.com"}])
    return username, idp.admin_create_user(UserPoolId=pool_id, Username=username, **kwargs)["User"]


def test_with_temporary_password(idp, anon_idp, pool, client):
    username, created = _create(idp, pool["Id"], TemporaryPassword=PASSWORD, MessageAction="SUPPRESS")
    assert created["Username"] == username
    assert created["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    assert created["Enabled"] is True
    assert isinstance(created["UserCreateDate"], datetime.datetime)
    a = attrs(created["Attributes"])
    assert a["email"] == f"{username}@example.com"
    assert re.fullmatch(r"[0-9a-f-]{36}", a["sub"])

    got = idp.admin_get_user(UserPoolId=pool["Id"], Username=username)
    assert got["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    # The temporary password signs in to a NEW_PASSWORD_REQUIRED challenge (auth-flows.md §4).
    user = User(pool["Id"], client["ClientId"], username, PASSWORD, f"{username}@example.com", a["sub"])
    assert sign_in(anon_idp, user)["ChallengeName"] == "NEW_PASSWORD_REQUIRED"


def test_generated_temporary_password_is_sent(idp, anon_idp, pool, client, outbox):
    username, created = _create(idp, pool["Id"], DesiredDeliveryMediums=["EMAIL"])
    msg = outbox.wait_message(pool["Id"], username, kind="AdminCreateUser")
    assert msg["deliveryMedium"] == "EMAIL"
    assert msg["destination"] == f"{username}@example.com"
    temporary = msg["code"]
    # The generated password satisfies the pool's policy (8+, upper, lower, digit, symbol by default).
    assert len(temporary) >= 8
    assert re.search(r"[A-Z]", temporary) and re.search(r"[a-z]", temporary) and re.search(r"\d", temporary)
    assert re.search(r"[^A-Za-z0-9]", temporary)
    user = User(pool["Id"], client["ClientId"], username, temporary, "", attrs(created["Attributes"])["sub"])
    assert sign_in(anon_idp, user)["ChallengeName"] == "NEW_PASSWORD_REQUIRED"


def test_suppress_sends_nothing(idp, pool, outbox):
    suppressed, _ = _create(idp, pool["Id"], TemporaryPassword=PASSWORD, MessageAction="SUPPRESS",
                            DesiredDeliveryMediums=["EMAIL"])
    # Messages are delivered in log order: once a later invitation has arrived, the suppressed
    # one would have been delivered too.
    invited, _ = _create(idp, pool["Id"], TemporaryPassword=PASSWORD, DesiredDeliveryMediums=["EMAIL"])
    outbox.wait_message(pool["Id"], invited, kind="AdminCreateUser")
    time.sleep(0.3)
    assert outbox.messages(pool["Id"], suppressed) == []


def test_username_exists(idp, pool):
    username, _ = _create(idp, pool["Id"], TemporaryPassword=PASSWORD, MessageAction="SUPPRESS")
    with expect_error("UsernameExistsException"):
        _create(idp, pool["Id"], username=username, TemporaryPassword=PASSWORD, MessageAction="SUPPRESS")


def test_weak_temporary_password(idp, pool):
    with expect_error("InvalidPasswordException"):
        _create(idp, pool["Id"], TemporaryPassword=WEAK_PASSWORD, MessageAction="SUPPRESS")


def test_unknown_pool(idp):
    with expect_error("ResourceNotFoundException"):
        _create(idp, "us-east-1_doesNotExist0", TemporaryPassword=PASSWORD, MessageAction="SUPPRESS")
