-- IAM OpenID Connect providers (the iam API): each row holds the provider's write model as JSON (issuer,
-- client ids, thumbprints, tags). provider_key is the provider's URL without scheme, in lower case: an
-- account registers a URL once. STS and identity pools find the provider of a token's `iss` here.
CREATE TABLE directory.iam_oidc_providers (
    provider_key  text        PRIMARY KEY,
    provider      jsonb       NOT NULL,
    created_at    timestamptz NOT NULL
);
