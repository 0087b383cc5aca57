"""DeleteUserPool (user-pools.md: refused while DeletionProtection=ACTIVE)."""
from support import expect_error, sign_up


def test_delete_then_describe(idp, pool_factory):
    pool = pool_factory()
    assert idp.delete_user_pool(UserPoolId=pool["Id"])["ResponseMetadata"]["HTTPStatusCode"] == 200
    with expect_error("ResourceNotFoundException"):
        idp.describe_user_pool(UserPoolId=pool["Id"])


def test_delete_removes_clients_and_users(idp, anon_idp, pool_factory):
    pool = pool_factory()
    client = idp.create_user_pool_client(UserPoolId=pool["Id"], ClientName="c")["UserPoolClient"]
    user = sign_up(anon_idp, pool["Id"], client)
    idp.delete_user_pool(UserPoolId=pool["Id"])
    with expect_error("ResourceNotFoundException"):
        idp.admin_get_user(UserPoolId=pool["Id"], Username=user.username)
    with expect_error("ResourceNotFoundException"):
        anon_idp.sign_up(ClientId=client["ClientId"], Username="someone", Password="Corr3ct-Horse!")


def test_deletion_protection(idp, pool_factory):
    pool = pool_factory(DeletionProtection="ACTIVE")
    assert pool["DeletionProtection"] == "ACTIVE"
    with expect_error("InvalidParameterException"):
        idp.delete_user_pool(UserPoolId=pool["Id"])
    idp.describe_user_pool(UserPoolId=pool["Id"])  # still there
    idp.update_user_pool(UserPoolId=pool["Id"], DeletionProtection="INACTIVE")
    idp.delete_user_pool(UserPoolId=pool["Id"])
    with expect_error("ResourceNotFoundException"):
        idp.describe_user_pool(UserPoolId=pool["Id"])


def test_unknown_pool(idp):
    with expect_error("ResourceNotFoundException"):
        idp.delete_user_pool(UserPoolId="us-east-1_doesNotExist0")
