-- Sign-in aliases (SignInNames): every name besides the username that signs a user in, unique per pool.
-- The primary key is what makes a second holder impossible, in the same transaction as the event.
CREATE TABLE directory.sign_in_aliases (
    pool_id    text NOT NULL,
    alias_key  text NOT NULL,
    sub        text NOT NULL,
    attribute  text NOT NULL,
    CONSTRAINT sign_in_aliases_pkey PRIMARY KEY (pool_id, alias_key)
);
CREATE INDEX sign_in_aliases_sub_idx ON directory.sign_in_aliases (sub);

-- Backfill from the directory as it stands (the projector maintains the table from here on). Where two
-- users already share a verified alias, the most recently updated keeps it, as sign-in resolved it so far.
INSERT INTO directory.sign_in_aliases (pool_id, alias_key, sub, attribute)
SELECT DISTINCT ON (u.pool_id, key) u.pool_id, key, u.sub, a.attribute
FROM directory.users u
JOIN directory.user_pools p ON p.pool_id = u.pool_id
CROSS JOIN LATERAL jsonb_array_elements_text(coalesce(p.config->'AliasAttributes', '[]'::jsonb)) AS a(attribute)
CROSS JOIN LATERAL (
    SELECT CASE WHEN coalesce((p.config->'UsernameConfiguration'->>'CaseSensitive')::boolean, true)
                THEN u.attributes->>a.attribute ELSE lower(u.attributes->>a.attribute) END AS key
) k
WHERE coalesce(u.attributes->>a.attribute, '') <> ''
  AND (a.attribute = 'preferred_username' OR u.attributes->>(a.attribute || '_verified') = 'true')
ORDER BY u.pool_id, key, u.updated_at DESC
ON CONFLICT DO NOTHING;

-- Pools whose users sign in with email or phone number: the phone number of a user whose username key
-- is the email signs in too.
INSERT INTO directory.sign_in_aliases (pool_id, alias_key, sub, attribute)
SELECT DISTINCT ON (u.pool_id, key) u.pool_id, key, u.sub, 'phone_number'
FROM directory.users u
JOIN directory.user_pools p ON p.pool_id = u.pool_id
CROSS JOIN LATERAL (
    SELECT CASE WHEN coalesce((p.config->'UsernameConfiguration'->>'CaseSensitive')::boolean, true)
                THEN u.attributes->>'phone_number' ELSE lower(u.attributes->>'phone_number') END AS key
) k
WHERE p.config->'UsernameAttributes' ? 'email' AND p.config->'UsernameAttributes' ? 'phone_number'
  AND coalesce(u.attributes->>'email', '') <> '' AND coalesce(u.attributes->>'phone_number', '') <> ''
ORDER BY u.pool_id, key, u.updated_at DESC
ON CONFLICT DO NOTHING;
