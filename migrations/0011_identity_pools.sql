-- Identity pools (cognito-identity): the configuration as DescribeIdentityPool returns it, the default roles
-- and role mappings (SetIdentityPoolRoles), tags, and principal-tag maps per provider.
CREATE TABLE directory.identity_pools (
    identity_pool_id  text        PRIMARY KEY,
    name              text        NOT NULL,
    config            jsonb       NOT NULL,
    roles             jsonb       NOT NULL DEFAULT '{}',
    role_mappings     jsonb       NOT NULL DEFAULT '{}',
    tags              jsonb       NOT NULL DEFAULT '{}',
    principal_tags    jsonb       NOT NULL DEFAULT '{}',
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL
);
