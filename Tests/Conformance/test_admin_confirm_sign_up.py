"""AdminConfirmSignUp: confirm without a code."""
from support import expect_error, tokens


def test_confirms_and_sign_in_works(idp, anon_idp, signed_up_user):
    user = signed_up_user
    resp = idp.admin_confirm_sign_up(UserPoolId=user.pool_id, Username=user.username)
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert idp.admin_get_user(UserPoolId=user.pool_id, Username=user.username)["UserStatus"] == "CONFIRMED"
    assert tokens(anon_idp, user)["AccessToken"]


def test_already_confirmed(idp, confirmed_user):
    with expect_error("NotAuthorizedException"):
        idp.admin_confirm_sign_up(UserPoolId=confirmed_user.pool_id, Username=confirmed_user.username)


def test_unknown_user(idp, pool):
    with expect_error("UserNotFoundException", "User does not exist."):
        idp.admin_confirm_sign_up(UserPoolId=pool["Id"], Username="nobody-here")


def test_unknown_pool(idp):
    with expect_error("ResourceNotFoundException"):
        idp.admin_confirm_sign_up(UserPoolId="us-east-1_doesNotExist0", Username="nobody-here")
