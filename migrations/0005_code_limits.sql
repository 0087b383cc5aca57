-- One-time codes are bound to the contact value they were sent to, and their send and guess counts
-- survive re-issues (CodeLimits): a new code never buys new guesses.
ALTER TABLE directory.confirmation_codes
    ADD COLUMN attribute                 text,
    ADD COLUMN failure_window_started_at timestamptz,
    ADD COLUMN issued_count              integer NOT NULL DEFAULT 0,
    ADD COLUMN issue_window_started_at   timestamptz;
