"""AdminGetUser."""
import datetime

from support import attrs, expect_error


def test_returns_user(idp, signed_up_user):
    user = signed_up_user
    got = idp.admin_get_user(UserPoolId=user.pool_id, Username=user.username)
    assert got["Username"] == user.username
    assert got["UserStatus"] == "UNCONFIRMED"
    assert got["Enabled"] is True
    assert isinstance(got["UserCreateDate"], datetime.datetime)
    assert isinstance(got["UserLastModifiedDate"], datetime.datetime)
    assert got["UserLastModifiedDate"] >= got["UserCreateDate"]
    a = attrs(got["UserAttributes"])
    assert a["sub"] == user.sub
    assert a["email"] == user.email


def test_status_after_confirmation(idp, confirmed_user):
    got = idp.admin_get_user(UserPoolId=confirmed_user.pool_id, Username=confirmed_user.username)
    assert got["UserStatus"] == "CONFIRMED"


def test_unknown_user(idp, pool):
    # "User does not exist." (auth-flows.md §11, observed).
    with expect_error("UserNotFoundException", "User does not exist."):
        idp.admin_get_user(UserPoolId=pool["Id"], Username="nobody-here")


def test_unknown_pool(idp):
    with expect_error("ResourceNotFoundException"):
        idp.admin_get_user(UserPoolId="us-east-1_doesNotExist0", Username="nobody-here")
