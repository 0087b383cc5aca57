"""User-pool groups: CreateGroup, GetGroup, UpdateGroup, DeleteGroup, ListGroups, AdminAddUserToGroup,
AdminRemoveUserFromGroup, AdminListGroupsForUser and ListUsersInGroup (botocore cognito-idp model: shapes,
constraints, errors), the group claims of tokens (spec/tokens.md §3-4), PreTokenGeneration's
`groupConfiguration` (spec/triggers.md), deletion cascades, a rebuild, the events in the log, and a group's
role through an identity pool's Token role mapping.

Precedence, ties and the preferred role follow CreateGroup's `Precedence` reference: lower wins, a group
without one comes after every group with one, and groups tied at the top with different roles prefer none.
"""
from __future__ import annotations

import json
import re
import time

import pytest

from support import PASSWORD, claims, expect_error, log_events, make_idp, provider_name_of, unique
from test_identity_credentials import assumed_role_arn, caller, cognito_role, credentials_of
from test_pre_token_generation import SCRIPTED, received
from test_store_rebuild import _rebuild

ROLE_A = "arn:aws:iam::123456789012:role/GroupA"
ROLE_B = "arn:aws:iam::123456789012:role/GroupB"
GROUP_NOT_FOUND = "Group not found."


@pytest.fixture(scope="module")
def unvalidated_idp():
    """A signed client that sends what boto3's model would refuse (parameter_validation=False)."""
    return make_idp(parameter_validation=False)


def new_user(idp, pool_id: str, name: str | None = None, email: str | None = None) -> str:
    """A CONFIRMED user with the default password; returns the username."""
    username = name or unique("member")
    attributes = [{"Name": "email", "Value": email}] if email else []
    idp.admin_create_user(UserPoolId=pool_id, Username=username, MessageAction="SUPPRESS", UserAttributes=attributes)
    idp.admin_set_user_password(UserPoolId=pool_id, Username=username, Password=PASSWORD, Permanent=True)
    return username


def sub_of(idp, pool_id: str, username: str) -> str:
    user = idp.admin_get_user(UserPoolId=pool_id, Username=username)
    return {a["Name"]: a["Value"] for a in user["UserAttributes"]}["sub"]


def sign_in(anon_idp, client_id: str, username: str, metadata: dict | None = None) -> dict:
    kwargs = {"ClientMetadata": metadata} if metadata else {}
    return anon_idp.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                                  AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD}, **kwargs)["AuthenticationResult"]


def refresh(anon_idp, client_id: str, refresh_token: str) -> dict:
    return anon_idp.initiate_auth(ClientId=client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                                  AuthParameters={"REFRESH_TOKEN": refresh_token})["AuthenticationResult"]


def group_names(groups: list[dict]) -> list[str]:
    return [g["GroupName"] for g in groups]


def all_pages(call, key: str, **kwargs) -> tuple[list, int]:
    """Every item of a NextToken-paged operation, and how many pages it took."""
    items, pages, token = [], 0, None
    while True:
        page = call(**kwargs, **({"NextToken": token} if token else {}))
        items += page[key]
        pages += 1
        token = page.get("NextToken")
        if not token:
            return items, pages


# --- CreateGroup, GetGroup, UpdateGroup, DeleteGroup ---

def test_a_group_is_created_read_updated_and_deleted(idp, pool):
    started = time.time()
    created = idp.create_group(UserPoolId=pool["Id"], GroupName="Editors", Description="edit things", RoleArn=ROLE_A,
                               Precedence=3)["Group"]
    # GroupType: GroupName, UserPoolId, Description, RoleArn, Precedence, LastModifiedDate, CreationDate.
    assert created["GroupName"] == "Editors" and created["UserPoolId"] == pool["Id"]
    assert created["Description"] == "edit things" and created["RoleArn"] == ROLE_A and created["Precedence"] == 3
    assert abs(created["CreationDate"].timestamp() - started) < 60
    assert created["LastModifiedDate"] == created["CreationDate"]
    assert idp.get_group(UserPoolId=pool["Id"], GroupName="Editors")["Group"] == created
    with expect_error("ResourceNotFoundException", GROUP_NOT_FOUND):
        idp.get_group(UserPoolId=pool["Id"], GroupName="editors")  # names are case-sensitive
    time.sleep(1.1)
    updated = idp.update_group(UserPoolId=pool["Id"], GroupName="Editors", Description="edit more", Precedence=0)["Group"]
    assert updated["Description"] == "edit more" and updated["Precedence"] == 0
    # "If you don't provide a value for an attribute, it will be set to the default value" (UpdateGroup).
    assert "RoleArn" not in updated
    assert updated["CreationDate"] == created["CreationDate"] and updated["LastModifiedDate"] > created["LastModifiedDate"]
    assert idp.get_group(UserPoolId=pool["Id"], GroupName="Editors")["Group"] == updated
    minimal = idp.create_group(UserPoolId=pool["Id"], GroupName="plain")["Group"]
    assert set(minimal) == {"GroupName", "UserPoolId", "LastModifiedDate", "CreationDate"}
    assert idp.delete_group(UserPoolId=pool["Id"], GroupName="Editors")["ResponseMetadata"]["HTTPStatusCode"] == 200
    with expect_error("ResourceNotFoundException", GROUP_NOT_FOUND):
        idp.get_group(UserPoolId=pool["Id"], GroupName="Editors")
    with expect_error("ResourceNotFoundException", GROUP_NOT_FOUND):
        idp.delete_group(UserPoolId=pool["Id"], GroupName="Editors")
    # The name is free again, and the new group is a new group.
    again = idp.create_group(UserPoolId=pool["Id"], GroupName="Editors")["Group"]
    assert "Description" not in again and again["CreationDate"] > created["CreationDate"]


def test_a_taken_name_is_group_exists_and_an_unknown_pool_is_resource_not_found(idp, pool):
    idp.create_group(UserPoolId=pool["Id"], GroupName="admins")
    with expect_error("GroupExistsException", "A group with the name admins already exists."):
        idp.create_group(UserPoolId=pool["Id"], GroupName="admins", Precedence=1)
    idp.create_group(UserPoolId=pool["Id"], GroupName="Admins")
    missing = pool["Id"].split("_")[0] + "_Missing000"
    for call in (lambda: idp.create_group(UserPoolId=missing, GroupName="g"), lambda: idp.get_group(UserPoolId=missing, GroupName="g"),
                 lambda: idp.list_groups(UserPoolId=missing), lambda: idp.list_users_in_group(UserPoolId=missing, GroupName="g")):
        with expect_error("ResourceNotFoundException", f"User pool {missing} does not exist."):
            call()


@pytest.mark.parametrize("member, kwargs", [
    ("groupName", {"GroupName": "has space"}),
    ("groupName", {"GroupName": "x" * 129}),
    ("groupName", {"GroupName": ""}),
    ("description", {"Description": "d" * 2049}),
    ("roleArn", {"RoleArn": "arn:aws:iam::1:r/x"}),
    ("roleArn", {"RoleArn": "not-an-arn-but-long-enough"}),
    ("precedence", {"Precedence": -1}),
    ("precedence", {"Precedence": 2 ** 31}),
])
def test_values_outside_the_model_are_invalid_parameter(idp, unvalidated_idp, pool, member, kwargs):
    request = {"UserPoolId": pool["Id"], "GroupName": "valid", **kwargs}
    with expect_error("InvalidParameterException") as info:
        unvalidated_idp.create_group(**request)
    assert f"'{member}'" in info.value.response["Error"]["Message"]
    idp.create_group(UserPoolId=pool["Id"], GroupName="valid")
    if member != "groupName":
        with expect_error("InvalidParameterException"):
            unvalidated_idp.update_group(**request)
    # The largest values the model and the docs allow are fine (Precedence up to 2^31-1).
    idp.update_group(UserPoolId=pool["Id"], GroupName="valid", Description="d" * 2048, Precedence=2 ** 31 - 1)
    with expect_error("InvalidParameterException"):
        unvalidated_idp.list_groups(UserPoolId=pool["Id"], Limit=61)


def test_group_names_may_be_any_letters_marks_symbols_numbers_and_punctuation(idp, pool):
    for name in ("Ünïcødé-group", "a.b_c:d@e+f", "数字123", "x" * 128):
        assert idp.create_group(UserPoolId=pool["Id"], GroupName=name)["Group"]["GroupName"] == name
        assert idp.get_group(UserPoolId=pool["Id"], GroupName=name)["Group"]["GroupName"] == name


def test_operations_on_an_unknown_group_are_resource_not_found(idp, pool):
    username = new_user(idp, pool["Id"])
    calls = [
        lambda: idp.update_group(UserPoolId=pool["Id"], GroupName="nope", Precedence=1),
        lambda: idp.delete_group(UserPoolId=pool["Id"], GroupName="nope"),
        lambda: idp.admin_add_user_to_group(UserPoolId=pool["Id"], Username=username, GroupName="nope"),
        lambda: idp.admin_remove_user_from_group(UserPoolId=pool["Id"], Username=username, GroupName="nope"),
        lambda: idp.list_users_in_group(UserPoolId=pool["Id"], GroupName="nope"),
    ]
    for call in calls:
        with expect_error("ResourceNotFoundException", GROUP_NOT_FOUND):
            call()


def test_group_operations_are_admin_operations(pool):
    unsigned = make_idp(unsigned=True)
    with pytest.raises(Exception):
        unsigned.list_groups(UserPoolId=pool["Id"])
    wrong = make_idp(secret_key="not-the-secret-at-all")
    with pytest.raises(Exception):
        wrong.create_group(UserPoolId=pool["Id"], GroupName="g")


# --- memberships ---

def test_adding_is_idempotent_removing_a_non_member_succeeds_and_every_change_is_one_event(idp, pool):
    idp.create_group(UserPoolId=pool["Id"], GroupName="crew")
    username = new_user(idp, pool["Id"])
    for _ in range(2):
        idp.admin_add_user_to_group(UserPoolId=pool["Id"], Username=username, GroupName="crew")
    assert group_names(idp.admin_list_groups_for_user(UserPoolId=pool["Id"], Username=username)["Groups"]) == ["crew"]
    for _ in range(2):
        idp.admin_remove_user_from_group(UserPoolId=pool["Id"], Username=username, GroupName="crew")
    assert idp.admin_list_groups_for_user(UserPoolId=pool["Id"], Username=username)["Groups"] == []
    stream = f"group-{pool['Id']}-crew"
    assert [e["type"] for e in log_events(stream)] == ["GroupCreated", "UserAddedToGroup", "UserRemovedFromGroup"]


def test_an_unknown_user_is_user_not_found(idp, pool):
    idp.create_group(UserPoolId=pool["Id"], GroupName="crew")
    for call in (idp.admin_add_user_to_group, idp.admin_remove_user_from_group):
        with expect_error("UserNotFoundException", "User does not exist."):
            call(UserPoolId=pool["Id"], Username="nobody-here", GroupName="crew")
    with expect_error("UserNotFoundException", "User does not exist."):
        idp.admin_list_groups_for_user(UserPoolId=pool["Id"], Username="nobody-here")


def test_a_user_is_found_by_an_alias_and_by_sub(idp, pool_factory):
    pool = pool_factory(UsernameAttributes=["email"])
    email = f"{unique('alias')}@example.com"
    idp.admin_create_user(UserPoolId=pool["Id"], Username=email, MessageAction="SUPPRESS")
    idp.create_group(UserPoolId=pool["Id"], GroupName="crew")
    idp.admin_add_user_to_group(UserPoolId=pool["Id"], Username=email, GroupName="crew")
    sub = sub_of(idp, pool["Id"], email)
    assert group_names(idp.admin_list_groups_for_user(UserPoolId=pool["Id"], Username=sub)["Groups"]) == ["crew"]


# --- paging ---

def test_list_groups_pages_in_name_order_with_next_token(idp, pool):
    names = [f"g{i:02d}" for i in range(7)]
    for name in reversed(names):
        idp.create_group(UserPoolId=pool["Id"], GroupName=name, Precedence=int(name[1:]))
    first = idp.list_groups(UserPoolId=pool["Id"], Limit=3)
    assert group_names(first["Groups"]) == names[:3] and first["NextToken"]
    groups, pages = all_pages(idp.list_groups, "Groups", UserPoolId=pool["Id"], Limit=3)
    assert group_names(groups) == names and pages == 3
    everything = idp.list_groups(UserPoolId=pool["Id"])
    assert group_names(everything["Groups"]) == names and "NextToken" not in everything
    assert group_names(idp.list_groups(UserPoolId=pool["Id"], Limit=0)["Groups"]) == names
    exact = idp.list_groups(UserPoolId=pool["Id"], Limit=7)
    assert "NextToken" not in exact
    with expect_error("InvalidParameterException"):
        idp.list_groups(UserPoolId=pool["Id"], NextToken="!!!not-a-token")
    # The botocore paginator follows NextToken.
    paged = [g for page in idp.get_paginator("list_groups").paginate(UserPoolId=pool["Id"], PaginationConfig={"PageSize": 2})
             for g in page["Groups"]]
    assert group_names(paged) == names


def test_admin_list_groups_for_user_and_list_users_in_group_page_with_next_token(idp, pool):
    username = new_user(idp, pool["Id"])
    names = ["alpha", "beta", "delta", "gamma", "omega"]
    for name in names:
        idp.create_group(UserPoolId=pool["Id"], GroupName=name)
        idp.admin_add_user_to_group(UserPoolId=pool["Id"], Username=username, GroupName=name)
    idp.create_group(UserPoolId=pool["Id"], GroupName="other")
    groups, pages = all_pages(idp.admin_list_groups_for_user, "Groups", UserPoolId=pool["Id"], Username=username, Limit=2)
    assert group_names(groups) == names and pages == 3
    assert all(set(g) >= {"GroupName", "UserPoolId", "CreationDate", "LastModifiedDate"} for g in groups)
    members = sorted(new_user(idp, pool["Id"], email=f"{unique('m')}@example.com") for _ in range(4)) + [username]
    for member in members[:4]:
        idp.admin_add_user_to_group(UserPoolId=pool["Id"], Username=member, GroupName="alpha")
    users, pages = all_pages(idp.list_users_in_group, "Users", UserPoolId=pool["Id"], GroupName="alpha", Limit=2)
    assert sorted(u["Username"] for u in users) == sorted(members) and pages == 3
    # UserType: Username, Attributes, UserCreateDate, UserLastModifiedDate, Enabled, UserStatus.
    one = next(u for u in users if u["Username"] == members[0])
    assert one["Enabled"] is True and one["UserStatus"] == "CONFIRMED"
    assert {a["Name"] for a in one["Attributes"]} >= {"sub", "email"}
    assert one["UserCreateDate"] and one["UserLastModifiedDate"]
    assert idp.list_users_in_group(UserPoolId=pool["Id"], GroupName="other")["Users"] == []


# --- tokens ---

def test_tokens_carry_groups_in_precedence_order_roles_and_the_preferred_role_and_refreshes_see_changes(
        idp, anon_idp, pool, client):
    username = new_user(idp, pool["Id"])
    for name, precedence, role in [("zeta", None, None), ("beta", 5, ROLE_B), ("alpha", None, ROLE_B), ("top", 1, ROLE_A),
                                   ("plain", 0, None)]:
        idp.create_group(UserPoolId=pool["Id"], GroupName=name, **({"Precedence": precedence} if precedence is not None else {}),
                         **({"RoleArn": role} if role else {}))
        idp.admin_add_user_to_group(UserPoolId=pool["Id"], Username=username, GroupName=name)
    result = sign_in(anon_idp, client["ClientId"], username)
    id_claims, access_claims = claims(result["IdToken"]), claims(result["AccessToken"])
    assert id_claims["cognito:groups"] == ["plain", "top", "beta", "alpha", "zeta"]
    assert access_claims["cognito:groups"] == id_claims["cognito:groups"]
    assert id_claims["cognito:roles"] == [ROLE_A, ROLE_B]
    assert id_claims["cognito:preferred_role"] == ROLE_A, "the lowest precedence among the groups with a role"
    assert "cognito:roles" not in access_claims and "cognito:preferred_role" not in access_claims
    # A refresh reads the groups as they are now.
    idp.admin_remove_user_from_group(UserPoolId=pool["Id"], Username=username, GroupName="top")
    idp.update_group(UserPoolId=pool["Id"], GroupName="beta", Precedence=9)
    refreshed = refresh(anon_idp, client["ClientId"], result["RefreshToken"])
    refreshed_id = claims(refreshed["IdToken"])
    assert refreshed_id["cognito:groups"] == ["plain", "beta", "alpha", "zeta"]
    assert refreshed_id["cognito:roles"] == [ROLE_B] and refreshed_id["cognito:preferred_role"] == ROLE_B
    for name in ["plain", "beta", "alpha", "zeta"]:
        idp.delete_group(UserPoolId=pool["Id"], GroupName=name)
    bare = refresh(anon_idp, client["ClientId"], result["RefreshToken"])
    for token in (claims(bare["IdToken"]), claims(bare["AccessToken"])):
        assert not {"cognito:groups", "cognito:roles", "cognito:preferred_role"} & set(token), "no groups, no group claims"
    # The access token still works against the API with its groups.
    assert anon_idp.get_user(AccessToken=result["AccessToken"])["Username"] == username


@pytest.mark.parametrize("second_role, preferred", [(ROLE_B, None), (ROLE_A, ROLE_A)])
def test_groups_tied_at_the_top_prefer_their_role_only_if_they_share_it(idp, anon_idp, pool, client, second_role, preferred):
    # "If two groups with the same Precedence have the same role ARN, that role is used ...; if the two groups
    # have different role ARNs, the cognito:preferred_role claim isn't set" (CreateGroup, Precedence).
    username = new_user(idp, pool["Id"])
    for name, role in [("first", ROLE_A), ("second", second_role)]:
        idp.create_group(UserPoolId=pool["Id"], GroupName=name, Precedence=2, RoleArn=role)
        idp.admin_add_user_to_group(UserPoolId=pool["Id"], Username=username, GroupName=name)
    idp.create_group(UserPoolId=pool["Id"], GroupName="later", Precedence=3, RoleArn="arn:aws:iam::123456789012:role/Later")
    idp.admin_add_user_to_group(UserPoolId=pool["Id"], Username=username, GroupName="later")
    id_claims = claims(sign_in(anon_idp, client["ClientId"], username)["IdToken"])
    assert id_claims["cognito:groups"] == ["first", "second", "later"]
    assert id_claims.get("cognito:preferred_role") == preferred


def test_pre_token_generation_is_told_the_groups_and_its_override_still_wins(idp, anon_idp, pool_factory, client_factory):
    pool = pool_factory(LambdaConfig={"PreTokenGeneration": SCRIPTED})
    client = client_factory(pool_id=pool["Id"])
    username = new_user(idp, pool["Id"])
    idp.create_group(UserPoolId=pool["Id"], GroupName="readers", Precedence=4, RoleArn=ROLE_B)
    idp.create_group(UserPoolId=pool["Id"], GroupName="admins", Precedence=1, RoleArn=ROLE_A)
    for name in ("readers", "admins"):
        idp.admin_add_user_to_group(UserPoolId=pool["Id"], Username=username, GroupName=name)
    plain = sign_in(anon_idp, client["ClientId"], username, {"answer": json.dumps({"claimsOverrideDetails": None})})
    assert received(pool["Id"], username, "TokenGeneration_Authentication")["request"]["groupConfiguration"] == {
        "groupsToOverride": ["admins", "readers"], "iamRolesToOverride": [ROLE_A, ROLE_B], "preferredRole": ROLE_A}
    assert claims(plain["IdToken"])["cognito:groups"] == ["admins", "readers"]
    override = {"claimsOverrideDetails": {"groupOverrideDetails": {
        "groupsToOverride": ["hooked"], "iamRolesToOverride": [ROLE_B], "preferredRole": ROLE_B}}}
    hooked = sign_in(anon_idp, client["ClientId"], username, {"answer": json.dumps(override)})
    id_claims = claims(hooked["IdToken"])
    assert id_claims["cognito:groups"] == ["hooked"] and claims(hooked["AccessToken"])["cognito:groups"] == ["hooked"]
    assert id_claims["cognito:roles"] == [ROLE_B] and id_claims["cognito:preferred_role"] == ROLE_B
    # A refresh tells the hook the current groups.
    idp.admin_remove_user_from_group(UserPoolId=pool["Id"], Username=username, GroupName="admins")
    anon_idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="REFRESH_TOKEN_AUTH",
                           AuthParameters={"REFRESH_TOKEN": plain["RefreshToken"]}, ClientMetadata={"answer": "{}"})
    assert received(pool["Id"], username, "TokenGeneration_RefreshTokens")["request"]["groupConfiguration"] == {
        "groupsToOverride": ["readers"], "iamRolesToOverride": [ROLE_B], "preferredRole": ROLE_B}


# --- deletion cascades ---

def test_deleting_a_group_ends_its_memberships_and_a_group_created_again_starts_empty(idp, anon_idp, pool, client):
    username = new_user(idp, pool["Id"])
    idp.create_group(UserPoolId=pool["Id"], GroupName="temp", RoleArn=ROLE_A)
    idp.admin_add_user_to_group(UserPoolId=pool["Id"], Username=username, GroupName="temp")
    idp.delete_group(UserPoolId=pool["Id"], GroupName="temp")
    assert idp.admin_list_groups_for_user(UserPoolId=pool["Id"], Username=username)["Groups"] == []
    idp.create_group(UserPoolId=pool["Id"], GroupName="temp")
    assert idp.list_users_in_group(UserPoolId=pool["Id"], GroupName="temp")["Users"] == []
    assert "cognito:groups" not in claims(sign_in(anon_idp, client["ClientId"], username)["IdToken"])
    # The recreated group continues its stream and takes members again.
    idp.admin_add_user_to_group(UserPoolId=pool["Id"], Username=username, GroupName="temp")
    assert [e["type"] for e in log_events(f"group-{pool['Id']}-temp")] == [
        "GroupCreated", "UserAddedToGroup", "GroupDeleted", "GroupCreated", "UserAddedToGroup"]


def test_deleting_a_user_ends_their_memberships(idp, pool):
    idp.create_group(UserPoolId=pool["Id"], GroupName="crew")
    leaving, staying = new_user(idp, pool["Id"]), new_user(idp, pool["Id"])
    for member in (leaving, staying):
        idp.admin_add_user_to_group(UserPoolId=pool["Id"], Username=member, GroupName="crew")
    idp.admin_delete_user(UserPoolId=pool["Id"], Username=leaving)
    assert [u["Username"] for u in idp.list_users_in_group(UserPoolId=pool["Id"], GroupName="crew")["Users"]] == [staying]
    # A new user under the old name starts in no group.
    new_user(idp, pool["Id"], name=leaving)
    assert idp.admin_list_groups_for_user(UserPoolId=pool["Id"], Username=leaving)["Groups"] == []


def test_deleting_a_pool_deletes_its_groups(idp, pool_factory):
    pool = pool_factory()
    username = new_user(idp, pool["Id"])
    idp.create_group(UserPoolId=pool["Id"], GroupName="crew")
    idp.admin_add_user_to_group(UserPoolId=pool["Id"], Username=username, GroupName="crew")
    idp.delete_user_pool(UserPoolId=pool["Id"])
    with expect_error("ResourceNotFoundException"):
        idp.get_group(UserPoolId=pool["Id"], GroupName="crew")
    with expect_error("ResourceNotFoundException"):
        idp.list_groups(UserPoolId=pool["Id"])


# --- the log, a rebuild, quotas ---

def test_events_name_members_by_sub_and_hold_no_personal_data(idp, pool):
    email = f"{unique('private')}@example.com"
    username = new_user(idp, pool["Id"], email=email)
    sub = sub_of(idp, pool["Id"], username)
    idp.create_group(UserPoolId=pool["Id"], GroupName="audited", Description="who is in", RoleArn=ROLE_A, Precedence=2)
    idp.admin_add_user_to_group(UserPoolId=pool["Id"], Username=username, GroupName="audited")
    idp.update_group(UserPoolId=pool["Id"], GroupName="audited", Precedence=1)
    idp.admin_remove_user_from_group(UserPoolId=pool["Id"], Username=username, GroupName="audited")
    idp.delete_group(UserPoolId=pool["Id"], GroupName="audited")
    events = log_events(f"group-{pool['Id']}-audited")
    assert [e["type"] for e in events] == ["GroupCreated", "UserAddedToGroup", "GroupUpdated", "UserRemovedFromGroup", "GroupDeleted"]
    text = json.dumps(events)
    assert username not in text and email not in text
    assert events[1]["data"]["sub"] == sub and events[1]["data"]["groupName"] == "audited"
    assert events[0]["data"]["roleArn"] == ROLE_A and events[0]["data"]["precedence"] == 2
    assert all(e["metadata"]["actor"].startswith("admin:") for e in events)
    assert [e["metadata"]["operation"] for e in events] == [
        "CreateGroup", "AdminAddUserToGroup", "UpdateGroup", "AdminRemoveUserFromGroup", "DeleteGroup"]


def test_a_rebuild_reproduces_groups_and_memberships(idp, anon_idp, pool, client):
    username, other = new_user(idp, pool["Id"]), new_user(idp, pool["Id"])
    idp.create_group(UserPoolId=pool["Id"], GroupName="kept", Description="k", RoleArn=ROLE_A, Precedence=1)
    idp.create_group(UserPoolId=pool["Id"], GroupName="gone")
    for name in ("kept", "gone"):
        idp.admin_add_user_to_group(UserPoolId=pool["Id"], Username=username, GroupName=name)
    idp.admin_add_user_to_group(UserPoolId=pool["Id"], Username=other, GroupName="kept")
    idp.admin_remove_user_from_group(UserPoolId=pool["Id"], Username=other, GroupName="kept")
    idp.delete_group(UserPoolId=pool["Id"], GroupName="gone")
    before = (idp.list_groups(UserPoolId=pool["Id"])["Groups"],
              idp.list_users_in_group(UserPoolId=pool["Id"], GroupName="kept")["Users"],
              idp.admin_list_groups_for_user(UserPoolId=pool["Id"], Username=username)["Groups"])
    _rebuild()
    after = (idp.list_groups(UserPoolId=pool["Id"])["Groups"],
             idp.list_users_in_group(UserPoolId=pool["Id"], GroupName="kept")["Users"],
             idp.admin_list_groups_for_user(UserPoolId=pool["Id"], Username=username)["Groups"])
    assert after == before
    # The rebuilt rows carry the streams' versions: the groups can be changed again.
    idp.update_group(UserPoolId=pool["Id"], GroupName="kept", Precedence=2)
    idp.admin_add_user_to_group(UserPoolId=pool["Id"], Username=other, GroupName="kept")
    with expect_error("GroupExistsException"):
        idp.create_group(UserPoolId=pool["Id"], GroupName="kept")
    idp.create_group(UserPoolId=pool["Id"], GroupName="gone")
    assert claims(sign_in(anon_idp, client["ClientId"], username)["IdToken"])["cognito:groups"] == ["kept"]


def test_group_operations_count_against_cognitos_quota_categories(idp, pool_factory):
    import subprocess

    from support import POSTERN_BIN, REPO_ROOT
    out = subprocess.run([POSTERN_BIN, "operations", "--json"], cwd=REPO_ROOT, capture_output=True, text=True, check=True).stdout
    quotas = {e["name"]: e["quota"] for e in map(json.loads, out.splitlines())}
    assert {name: quotas[name] for name in ("CreateGroup", "UpdateGroup", "DeleteGroup")} == dict.fromkeys(
        ("CreateGroup", "UpdateGroup", "DeleteGroup"), "UserPoolResourceUpdate")
    assert quotas["GetGroup"] == quotas["ListGroups"] == "UserPoolResourceRead"
    assert quotas["AdminAddUserToGroup"] == quotas["AdminRemoveUserFromGroup"] == "UserResourceUpdate"
    assert quotas["AdminListGroupsForUser"] == "UserResourceRead"
    assert quotas["ListUsersInGroup"] == "UserList"
    pool = pool_factory(UserPoolTags={"postern:quota:UserPoolResourceRead": "1"})
    idp.create_group(UserPoolId=pool["Id"], GroupName="busy")
    throttled = 0
    for _ in range(8):
        try:
            idp.get_group(UserPoolId=pool["Id"], GroupName="busy")
        except idp.exceptions.TooManyRequestsException:
            throttled += 1
    assert throttled > 0
    # Another category of the same pool keeps its own quota.
    for _ in range(3):
        idp.list_users_in_group(UserPoolId=pool["Id"], GroupName="busy")


# --- identity pools: a group's role through a Token role mapping ---

def test_a_group_role_is_the_role_a_token_role_mapping_gives(
        idp, anon_idp, identity, anon_identity, identity_pool_factory, role_factory, pool_factory, client_factory):
    pool = pool_factory()
    client = client_factory(pool_id=pool["Id"])
    identity_pool_id = identity_pool_factory(AllowUnauthenticatedIdentities=False)["IdentityPoolId"]
    editor, reader, default = (cognito_role(role_factory, identity_pool_id, "authenticated") for _ in range(3))
    idp.create_group(UserPoolId=pool["Id"], GroupName="editors", Precedence=1, RoleArn=editor["Arn"])
    idp.create_group(UserPoolId=pool["Id"], GroupName="readers", Precedence=2, RoleArn=reader["Arn"])
    username = new_user(idp, pool["Id"])
    for name in ("editors", "readers"):
        idp.admin_add_user_to_group(UserPoolId=pool["Id"], Username=username, GroupName=name)
    id_token = sign_in(anon_idp, client["ClientId"], username)["IdToken"]
    provider = provider_name_of(id_token)
    assert claims(id_token)["cognito:preferred_role"] == editor["Arn"]
    identity.update_identity_pool(
        IdentityPoolId=identity_pool_id, IdentityPoolName=identity.describe_identity_pool(IdentityPoolId=identity_pool_id)["IdentityPoolName"],
        AllowUnauthenticatedIdentities=False,
        CognitoIdentityProviders=[{"ProviderName": provider, "ClientId": client["ClientId"], "ServerSideTokenCheck": False}])
    identity.set_identity_pool_roles(
        IdentityPoolId=identity_pool_id, Roles={"authenticated": default["Arn"]},
        RoleMappings={f"{provider}:{client['ClientId']}": {"Type": "Token", "AmbiguousRoleResolution": "AuthenticatedRole"}})
    identity_id = anon_identity.get_id(IdentityPoolId=identity_pool_id, Logins={provider: id_token})["IdentityId"]
    creds = credentials_of(anon_identity, identity_id, {provider: id_token})["Credentials"]
    assert caller(creds)["Arn"] == assumed_role_arn(editor)
    chosen = credentials_of(anon_identity, identity_id, {provider: id_token}, CustomRoleArn=reader["Arn"])["Credentials"]
    assert caller(chosen)["Arn"] == assumed_role_arn(reader)
    # Without groups the mapping falls back to the pool's authenticated role (AmbiguousRoleResolution).
    for name in ("editors", "readers"):
        idp.admin_remove_user_from_group(UserPoolId=pool["Id"], Username=username, GroupName=name)
    bare_token = sign_in(anon_idp, client["ClientId"], username)["IdToken"]
    fallback = credentials_of(anon_identity, identity_id, {provider: bare_token})["Credentials"]
    assert caller(fallback)["Arn"] == assumed_role_arn(default)
    assert re.match(r"ASIA", fallback["AccessKeyId"])
