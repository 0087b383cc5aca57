-- Identities of identity pools (GetId, GetOpenIdTokenForDeveloperIdentity) and the logins linked to them.
-- A login is unique per identity pool by provider and a keyed hash of its subject (subject_key), so two
-- concurrent first sign-ins of one user cannot make two identities: the second insert fails on the key.
CREATE TABLE directory.identities (
    identity_id       text        PRIMARY KEY,
    identity_pool_id  text        NOT NULL,
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL,
    version           integer     NOT NULL
);
CREATE INDEX identities_pool_idx ON directory.identities (identity_pool_id, identity_id);

CREATE TABLE directory.identity_logins (
    identity_pool_id  text        NOT NULL,
    provider          text        NOT NULL,
    subject_key       text        NOT NULL,
    identity_id       text        NOT NULL,
    -- The subject as the identity's events seal it: a developer's user id is read back by
    -- LookupDeveloperIdentity, opened with the identity's data key.
    sealed_subject    text        NOT NULL,
    linked_at         timestamptz NOT NULL,
    PRIMARY KEY (identity_pool_id, provider, subject_key)
);
CREATE INDEX identity_logins_identity_idx ON directory.identity_logins (identity_id);
