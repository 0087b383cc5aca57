"""DeleteUserPoolClient."""
from support import PASSWORD, expect_error


def test_delete_then_describe(idp, anon_idp, pool, client):
    idp.delete_user_pool_client(UserPoolId=pool["Id"], ClientId=client["ClientId"])
    with expect_error("ResourceNotFoundException"):
        idp.describe_user_pool_client(UserPoolId=pool["Id"], ClientId=client["ClientId"])
    with expect_error("ResourceNotFoundException"):
        anon_idp.sign_up(ClientId=client["ClientId"], Username="someone", Password=PASSWORD)
    listed = idp.list_user_pool_clients(UserPoolId=pool["Id"], MaxResults=60)["UserPoolClients"]
    assert client["ClientId"] not in {c["ClientId"] for c in listed}


def test_delete_twice(idp, pool, client):
    idp.delete_user_pool_client(UserPoolId=pool["Id"], ClientId=client["ClientId"])
    with expect_error("ResourceNotFoundException"):
        idp.delete_user_pool_client(UserPoolId=pool["Id"], ClientId=client["ClientId"])
