-- IAM roles (the iam API): each row holds the role's write model as JSON, with its name, path and
-- creation time for ListRoles. role_key is the name in lower case: IAM role names are unique regardless of case.
CREATE TABLE directory.iam_roles (
    role_key    text        PRIMARY KEY,
    role_name   text        NOT NULL,
    path        text        NOT NULL,
    role        jsonb       NOT NULL,
    created_at  timestamptz NOT NULL
);
