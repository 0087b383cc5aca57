-- Inline projections: the user directory, rebuilt from the event log by `postern projections rebuild`.
-- No foreign keys: a rebuild copies these tables with CREATE TABLE ... (LIKE ... INCLUDING ALL).
CREATE SCHEMA IF NOT EXISTS directory;

CREATE TABLE directory.user_pools (
    pool_id       text        PRIMARY KEY,
    name          text        NOT NULL,
    config        jsonb       NOT NULL,
    signing_keys  jsonb       NOT NULL,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL
);
CREATE INDEX user_pools_created_idx ON directory.user_pools (created_at, pool_id);

CREATE TABLE directory.user_pool_clients (
    client_id      text        PRIMARY KEY,
    pool_id        text        NOT NULL,
    name           text        NOT NULL,
    config         jsonb       NOT NULL,
    sealed_secret  text,
    created_at     timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL
);
CREATE INDEX user_pool_clients_pool_idx ON directory.user_pool_clients (pool_id, created_at, client_id);

CREATE TABLE directory.users (
    sub                text        PRIMARY KEY,
    pool_id            text        NOT NULL,
    username           text        NOT NULL,
    username_key       text        NOT NULL,
    attributes         jsonb       NOT NULL,
    status             text        NOT NULL,
    enabled            boolean     NOT NULL DEFAULT true,
    sealed_verifier    text,
    password_set_at    timestamptz,
    failed_attempts    integer     NOT NULL DEFAULT 0,
    locked_until       timestamptz,
    tokens_valid_after timestamptz,
    created_at         timestamptz NOT NULL,
    updated_at         timestamptz NOT NULL,
    version            integer     NOT NULL,
    CONSTRAINT users_username_unique UNIQUE (pool_id, username_key)
);
CREATE INDEX users_pool_idx ON directory.users (pool_id, username_key);

CREATE TABLE directory.confirmation_codes (
    sub         text        NOT NULL,
    purpose     text        NOT NULL,
    code_hash   text        NOT NULL,
    expires_at  timestamptz NOT NULL,
    attempts    integer     NOT NULL DEFAULT 0,
    PRIMARY KEY (sub, purpose)
);

CREATE TABLE directory.refresh_tokens (
    token_hash  text        PRIMARY KEY,
    sub         text        NOT NULL,
    pool_id     text        NOT NULL,
    client_id   text        NOT NULL,
    origin_jti  text        NOT NULL UNIQUE,
    auth_time   timestamptz NOT NULL,
    issued_at   timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL,
    revoked_at  timestamptz
);
CREATE INDEX refresh_tokens_sub_idx ON directory.refresh_tokens (sub);

-- Challenge sessions are single-use: answering one claims its id here, inside the answer's transaction.
CREATE TABLE directory.used_sessions (
    session_id  text        PRIMARY KEY,
    used_at     timestamptz NOT NULL
);

CREATE TABLE directory.admin_keys (
    access_key_id  text        PRIMARY KEY,
    sealed_secret  text        NOT NULL,
    description    text        NOT NULL DEFAULT '',
    created_at     timestamptz NOT NULL,
    revoked_at     timestamptz
);
