"""STS AssumeRole for the account's own admin keys, as boto3's `sts` client calls it.

The admin keys are the account root: a role's trust policy must name the account (or `*`) for
`sts:AssumeRole`; ExternalId, RoleSessionName and SourceIdentity are condition keys; tags need
`sts:TagSession`; a session policy narrows the session. Temporary credentials are not admin keys,
so they cannot assume roles themselves (no role chaining), and every exchange is an event.
"""
from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
from botocore.exceptions import ClientError

from support import ACCOUNT_ID, log_events, make_iam, make_sts

ROOT = f"arn:aws:iam::{ACCOUNT_ID}:root"


def account_trust(*, actions=("sts:AssumeRole",), condition: dict | None = None, principal=None) -> dict:
    statement = {"Effect": "Allow", "Principal": {"AWS": principal or ROOT}, "Action": list(actions)}
    if condition:
        statement["Condition"] = condition
    return {"Version": "2012-10-17", "Statement": [statement]}


def error_of(call, **kwargs) -> tuple[str, str, int]:
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    err = caught.value.response
    return err["Error"]["Code"], err["Error"]["Message"], err["ResponseMetadata"]["HTTPStatusCode"]


def test_admin_keys_assume_a_role_that_trusts_the_account(sts, role_factory):
    role = role_factory(account_trust())
    answer = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="deploy-1")
    credentials = answer["Credentials"]
    assert credentials["AccessKeyId"].startswith("ASIA")
    assert credentials["SecretAccessKey"] and credentials["SessionToken"]
    remaining = (credentials["Expiration"] - datetime.now(timezone.utc)).total_seconds()
    assert 3500 < remaining <= 3600
    assert answer["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{ACCOUNT_ID}:assumed-role/{role['RoleName']}/deploy-1"
    assert answer["AssumedRoleUser"]["AssumedRoleId"] == f"{role['RoleId']}:deploy-1"
    assert "PackedPolicySize" not in answer


def test_the_credentials_are_the_assumed_role(sts, role_factory):
    role = role_factory(account_trust())
    credentials = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="who-am-i")["Credentials"]
    me = make_sts(credentials["AccessKeyId"], credentials["SecretAccessKey"],
                  session_token=credentials["SessionToken"]).get_caller_identity()
    assert me["Arn"] == f"arn:aws:sts::{ACCOUNT_ID}:assumed-role/{role['RoleName']}/who-am-i"
    assert me["UserId"] == f"{role['RoleId']}:who-am-i"
    assert me["Account"] == ACCOUNT_ID


@pytest.mark.parametrize("principal", [ACCOUNT_ID, "*"])
def test_an_account_id_or_everyone_as_principal_also_trusts_the_keys(sts, role_factory, principal):
    role = role_factory(account_trust(principal=principal))
    assert sts.assume_role(RoleArn=role["Arn"], RoleSessionName="s1")["Credentials"]["AccessKeyId"].startswith("ASIA")


def test_a_role_trusting_only_cognito_identities_is_access_denied(sts, role_factory):
    role = role_factory()  # the default trust: cognito-identity.amazonaws.com only
    code, message, status = error_of(sts.assume_role, RoleArn=role["Arn"], RoleSessionName="s1")
    assert (code, status) == ("AccessDenied", 403)
    assert message == f"User: {ROOT} is not authorized to perform: sts:AssumeRole on resource: {role['Arn']}"


def test_a_role_trusting_another_account_is_access_denied(sts, role_factory):
    role = role_factory(account_trust(principal="arn:aws:iam::111122223333:root"))
    assert error_of(sts.assume_role, RoleArn=role["Arn"], RoleSessionName="s1")[0] == "AccessDenied"


def test_an_unknown_role_is_access_denied_like_an_untrusted_one(sts):
    arn = f"arn:aws:iam::{ACCOUNT_ID}:role/no-such-role-here"
    code, message, _ = error_of(sts.assume_role, RoleArn=arn, RoleSessionName="s1")
    assert code == "AccessDenied" and arn in message


def test_external_id_is_a_condition_key(sts, role_factory):
    role = role_factory(account_trust(condition={"StringEquals": {"sts:ExternalId": "partner-42"}}))
    assert error_of(sts.assume_role, RoleArn=role["Arn"], RoleSessionName="s1")[0] == "AccessDenied"
    assert error_of(sts.assume_role, RoleArn=role["Arn"], RoleSessionName="s1", ExternalId="partner-41")[0] == "AccessDenied"
    assert sts.assume_role(RoleArn=role["Arn"], RoleSessionName="s1", ExternalId="partner-42")["Credentials"]


def test_role_session_name_is_a_condition_key(sts, role_factory):
    role = role_factory(account_trust(condition={"StringLike": {"sts:RoleSessionName": "ci-*"}}))
    assert sts.assume_role(RoleArn=role["Arn"], RoleSessionName="ci-build-7")["Credentials"]
    assert error_of(sts.assume_role, RoleArn=role["Arn"], RoleSessionName="laptop")[0] == "AccessDenied"


def test_source_identity_is_returned_and_is_a_condition_key(sts, role_factory):
    role = role_factory(account_trust(condition={"StringEquals": {"sts:SourceIdentity": "alice"}}))
    answer = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="s1", SourceIdentity="alice")
    assert answer["SourceIdentity"] == "alice"
    assert error_of(sts.assume_role, RoleArn=role["Arn"], RoleSessionName="s1", SourceIdentity="bob")[0] == "AccessDenied"


def test_session_tags_need_tag_session_in_the_trust_policy(sts, role_factory):
    untagged = role_factory(account_trust())
    tags = [{"Key": "team", "Value": "blue"}]
    assert error_of(sts.assume_role, RoleArn=untagged["Arn"], RoleSessionName="s1", Tags=tags)[0] == "AccessDenied"
    tagging = role_factory(account_trust(actions=("sts:AssumeRole", "sts:TagSession")))
    answer = sts.assume_role(RoleArn=tagging["Arn"], RoleSessionName="s1", Tags=tags)
    assert 1 <= answer["PackedPolicySize"] <= 100


def test_request_tags_are_condition_keys_of_tag_session(sts, role_factory):
    trust = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": ROOT}, "Action": "sts:AssumeRole"},
        {"Effect": "Allow", "Principal": {"AWS": ROOT}, "Action": "sts:TagSession",
         "Condition": {"StringEquals": {"aws:RequestTag/team": "blue"}}},
    ]}
    role = role_factory(trust)
    assert sts.assume_role(RoleArn=role["Arn"], RoleSessionName="s1", Tags=[{"Key": "team", "Value": "blue"}])
    assert error_of(sts.assume_role, RoleArn=role["Arn"], RoleSessionName="s1",
                    Tags=[{"Key": "team", "Value": "red"}])[0] == "AccessDenied"


def test_duplicate_tag_keys_regardless_of_case_are_refused(sts, role_factory):
    role = role_factory(account_trust(actions=("sts:AssumeRole", "sts:TagSession")))
    code, message, status = error_of(sts.assume_role, RoleArn=role["Arn"], RoleSessionName="s1",
                                     Tags=[{"Key": "Team", "Value": "a"}, {"Key": "team", "Value": "b"}])
    assert (code, status) == ("ValidationError", 400) and "case insensitive" in message


def test_a_session_policy_is_accepted_and_reported_in_packed_size(sts, role_factory):
    role = role_factory(account_trust())
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": "*"}]}
    answer = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="s1", Policy=json.dumps(policy))
    assert 1 <= answer["PackedPolicySize"] <= 100


def test_a_malformed_session_policy_is_refused(sts, role_factory):
    role = role_factory(account_trust())
    code, _, status = error_of(sts.assume_role, RoleArn=role["Arn"], RoleSessionName="s1", Policy="{not json")
    assert (code, status) == ("MalformedPolicyDocument", 400)


def test_managed_session_policies_must_exist_in_the_account(sts, role_factory):
    role = role_factory(account_trust())
    missing = f"arn:aws:iam::{ACCOUNT_ID}:policy/no-such-policy-here"
    code, message, status = error_of(sts.assume_role, RoleArn=role["Arn"], RoleSessionName="s1", PolicyArns=[{"arn": missing}])
    assert (code, status) == ("MalformedPolicyDocument", 400) and missing in message
    other_account = "arn:aws:iam::123456789012:policy/elsewhere"
    code, _, status = error_of(sts.assume_role, RoleArn=role["Arn"], RoleSessionName="s1", PolicyArns=[{"arn": other_account}])
    assert (code, status) == ("MalformedPolicyDocument", 400)


def test_at_most_ten_managed_session_policies(sts, iam, role_factory):
    role = role_factory(account_trust())
    arns = [f"arn:aws:iam::{ACCOUNT_ID}:policy/p{index:02d}-not-checked-first" for index in range(11)]
    code, message, status = error_of(sts.assume_role, RoleArn=role["Arn"], RoleSessionName="s1",
                                     PolicyArns=[{"arn": arn} for arn in arns])
    assert (code, status) == ("ValidationError", 400) and "policyArns" in message


def test_session_policies_share_the_plaintext_budget(sts, iam, role_factory):
    role = role_factory(account_trust())
    name = "p" * 120
    arn = iam.create_policy(PolicyName=name, PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}))["Policy"]["Arn"]
    try:
        statement = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::" + "b" * 1850}
        inline = json.dumps({"Version": "2012-10-17", "Statement": [statement]})
        assert len(inline) <= 2048 < len(inline) + len(arn)
        assert sts.assume_role(RoleArn=role["Arn"], RoleSessionName="s1", Policy=inline)["PackedPolicySize"] <= 100
        code, _, status = error_of(sts.assume_role, RoleArn=role["Arn"], RoleSessionName="s1", Policy=inline,
                                   PolicyArns=[{"arn": arn}])
        assert (code, status) == ("PackedPolicyTooLarge", 400)
    finally:
        iam.delete_policy(PolicyArn=arn)


def test_duration_is_bounded_by_the_roles_maximum(sts, role_factory):
    role = role_factory(account_trust(), MaxSessionDuration=7200)
    answer = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="s1", DurationSeconds=7200)
    remaining = (answer["Credentials"]["Expiration"] - datetime.now(timezone.utc)).total_seconds()
    assert 7100 < remaining <= 7200
    code, message, _ = error_of(sts.assume_role, RoleArn=role["Arn"], RoleSessionName="s1", DurationSeconds=7201)
    assert code == "ValidationError" and "MaxSessionDuration" in message


def test_duration_under_fifteen_minutes_is_refused(role_factory):
    role = role_factory(account_trust())
    unvalidated = make_sts(parameter_validation=False)
    code, message, _ = error_of(unvalidated.assume_role, RoleArn=role["Arn"], RoleSessionName="s1", DurationSeconds=899)
    assert code == "ValidationError" and "greater than or equal to 900" in message


@pytest.mark.parametrize("name", ["a", "has space", "x" * 65])
def test_invalid_session_names_are_refused(role_factory, name):
    role = role_factory(account_trust())
    unvalidated = make_sts(parameter_validation=False)
    code, _, status = error_of(unvalidated.assume_role, RoleArn=role["Arn"], RoleSessionName=name)
    assert (code, status) == ("ValidationError", 400)


def test_unsigned_assume_role_is_refused(anon_sts, role_factory):
    role = role_factory(account_trust())
    code, _, status = error_of(anon_sts.assume_role, RoleArn=role["Arn"], RoleSessionName="s1")
    assert status == 403 and code == "MissingAuthenticationToken"


def test_temporary_credentials_cannot_assume_roles(sts, role_factory):
    role = role_factory(account_trust())
    credentials = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="s1")["Credentials"]
    chained = make_sts(credentials["AccessKeyId"], credentials["SecretAccessKey"], session_token=credentials["SessionToken"])
    code, _, status = error_of(chained.assume_role, RoleArn=role["Arn"], RoleSessionName="s2")
    assert (code, status) == ("AccessDenied", 403)
    iam_with_session = make_iam(credentials["AccessKeyId"], credentials["SecretAccessKey"],
                                session_token=credentials["SessionToken"])
    assert error_of(iam_with_session.get_role, RoleName=role["RoleName"])[0] == "AccessDenied"


def test_every_assume_role_is_an_event_without_the_secret(sts, role_factory):
    role = role_factory(account_trust(actions=("sts:AssumeRole", "sts:TagSession")))
    credentials = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="audited", Tags=[{"Key": "team", "Value": "blue"}],
                                  SourceIdentity="alice")["Credentials"]
    events = log_events(f"stssession-{credentials['AccessKeyId']}", "RoleSessionIssued")
    assert len(events) == 1
    text = json.dumps(events[0])
    assert credentials["SecretAccessKey"] not in text and credentials["SessionToken"] not in text
    assert "audited" in text and role["RoleId"] in text and "team" in text and "blue" not in text


def test_a_refused_assume_role_is_an_event_naming_the_key(sts, role_factory):
    role = role_factory(account_trust(principal="arn:aws:iam::123456789012:root"))
    with pytest.raises(ClientError) as caught:
        sts.assume_role(RoleArn=role["Arn"], RoleSessionName="refused")
    request_id = caught.value.response["ResponseMetadata"]["RequestId"]
    [refused] = log_events(f"stsrefusal-{request_id}", "RoleSessionRefused")
    assert refused["data"]["roleArn"] == role["Arn"] and refused["data"]["reason"] == "AccessDenied"
    assert refused["data"]["operation"] == "AssumeRole" and refused["data"]["callerAccessKeyId"]
