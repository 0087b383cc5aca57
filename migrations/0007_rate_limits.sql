-- Rate-limit counters (ThrottlePolicy): fixed windows per key, shared by every server on the database.
-- Operational state, not history: UNLOGGED (no WAL cost; a crash empties it, which only forgives).
CREATE SCHEMA IF NOT EXISTS ratelimit;

CREATE UNLOGGED TABLE ratelimit.windows (
    key           text        NOT NULL,
    window_start  timestamptz NOT NULL,
    count         bigint      NOT NULL,
    CONSTRAINT windows_pkey PRIMARY KEY (key, window_start)
);
CREATE INDEX windows_start_idx ON ratelimit.windows (window_start);

-- The server's role counts requests too: read-write on the counters, like the projections.
CREATE OR REPLACE FUNCTION eventlog.grant_application_role(app name) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    t record;
BEGIN
    IF app = current_user THEN
        RETURN;  -- a single role: it owns everything already
    END IF;
    EXECUTE format('GRANT USAGE ON SCHEMA eventlog, directory, ratelimit TO %I', app);
    FOR t IN SELECT schemaname, tablename FROM pg_tables WHERE schemaname IN ('eventlog', 'directory', 'ratelimit') LOOP
        EXECUTE format('REVOKE ALL ON %I.%I FROM %I', t.schemaname, t.tablename, app);
        IF t.schemaname = 'eventlog' AND t.tablename IN ('events', 'log_checkpoints') THEN
            EXECUTE format('GRANT SELECT, INSERT ON %I.%I TO %I', t.schemaname, t.tablename, app);
        ELSE
            EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I.%I TO %I', t.schemaname, t.tablename, app);
        END IF;
    END LOOP;
    EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA eventlog, directory, ratelimit TO %I', app);
    -- Tables created later by this owner (a migration) get the read-write grants at once; the
    -- next start narrows them if they join the append-only list above.
    EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA eventlog, directory, ratelimit GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO %I', app);
    EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA eventlog, directory, ratelimit GRANT USAGE, SELECT ON SEQUENCES TO %I', app);
END $$;
