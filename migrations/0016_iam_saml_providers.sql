-- IAM SAML providers (the iam API): each row holds the provider's write model as JSON (the metadata document
-- and what it says: entity id, signing certificates, SSO endpoints; the expiry; the assertion-encryption mode
-- with its private keys, sealed; tags). provider_key is the provider's name in lower case: an account names a
-- provider once, regardless of case. A SAML assertion verifier finds the provider of a PrincipalArn here.
CREATE TABLE directory.iam_saml_providers (
    provider_key  text        PRIMARY KEY,
    provider      jsonb       NOT NULL,
    created_at    timestamptz NOT NULL
);
