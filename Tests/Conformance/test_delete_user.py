"""DeleteUser: the user deletes their own account with an access token."""
from botocore.exceptions import ClientError

from support import expect_error, sign_in, tokens


def test_delete_self(idp, anon_idp, confirmed_user):
    user = confirmed_user
    auth = tokens(anon_idp, user)
    anon_idp.delete_user(AccessToken=auth["AccessToken"])
    with expect_error("UserNotFoundException"):
        sign_in(anon_idp, user)
    with expect_error("UserNotFoundException"):
        idp.admin_get_user(UserPoolId=user.pool_id, Username=user.username)
    # The token of a deleted user no longer works (tokens.md §5; NotAuthorized vs UserNotFound unconfirmed).
    try:
        anon_idp.get_user(AccessToken=auth["AccessToken"])
        raise AssertionError("GetUser succeeded for a deleted user")
    except ClientError as err:
        assert err.response["Error"]["Code"] in ("NotAuthorizedException", "UserNotFoundException")
        assert err.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_with_garbage(anon_idp):
    with expect_error("NotAuthorizedException"):
        anon_idp.delete_user(AccessToken="not-a-token")
