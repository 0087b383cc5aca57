-- IAM customer managed policies (the iam API): each row holds the policy's write model as JSON (its versions
-- and their documents, the default version, the attachment count), with the name, path and attachment count
-- for ListPolicies, and each version's creation time (epoch milliseconds by version id) for GetPolicyVersion
-- and ListPolicyVersions. policy_key is the name in lower case: policy names are unique regardless of case.
-- A role's attached policies live in its iam_roles row (role.attachedPolicies).
CREATE TABLE directory.iam_policies (
    policy_key        text        PRIMARY KEY,
    policy_name       text        NOT NULL,
    path              text        NOT NULL,
    policy            jsonb       NOT NULL,
    attachment_count  int8        NOT NULL,
    version_dates     jsonb       NOT NULL,
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL
);
