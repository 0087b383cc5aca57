"""IAM customer managed policies, their attachment to roles, role tags and policy simulation, driven with
boto3's `iam` client (query protocol). Shapes, limits and error codes follow the botocore model
(data/iam/2010-05-08/service-2.json): NoSuchEntity 404, EntityAlreadyExists 409, MalformedPolicyDocument 400,
LimitExceeded 409, DeleteConflict 409, InvalidInput 400, ValidationError 400.

Every policy made here comes from the `policy_factory` fixture (unique names; detached, its non-default
versions deleted and then deleted after the test); roles come from `role_factory`.
"""
from __future__ import annotations

import json
import os
import subprocess
import warnings

import pytest
from botocore.exceptions import ClientError

from support import ACCOUNT_ID, POSTERN_BIN, REPO_ROOT, expect_error, unique


def allow(action: str = "s3:GetObject", resource: str = "*") -> dict:
    return {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action, "Resource": resource}]}


def deny(action: str = "s3:GetObject", resource: str = "*") -> dict:
    return {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": action, "Resource": resource}]}


def _delete_policy_quietly(iam, arn: str) -> None:
    for entity in _attached_roles(iam, arn):
        try:
            iam.detach_role_policy(RoleName=entity, PolicyArn=arn)
        except ClientError:
            pass  # the role's own teardown detached it already
    try:
        for version in iam.list_policy_versions(PolicyArn=arn)["Versions"]:
            if not version["IsDefaultVersion"]:
                iam.delete_policy_version(PolicyArn=arn, VersionId=version["VersionId"])
        iam.delete_policy(PolicyArn=arn)
    except ClientError as err:
        if err.response["Error"]["Code"] != "NoSuchEntity":
            warnings.warn(f"could not delete policy {arn}: {err}")


ATTACHMENTS: dict[str, set[str]] = {}


def _attached_roles(iam, arn: str) -> set[str]:
    return ATTACHMENTS.pop(arn, set())


@pytest.fixture
def policy_factory(iam):
    """create(document=allow(), **CreatePolicy kwargs) -> Policy; deleted after the test."""
    created: list[str] = []

    def create(document=None, **kwargs):
        kwargs.setdefault("PolicyName", unique("policy"))
        doc = allow() if document is None else document
        kwargs["PolicyDocument"] = doc if isinstance(doc, str) else json.dumps(doc)
        policy = iam.create_policy(**kwargs)["Policy"]
        created.append(policy["Arn"])
        return policy

    yield create
    for arn in created:
        _delete_policy_quietly(iam, arn)


def attach(iam, role_name: str, arn: str) -> None:
    iam.attach_role_policy(RoleName=role_name, PolicyArn=arn)
    ATTACHMENTS.setdefault(arn, set()).add(role_name)


def detach(iam, role_name: str, arn: str) -> None:
    iam.detach_role_policy(RoleName=role_name, PolicyArn=arn)
    ATTACHMENTS.get(arn, set()).discard(role_name)


def decision(iam, role_arn: str, action: str = "s3:GetObject", resource: str = "arn:aws:s3:::bucket/key") -> str:
    results = iam.simulate_principal_policy(PolicySourceArn=role_arn, ActionNames=[action],
                                            ResourceArns=[resource])["EvaluationResults"]
    assert len(results) == 1
    return results[0]["EvalDecision"]


# --- CreatePolicy / GetPolicy / DeletePolicy ---

def test_create_policy_returns_the_policy(policy_factory):
    name = unique("policy")
    policy = policy_factory(PolicyName=name, Path="/team/", Description="read objects",
                            Tags=[{"Key": "team", "Value": "id"}])
    assert policy["PolicyName"] == name
    assert policy["Arn"] == f"arn:aws:iam::{ACCOUNT_ID}:policy/team/{name}"
    assert policy["PolicyId"].startswith("ANPA") and len(policy["PolicyId"]) == 21
    assert policy["Path"] == "/team/"
    assert policy["DefaultVersionId"] == "v1"
    assert policy["AttachmentCount"] == 0 and policy["IsAttachable"] is True
    assert policy["Tags"] == [{"Key": "team", "Value": "id"}]
    assert policy["CreateDate"] == policy["UpdateDate"]


def test_get_policy_returns_description_and_tags(iam, policy_factory):
    policy = policy_factory(Description="d", Tags=[{"Key": "k", "Value": "v"}])
    got = iam.get_policy(PolicyArn=policy["Arn"])["Policy"]
    assert got["Description"] == "d" and got["Tags"] == [{"Key": "k", "Value": "v"}]
    assert got["PolicyId"] == policy["PolicyId"]


def test_create_policy_twice_is_entity_already_exists(policy_factory):
    name = unique("policy")
    policy_factory(PolicyName=name)
    with expect_error("EntityAlreadyExists", status=409):
        policy_factory(PolicyName=name.upper(), Path="/other/")


@pytest.mark.parametrize("document", ["{", json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}]})])
def test_malformed_policy_document_is_refused(policy_factory, document):
    with expect_error("MalformedPolicyDocument"):
        policy_factory(document)


def test_policy_over_6144_characters_is_limit_exceeded(policy_factory):
    big = allow(["s3:" + "A" * 60 + str(i) for i in range(100)])
    with expect_error("LimitExceeded", status=409):
        policy_factory(big)


@pytest.mark.parametrize("path", ["team", "/team", "/a b/"])
def test_invalid_path_is_refused(policy_factory, path):
    with expect_error("ValidationError"):
        policy_factory(Path=path)


def test_get_unknown_policy_is_no_such_entity(iam):
    with expect_error("NoSuchEntity", status=404):
        iam.get_policy(PolicyArn=f"arn:aws:iam::{ACCOUNT_ID}:policy/{unique('none')}")


def test_aws_managed_policy_arn_names_no_policy(iam):
    with expect_error("NoSuchEntity", status=404):
        iam.get_policy(PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")


def test_a_malformed_arn_is_invalid_input(iam):
    with expect_error("InvalidInput"):
        iam.get_policy(PolicyArn="not-an-arn-at-all-really")


def test_delete_policy(iam, policy_factory):
    arn = policy_factory()["Arn"]
    iam.delete_policy(PolicyArn=arn)
    with expect_error("NoSuchEntity", status=404):
        iam.get_policy(PolicyArn=arn)


def test_delete_policy_with_versions_is_a_conflict(iam, policy_factory):
    arn = policy_factory()["Arn"]
    iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(deny()))
    with expect_error("DeleteConflict", status=409):
        iam.delete_policy(PolicyArn=arn)
    iam.delete_policy_version(PolicyArn=arn, VersionId="v2")
    iam.delete_policy(PolicyArn=arn)


def test_delete_attached_policy_is_a_conflict(iam, policy_factory, role_factory):
    arn = policy_factory()["Arn"]
    role = role_factory()
    attach(iam, role["RoleName"], arn)
    with expect_error("DeleteConflict", "Cannot delete a policy attached to entities.", status=409):
        iam.delete_policy(PolicyArn=arn)
    detach(iam, role["RoleName"], arn)
    iam.delete_policy(PolicyArn=arn)


def test_a_policy_deleted_and_created_again_takes_new_versions(iam, policy_factory):
    # The second policy of the same name continues the same stream; its writes must see the stream's
    # current version, not the first policy's.
    name = unique("policy")
    arn = policy_factory(PolicyName=name)["Arn"]
    iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(deny()), SetAsDefault=True)
    iam.delete_policy_version(PolicyArn=arn, VersionId="v1")
    iam.delete_policy(PolicyArn=arn)
    again = policy_factory(PolicyName=name)
    assert again["Arn"] == arn and again["DefaultVersionId"] == "v1"
    created = iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(deny()))["PolicyVersion"]
    assert created["VersionId"] == "v2" and created["IsDefaultVersion"] is False
    iam.set_default_policy_version(PolicyArn=arn, VersionId="v2")
    assert iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"] == "v2"


# --- ListPolicies ---

def test_list_policies_filters_by_path_and_pages(iam, policy_factory):
    path = f"/{unique('p')}/"
    names = sorted(policy_factory(Path=path)["PolicyName"] for _ in range(3))
    first = iam.list_policies(Scope="Local", PathPrefix=path, MaxItems=2)
    assert [p["PolicyName"] for p in first["Policies"]] == names[:2] and first["IsTruncated"] is True
    assert "Description" not in first["Policies"][0] and "Tags" not in first["Policies"][0]
    rest = iam.list_policies(Scope="Local", PathPrefix=path, MaxItems=2, Marker=first["Marker"])
    assert [p["PolicyName"] for p in rest["Policies"]] == names[2:] and rest["IsTruncated"] is False
    assert [p["PolicyName"] for p in iam.list_policies(PathPrefix=path)["Policies"]] == names


def test_list_policies_paginator(iam, policy_factory):
    path = f"/{unique('p')}/"
    names = sorted(policy_factory(Path=path)["PolicyName"] for _ in range(3))
    pages = iam.get_paginator("list_policies").paginate(PathPrefix=path, PaginationConfig={"PageSize": 1})
    assert [p["PolicyName"] for page in pages for p in page["Policies"]] == names


def test_list_policies_scope_aws_is_empty_here(iam, policy_factory):
    policy_factory()
    # Postern has no AWS managed policies.
    assert iam.list_policies(Scope="AWS")["Policies"] == []


def test_list_policies_only_attached(iam, policy_factory, role_factory):
    path = f"/{unique('p')}/"
    attached, _ = policy_factory(Path=path), policy_factory(Path=path)
    attach(iam, role_factory()["RoleName"], attached["Arn"])
    listed = iam.list_policies(PathPrefix=path, OnlyAttached=True)["Policies"]
    assert [(p["PolicyName"], p["AttachmentCount"]) for p in listed] == [(attached["PolicyName"], 1)]


# --- Versions ---

def test_policy_versions_lifecycle(iam, policy_factory):
    arn = policy_factory()["Arn"]
    created = iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(deny()), SetAsDefault=True)["PolicyVersion"]
    assert created["VersionId"] == "v2" and created["IsDefaultVersion"] is True
    assert iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"] == "v2"
    got = iam.get_policy_version(PolicyArn=arn, VersionId="v2")["PolicyVersion"]
    assert got["Document"] == deny() and got["IsDefaultVersion"] is True
    assert iam.get_policy_version(PolicyArn=arn, VersionId="v1")["PolicyVersion"]["Document"] == allow()
    listed = iam.list_policy_versions(PolicyArn=arn)["Versions"]
    assert [(v["VersionId"], v["IsDefaultVersion"]) for v in listed] == [("v2", True), ("v1", False)]
    iam.set_default_policy_version(PolicyArn=arn, VersionId="v1")
    assert iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"] == "v1"
    iam.delete_policy_version(PolicyArn=arn, VersionId="v2")
    assert [v["VersionId"] for v in iam.list_policy_versions(PolicyArn=arn)["Versions"]] == ["v1"]
    # Version ids are never reused.
    assert iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(deny()))["PolicyVersion"]["VersionId"] == "v3"


def test_a_sixth_version_is_limit_exceeded(iam, policy_factory):
    arn = policy_factory()["Arn"]
    for _ in range(4):
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(allow()))
    with expect_error("LimitExceeded", status=409):
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(allow()))
    page = iam.list_policy_versions(PolicyArn=arn, MaxItems=2)
    assert [v["VersionId"] for v in page["Versions"]] == ["v5", "v4"] and page["IsTruncated"] is True
    rest = iam.list_policy_versions(PolicyArn=arn, Marker=page["Marker"])
    assert [v["VersionId"] for v in rest["Versions"]] == ["v3", "v2", "v1"]


def test_deleting_the_default_version_is_a_conflict(iam, policy_factory):
    arn = policy_factory()["Arn"]
    with expect_error("DeleteConflict", "Cannot delete the default version of a policy.", status=409):
        iam.delete_policy_version(PolicyArn=arn, VersionId="v1")


def test_unknown_versions_are_no_such_entity(iam, policy_factory):
    arn = policy_factory()["Arn"]
    for call in (iam.get_policy_version, iam.delete_policy_version, iam.set_default_policy_version):
        with expect_error("NoSuchEntity", status=404):
            call(PolicyArn=arn, VersionId="v9")


def test_a_malformed_version_is_refused(iam, policy_factory):
    arn = policy_factory()["Arn"]
    with expect_error("MalformedPolicyDocument"):
        iam.create_policy_version(PolicyArn=arn, PolicyDocument="{")
    with expect_error("ValidationError"):
        iam.get_policy_version(PolicyArn=arn, VersionId="1")


# --- Attach / detach ---

def test_attach_list_and_detach(iam, policy_factory, role_factory):
    role = role_factory()
    path = f"/{unique('p')}/"
    policies = [policy_factory(Path=path if i else "/") for i in range(3)]
    for policy in policies:
        attach(iam, role["RoleName"], policy["Arn"])
    attach(iam, role["RoleName"], policies[0]["Arn"])  # again: a no-op, as in IAM
    assert iam.get_policy(PolicyArn=policies[0]["Arn"])["Policy"]["AttachmentCount"] == 1
    listed = iam.list_attached_role_policies(RoleName=role["RoleName"])["AttachedPolicies"]
    assert sorted(p["PolicyArn"] for p in listed) == sorted(p["Arn"] for p in policies)
    under = iam.list_attached_role_policies(RoleName=role["RoleName"], PathPrefix=path)["AttachedPolicies"]
    assert sorted(p["PolicyName"] for p in under) == sorted(p["PolicyName"] for p in policies[1:])
    first = iam.list_attached_role_policies(RoleName=role["RoleName"], MaxItems=2)
    assert len(first["AttachedPolicies"]) == 2 and first["IsTruncated"] is True
    rest = iam.list_attached_role_policies(RoleName=role["RoleName"], Marker=first["Marker"])
    assert len(rest["AttachedPolicies"]) == 1 and rest["IsTruncated"] is False
    detach(iam, role["RoleName"], policies[0]["Arn"])
    assert iam.get_policy(PolicyArn=policies[0]["Arn"])["Policy"]["AttachmentCount"] == 0
    assert len(iam.list_attached_role_policies(RoleName=role["RoleName"])["AttachedPolicies"]) == 2


def test_attaching_an_unknown_policy_is_no_such_entity(iam, role_factory):
    with expect_error("NoSuchEntity", status=404):
        iam.attach_role_policy(RoleName=role_factory()["RoleName"],
                               PolicyArn=f"arn:aws:iam::{ACCOUNT_ID}:policy/{unique('none')}")


def test_attaching_to_an_unknown_role_is_no_such_entity(iam, policy_factory):
    with expect_error("NoSuchEntity", status=404):
        iam.attach_role_policy(RoleName=unique("none"), PolicyArn=policy_factory()["Arn"])


def test_detaching_a_policy_not_attached_is_no_such_entity(iam, policy_factory, role_factory):
    with expect_error("NoSuchEntity", status=404):
        iam.detach_role_policy(RoleName=role_factory()["RoleName"], PolicyArn=policy_factory()["Arn"])


def test_delete_role_with_attached_policies_is_a_conflict(iam, policy_factory, role_factory):
    role = role_factory()
    arn = policy_factory()["Arn"]
    attach(iam, role["RoleName"], arn)
    with expect_error("DeleteConflict", status=409):
        iam.delete_role(RoleName=role["RoleName"])
    detach(iam, role["RoleName"], arn)
    iam.delete_role(RoleName=role["RoleName"])


def test_more_than_ten_attached_policies_is_limit_exceeded(iam, policy_factory, role_factory):
    role = role_factory()
    for _ in range(10):
        attach(iam, role["RoleName"], policy_factory()["Arn"])
    with expect_error("LimitExceeded", status=409):
        iam.attach_role_policy(RoleName=role["RoleName"], PolicyArn=policy_factory()["Arn"])


# --- Role tags ---

def test_tag_untag_and_list_role_tags(iam, role_factory):
    role = role_factory(Tags=[{"Key": "a", "Value": "1"}])
    iam.tag_role(RoleName=role["RoleName"], Tags=[{"Key": "b", "Value": "2"}, {"Key": "A", "Value": "3"}])
    assert iam.list_role_tags(RoleName=role["RoleName"])["Tags"] == [{"Key": "A", "Value": "3"}, {"Key": "b", "Value": "2"}]
    assert iam.get_role(RoleName=role["RoleName"])["Role"]["Tags"] == [{"Key": "A", "Value": "3"}, {"Key": "b", "Value": "2"}]
    iam.untag_role(RoleName=role["RoleName"], TagKeys=["a", "missing"])
    assert iam.list_role_tags(RoleName=role["RoleName"])["Tags"] == [{"Key": "b", "Value": "2"}]
    page = iam.list_role_tags(RoleName=role["RoleName"], MaxItems=1)
    assert page["IsTruncated"] is False


def test_more_than_fifty_role_tags_is_limit_exceeded(iam, role_factory):
    role = role_factory()
    iam.tag_role(RoleName=role["RoleName"], Tags=[{"Key": f"k{i}", "Value": "v"} for i in range(50)])
    page = iam.list_role_tags(RoleName=role["RoleName"], MaxItems=20)
    assert len(page["Tags"]) == 20 and page["IsTruncated"] is True
    with expect_error("LimitExceeded", status=409):
        iam.tag_role(RoleName=role["RoleName"], Tags=[{"Key": "one-more", "Value": "v"}])


@pytest.mark.parametrize("tags", [[{"Key": "aws:x", "Value": "v"}], [{"Key": "k", "Value": "v"}, {"Key": "K", "Value": "w"}]])
def test_reserved_or_duplicate_tag_keys_are_invalid_input(iam, role_factory, tags):
    with expect_error("InvalidInput"):
        iam.tag_role(RoleName=role_factory()["RoleName"], Tags=tags)


def test_a_tag_value_with_a_bad_character_is_refused(iam, role_factory):
    with expect_error("ValidationError"):
        iam.tag_role(RoleName=role_factory()["RoleName"], Tags=[{"Key": "k", "Value": "semi;colon"}])


def test_tagging_an_unknown_role_is_no_such_entity(iam):
    with expect_error("NoSuchEntity", status=404):
        iam.tag_role(RoleName=unique("none"), Tags=[{"Key": "k", "Value": "v"}])


# --- Simulation ---

def test_attached_policy_takes_effect_in_simulation(iam, policy_factory, role_factory):
    role = role_factory()
    arn = policy_factory(allow("s3:GetObject", "arn:aws:s3:::bucket/*"))["Arn"]
    assert decision(iam, role["Arn"]) == "implicitDeny"
    attach(iam, role["RoleName"], arn)
    assert decision(iam, role["Arn"]) == "allowed"
    assert decision(iam, role["Arn"], "s3:PutObject") == "implicitDeny"
    iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(deny("s3:*")), SetAsDefault=True)
    assert decision(iam, role["Arn"]) == "explicitDeny"
    iam.set_default_policy_version(PolicyArn=arn, VersionId="v1")
    assert decision(iam, role["Arn"]) == "allowed"
    detach(iam, role["RoleName"], arn)
    assert decision(iam, role["Arn"]) == "implicitDeny"


def test_simulation_names_the_matched_statements(iam, policy_factory, role_factory):
    role = role_factory()
    iam.put_role_policy(RoleName=role["RoleName"], PolicyName="inline", PolicyDocument=json.dumps(allow()))
    policy = policy_factory(allow())
    attach(iam, role["RoleName"], policy["Arn"])
    result = iam.simulate_principal_policy(PolicySourceArn=role["Arn"], ActionNames=["s3:GetObject", "s3:PutObject"],
                                           PolicyInputList=[json.dumps(deny("s3:PutObject"))])["EvaluationResults"]
    get, put = result
    assert get["EvalDecision"] == "allowed" and get["EvalResourceName"] == "*"
    assert sorted((s["SourcePolicyId"], s["SourcePolicyType"]) for s in get["MatchedStatements"]) == sorted(
        [("inline", "role"), (policy["PolicyName"], "user-managed")])
    assert put["EvalDecision"] == "explicitDeny"
    assert [s["SourcePolicyId"] for s in put["MatchedStatements"]] == ["PolicyInputList.1"]
    assert put["ResourceSpecificResults"][0]["EvalResourceDecision"] == "explicitDeny"
    iam.delete_role_policy(RoleName=role["RoleName"], PolicyName="inline")


def test_simulate_custom_policy_with_context_entries(iam):
    policy = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*",
        "Condition": {"NumericLessThan": {"s3:max-keys": "10"}, "Bool": {"aws:SecureTransport": "true"}}}]}

    def run(entries):
        return iam.simulate_custom_policy(PolicyInputList=[json.dumps(policy)], ActionNames=["s3:GetObject"],
                                          ResourceArns=["arn:aws:s3:::b/k", "arn:aws:s3:::other/k"],
                                          ContextEntries=entries)["EvaluationResults"]

    results = run([{"ContextKeyName": "s3:max-keys", "ContextKeyValues": ["5"], "ContextKeyType": "numeric"},
                   {"ContextKeyName": "aws:SecureTransport", "ContextKeyValues": ["true"], "ContextKeyType": "boolean"}])
    assert [(r["EvalResourceName"], r["EvalDecision"]) for r in results] == [
        ("arn:aws:s3:::b/k", "allowed"), ("arn:aws:s3:::other/k", "implicitDeny")]
    results = run([{"ContextKeyName": "s3:max-keys", "ContextKeyValues": ["50"], "ContextKeyType": "numeric"}])
    assert results[0]["EvalDecision"] == "implicitDeny"
    assert results[0]["MissingContextValues"] == ["aws:SecureTransport"]
    with expect_error("InvalidInput"):
        run([{"ContextKeyName": "s3:max-keys", "ContextKeyValues": ["many"], "ContextKeyType": "numeric"}])
    with expect_error("InvalidInput"):
        run([{"ContextKeyName": "s3:max-keys", "ContextKeyValues": ["1", "2"], "ContextKeyType": "numeric"}])


def test_simulate_custom_policy_pages(iam):
    pages = iam.simulate_custom_policy(PolicyInputList=[json.dumps(allow("s3:*"))],
                                       ActionNames=["s3:GetObject", "s3:PutObject", "s3:ListBucket"], MaxItems=2)
    assert len(pages["EvaluationResults"]) == 2 and pages["IsTruncated"] is True
    rest = iam.simulate_custom_policy(PolicyInputList=[json.dumps(allow("s3:*"))],
                                      ActionNames=["s3:GetObject", "s3:PutObject", "s3:ListBucket"], Marker=pages["Marker"])
    assert [r["EvalActionName"] for r in rest["EvaluationResults"]] == ["s3:ListBucket"]


def test_simulate_custom_policy_with_a_malformed_policy_is_invalid_input(iam):
    with expect_error("InvalidInput"):
        iam.simulate_custom_policy(PolicyInputList=["{"], ActionNames=["s3:GetObject"])


def test_simulating_an_unknown_role_is_no_such_entity(iam):
    with expect_error("NoSuchEntity", status=404):
        iam.simulate_principal_policy(PolicySourceArn=f"arn:aws:iam::{ACCOUNT_ID}:role/{unique('none')}",
                                      ActionNames=["s3:GetObject"])


# --- Rebuild ---

def test_a_rebuild_reproduces_policies_and_attachments(iam, policy_factory, role_factory):
    if not os.path.exists(POSTERN_BIN):
        pytest.skip(f"{POSTERN_BIN} not built")
    role = role_factory(Tags=[{"Key": "team", "Value": "id"}])
    policy = policy_factory(allow())
    iam.create_policy_version(PolicyArn=policy["Arn"], PolicyDocument=json.dumps(deny()))
    attach(iam, role["RoleName"], policy["Arn"])

    def state():
        return (iam.get_policy(PolicyArn=policy["Arn"])["Policy"],
                iam.list_policy_versions(PolicyArn=policy["Arn"])["Versions"],
                iam.list_attached_role_policies(RoleName=role["RoleName"])["AttachedPolicies"],
                iam.list_role_tags(RoleName=role["RoleName"])["Tags"],
                decision(iam, role["Arn"]))

    before = state()
    proc = subprocess.run([POSTERN_BIN, "projections", "rebuild"], cwd=REPO_ROOT, env=dict(os.environ),
                          capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert state() == before
    assert before[4] == "allowed"
