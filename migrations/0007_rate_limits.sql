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
