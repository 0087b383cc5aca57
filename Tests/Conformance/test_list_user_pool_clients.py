"""ListUserPoolClients: id, name and pool id only; NextToken paging (user-pools.md)."""
from support import expect_error


def test_pagination_collects_every_client(idp, pool, client_factory):
    created = {client_factory(GenerateSecret=True)["ClientId"] for _ in range(3)}
    seen: list[str] = []
    kwargs = {"UserPoolId": pool["Id"], "MaxResults": 2}
    for _ in range(100):
        page = idp.list_user_pool_clients(**kwargs)
        assert len(page["UserPoolClients"]) <= 2
        for item in page["UserPoolClients"]:
            assert item["UserPoolId"] == pool["Id"]
            assert item["ClientName"]
            # UserPoolClientDescription has no ClientSecret (model).
            assert "ClientSecret" not in item
            seen.append(item["ClientId"])
        if not page.get("NextToken"):
            break
        kwargs["NextToken"] = page["NextToken"]
    else:
        raise AssertionError("pagination did not end")
    assert len(seen) == len(set(seen))
    assert set(seen) == created


def test_empty_pool(idp, pool):
    assert idp.list_user_pool_clients(UserPoolId=pool["Id"], MaxResults=10)["UserPoolClients"] == []


def test_unknown_pool(idp):
    with expect_error("ResourceNotFoundException"):
        idp.list_user_pool_clients(UserPoolId="us-east-1_doesNotExist0", MaxResults=10)
