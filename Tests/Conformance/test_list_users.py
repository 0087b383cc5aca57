"""ListUsers: Filter, AttributesToGet, Limit + PaginationToken (user-pools.md "ListUsers filter")."""
import pytest

from support import PASSWORD, expect_error, sign_up, unique


def _admin_user(idp, pool_id, username, email):
    idp.admin_create_user(UserPoolId=pool_id, Username=username, TemporaryPassword=PASSWORD,
                          MessageAction="SUPPRESS", UserAttributes=[{"Name": "email", "Value": email}])


@pytest.fixture
def population(idp, anon_idp, pool, client):
    """alice + alfred + bob (admin-created, FORCE_CHANGE_PASSWORD) and carol (signed up, UNCONFIRMED)."""
    tag = unique("t")
    names = {n: f"{n}-{tag}" for n in ("alice", "alfred", "bob", "carol")}
    for n in ("alice", "alfred", "bob"):
        _admin_user(idp, pool["Id"], names[n], f"{n}-{tag}@example.com")
    sign_up(anon_idp, pool["Id"], client, username=names["carol"])
    return tag, names


def _usernames(resp):
    return {u["Username"] for u in resp["Users"]}


def test_lists_everyone(idp, pool, population):
    _, names = population
    resp = idp.list_users(UserPoolId=pool["Id"])
    assert _usernames(resp) == set(names.values())
    for u in resp["Users"]:
        assert u["Enabled"] is True
        assert u["UserStatus"] in ("FORCE_CHANGE_PASSWORD", "UNCONFIRMED")
        assert "UserCreateDate" in u and "UserLastModifiedDate" in u
        assert {a["Name"] for a in u["Attributes"]} >= {"sub", "email"}


def test_pagination_collects_all(idp, pool, population):
    _, names = population
    seen: list[str] = []
    kwargs = {"UserPoolId": pool["Id"], "Limit": 2}
    for _ in range(20):
        page = idp.list_users(**kwargs)
        assert len(page["Users"]) <= 2
        seen += [u["Username"] for u in page["Users"]]
        if not page.get("PaginationToken"):
            break
        kwargs["PaginationToken"] = page["PaginationToken"]
    else:
        raise AssertionError("pagination did not end")
    assert len(seen) == len(set(seen))
    assert set(seen) == set(names.values())


def test_filter_email_equals(idp, pool, population):
    tag, names = population
    resp = idp.list_users(UserPoolId=pool["Id"], Filter=f'email = "alice-{tag}@example.com"')
    assert _usernames(resp) == {names["alice"]}


def test_filter_email_prefix(idp, pool, population):
    _, names = population
    resp = idp.list_users(UserPoolId=pool["Id"], Filter='email ^= "al"')
    assert _usernames(resp) == {names["alice"], names["alfred"]}


def test_filter_user_status(idp, pool, population):
    _, names = population
    resp = idp.list_users(UserPoolId=pool["Id"], Filter='cognito:user_status = "UNCONFIRMED"')
    assert _usernames(resp) == {names["carol"]}


def test_filter_username(idp, pool, population):
    _, names = population
    resp = idp.list_users(UserPoolId=pool["Id"], Filter=f'username = "{names["bob"]}"')
    assert _usernames(resp) == {names["bob"]}


def test_filter_no_match(idp, pool, population):
    assert idp.list_users(UserPoolId=pool["Id"], Filter='email = "nobody@example.com"')["Users"] == []


def test_attributes_to_get(idp, pool, population):
    resp = idp.list_users(UserPoolId=pool["Id"], AttributesToGet=["email"])
    assert resp["Users"]
    for u in resp["Users"]:
        assert {a["Name"] for a in u.get("Attributes", [])} == {"email"}


@pytest.mark.parametrize("bad", [
    "email = alice",              # value not quoted
    'email ~ "alice"',            # unknown operator
    'custom:tier = "gold"',       # custom attributes are not filterable (user-pools.md)
    'nonsense',
])
def test_bad_filter(idp, pool, bad):
    with expect_error("InvalidParameterException"):
        idp.list_users(UserPoolId=pool["Id"], Filter=bad)


def test_limit_out_of_range(idp, pool):
    # QueryLimitType is 0-60 (model); botocore does not check the maximum.
    with expect_error("InvalidParameterException"):
        idp.list_users(UserPoolId=pool["Id"], Limit=61)


def test_unknown_pool(idp):
    with expect_error("ResourceNotFoundException"):
        idp.list_users(UserPoolId="us-east-1_doesNotExist0")
