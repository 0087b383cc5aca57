-- Tamper-evident history against the application's own credentials (and against the database owner
-- without the master key):
--   * each new event carries a keyed hash (HMAC-SHA256 with a key derived from the master key, which is
--     never in the database), computed by the application over its predecessor's hash and every column
--     an auditor reads; rows written before this migration keep their unkeyed sha256 (hash_scheme 1);
--   * signed checkpoints of the log (count, last position and a digest of every event hash in writer
--     transaction order) let `postern verify` notice a removed stream tail or a whole removed stream;
--   * grant_application_role gives the server's role only what it needs: SELECT/INSERT on the log.

-- 1 = unkeyed sha256 of 0001 (recomputed in SQL), 2 = HMAC-SHA256 supplied by the application.
ALTER TABLE eventlog.events ADD COLUMN hash_scheme smallint NOT NULL DEFAULT 1;
ALTER TABLE eventlog.events ALTER COLUMN hash_scheme SET DEFAULT 2;

-- The trigger keeps the stream order and checks the link the application hashed: an event's
-- previous_hash must be its predecessor's hash. It no longer computes hashes, and it refuses new
-- unkeyed rows, so nobody can append an event whose hash needs no key.
CREATE OR REPLACE FUNCTION eventlog.chain_event() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    predecessor bytea;
BEGIN
    IF NEW.hash_scheme IS DISTINCT FROM 2 OR NEW.hash IS NULL THEN
        RAISE EXCEPTION 'events must carry a keyed hash (hash_scheme 2)'
            USING ERRCODE = '23514', CONSTRAINT = 'events_keyed_hash';
    END IF;
    IF NEW.stream_version > 1 THEN
        SELECT hash INTO predecessor FROM eventlog.events
         WHERE stream_id = NEW.stream_id AND stream_version = NEW.stream_version - 1;
        IF NOT FOUND OR NEW.previous_hash IS DISTINCT FROM predecessor THEN
            RAISE EXCEPTION 'stream % has no version % with that hash', NEW.stream_id, NEW.stream_version - 1
                USING ERRCODE = '40001', CONSTRAINT = 'events_stream_version_gap';
        END IF;
    ELSIF NEW.previous_hash IS NOT NULL THEN
        RAISE EXCEPTION 'the first event of stream % has no predecessor', NEW.stream_id
            USING ERRCODE = '23514', CONSTRAINT = 'events_keyed_hash';
    END IF;
    RETURN NEW;
END $$;

-- Signed checkpoints. Checkpoint n covers the events written by transactions in [xid_from, xid_to),
-- where xid_to was the oldest running transaction when it was taken: that set can never change again,
-- even though transactions commit out of position order. mac = HMAC(chain key, every other column and
-- the previous checkpoint's mac), so the checkpoints form a chain of their own.
CREATE TABLE eventlog.log_checkpoints (
    seq           bigint      PRIMARY KEY CHECK (seq >= 1),
    xid_from      xid8        NOT NULL,
    xid_to        xid8        NOT NULL,
    event_count   bigint      NOT NULL,
    max_position  bigint      NOT NULL,
    digest        bytea       NOT NULL,
    previous_mac  bytea,
    mac           bytea       NOT NULL,
    created_at    timestamptz NOT NULL
);
CREATE TRIGGER log_checkpoints_no_update BEFORE UPDATE OR DELETE ON eventlog.log_checkpoints
    FOR EACH ROW EXECUTE FUNCTION eventlog.reject_change();
CREATE TRIGGER log_checkpoints_no_truncate BEFORE TRUNCATE ON eventlog.log_checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION eventlog.reject_change();

-- The digest a checkpoint signs: sha256 over (position, hash) of each event in writer order.
CREATE FUNCTION eventlog.range_digest(xid_from xid8, xid_to xid8, OUT event_count bigint, OUT max_position bigint, OUT digest bytea)
LANGUAGE sql STABLE AS $$
    SELECT count(*), coalesce(max(position), 0),
           sha256(coalesce(string_agg(int8send(position) || hash, ''::bytea ORDER BY transaction_id, position), ''::bytea))
    FROM eventlog.events WHERE transaction_id >= xid_from AND transaction_id < xid_to
$$;

-- Least privilege for the server's role (run by the migrator, as the owner, on every start so that
-- tables added by later migrations are covered too). The log and its checkpoints are append-only for
-- it: SELECT and INSERT, never UPDATE, DELETE, TRUNCATE, TRIGGER or REFERENCES. Everything else in
-- eventlog (subscriber checkpoints, data keys: DELETE is crypto-shredding) and the directory
-- projections are read-write. It owns nothing, so it can neither drop nor disable a trigger.
CREATE FUNCTION eventlog.grant_application_role(app name) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    t record;
BEGIN
    IF app = current_user THEN
        RETURN;  -- a single role: it owns everything already
    END IF;
    EXECUTE format('GRANT USAGE ON SCHEMA eventlog, directory TO %I', app);
    FOR t IN SELECT schemaname, tablename FROM pg_tables WHERE schemaname IN ('eventlog', 'directory') LOOP
        EXECUTE format('REVOKE ALL ON %I.%I FROM %I', t.schemaname, t.tablename, app);
        IF t.schemaname = 'eventlog' AND t.tablename IN ('events', 'log_checkpoints') THEN
            EXECUTE format('GRANT SELECT, INSERT ON %I.%I TO %I', t.schemaname, t.tablename, app);
        ELSE
            EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I.%I TO %I', t.schemaname, t.tablename, app);
        END IF;
    END LOOP;
    EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA eventlog, directory TO %I', app);
    -- Tables created later by this owner (a migration) get the read-write grants at once; the
    -- next start narrows them if they join the append-only list above.
    EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA eventlog, directory GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO %I', app);
    EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA eventlog, directory GRANT USAGE, SELECT ON SEQUENCES TO %I', app);
END $$;
