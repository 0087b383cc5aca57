"""ListUserPools: MaxResults (required, 1-60) and NextToken paging (user-pools.md)."""
from support import expect_error, unique


def test_pagination_collects_every_pool(idp, pool_factory):
    prefix = unique("list")
    ids = {pool_factory(PoolName=f"{prefix}-{i}")["Id"] for i in range(3)}

    seen: list[str] = []
    names: dict[str, str] = {}
    kwargs = {"MaxResults": 2}
    for _ in range(10_000):
        page = idp.list_user_pools(**kwargs)
        assert len(page["UserPools"]) <= 2
        for item in page["UserPools"]:
            assert set(item) >= {"Id", "Name"}
            seen.append(item["Id"])
            names[item["Id"]] = item["Name"]
        token = page.get("NextToken")
        if not token:
            break
        kwargs = {"MaxResults": 2, "NextToken": token}
    else:
        raise AssertionError("pagination did not end")
    assert len(seen) == len(set(seen)), "a pool appeared on two pages"
    assert ids <= set(seen)
    for pool_id in ids:
        assert names[pool_id].startswith(prefix)


def test_deleted_pool_is_not_listed(idp, pool_factory):
    pool = pool_factory()
    idp.delete_user_pool(UserPoolId=pool["Id"])
    seen = set()
    kwargs = {"MaxResults": 60}
    while True:
        page = idp.list_user_pools(**kwargs)
        seen |= {p["Id"] for p in page["UserPools"]}
        if not page.get("NextToken"):
            break
        kwargs["NextToken"] = page["NextToken"]
    assert pool["Id"] not in seen


def test_max_results_out_of_range(idp):
    # PoolQueryLimitType is 1-60 (model); the server enforces the maximum.
    with expect_error("InvalidParameterException"):
        idp.list_user_pools(MaxResults=61)
