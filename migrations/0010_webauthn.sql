-- Passkeys (StartWebAuthnRegistration / CompleteWebAuthnRegistration): a user's WebAuthn credentials, with
-- the COSE public key, the signature counter and the relying party they were registered for.
CREATE TABLE directory.webauthn_credentials (
    credential_id      text        PRIMARY KEY,
    sub                text        NOT NULL,
    pool_id            text        NOT NULL,
    public_key         text        NOT NULL,
    sign_count         bigint      NOT NULL DEFAULT 0,
    relying_party_id   text        NOT NULL,
    sealed_name        text,
    attachment         text,
    transports         jsonb       NOT NULL,
    created_at         timestamptz NOT NULL,
    last_used_at       timestamptz
);
CREATE INDEX webauthn_credentials_sub_idx ON directory.webauthn_credentials (sub, created_at, credential_id);
