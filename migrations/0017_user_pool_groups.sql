-- User-pool groups (CreateGroup … ListUsersInGroup): each group's settings with its stream's version (the
-- expected version of the next append to `group-<pool>-<name>`), and one row per membership. Group names
-- are compared and listed byte-wise (COLLATE "C"), as Cognito treats them case-sensitively; a pool's groups
-- and a user's groups page by name, a group's members by the users' username_key.
CREATE TABLE directory.user_pool_groups (
    pool_id      text        NOT NULL,
    group_name   text        COLLATE "C" NOT NULL,
    description  text,
    role_arn     text,
    precedence   bigint,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    version      bigint      NOT NULL,
    PRIMARY KEY (pool_id, group_name)
);

CREATE TABLE directory.user_pool_group_members (
    pool_id     text        NOT NULL,
    group_name  text        COLLATE "C" NOT NULL,
    sub         text        NOT NULL,
    added_at    timestamptz NOT NULL,
    PRIMARY KEY (pool_id, group_name, sub)
);
CREATE INDEX user_pool_group_members_sub_idx ON directory.user_pool_group_members (sub, group_name);
