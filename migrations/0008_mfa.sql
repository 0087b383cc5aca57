-- A user's second factors (SetUserMFAPreference, AssociateSoftwareToken, VerifySoftwareToken): which are
-- enabled and preferred, the sealed TOTP secrets (current and awaiting verification) and the last TOTP
-- step used. One jsonb column, read with the user row, so a sign-in decides MFA without another query.
ALTER TABLE directory.users ADD COLUMN mfa jsonb;
