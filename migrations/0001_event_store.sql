-- The event log: append-only, hash-chained per stream, ordered by position and writer transaction.
CREATE SCHEMA IF NOT EXISTS eventlog;

CREATE TABLE eventlog.events (
    position        bigserial   PRIMARY KEY,
    transaction_id  xid8        NOT NULL DEFAULT pg_current_xact_id(),
    stream_id       text        NOT NULL,
    stream_version  integer     NOT NULL CHECK (stream_version >= 1),
    event_type      text        NOT NULL,
    schema_version  integer     NOT NULL DEFAULT 1,
    data            jsonb       NOT NULL,
    metadata        jsonb       NOT NULL DEFAULT '{}',
    recorded_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
    previous_hash   bytea,
    hash            bytea       NOT NULL,
    CONSTRAINT events_stream_version_unique UNIQUE (stream_id, stream_version)
);
CREATE INDEX events_type_idx ON eventlog.events (event_type, position);
CREATE INDEX events_transaction_idx ON eventlog.events (transaction_id, position);

-- The hash of an event covers its predecessor's hash and every column an auditor reads.
CREATE FUNCTION eventlog.event_hash(
    previous bytea, stream text, version integer, kind text, schema integer,
    body jsonb, meta jsonb, recorded timestamptz
) RETURNS bytea LANGUAGE sql IMMUTABLE AS $$
    SELECT sha256(coalesce(previous, '\x'::bytea) || convert_to(
        stream || chr(31) || version::text || chr(31) || kind || chr(31) || schema::text || chr(31)
        || body::text || chr(31) || meta::text || chr(31)
        || to_char(recorded AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'), 'UTF8'))
$$;

CREATE FUNCTION eventlog.chain_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.stream_version > 1 THEN
        SELECT hash INTO NEW.previous_hash FROM eventlog.events
         WHERE stream_id = NEW.stream_id AND stream_version = NEW.stream_version - 1;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'stream % has no version %', NEW.stream_id, NEW.stream_version - 1
                USING ERRCODE = '40001', CONSTRAINT = 'events_stream_version_gap';
        END IF;
    ELSE
        NEW.previous_hash := NULL;
    END IF;
    NEW.hash := eventlog.event_hash(NEW.previous_hash, NEW.stream_id, NEW.stream_version, NEW.event_type,
                                    NEW.schema_version, NEW.data, NEW.metadata, NEW.recorded_at);
    RETURN NEW;
END $$;

CREATE TRIGGER events_chain BEFORE INSERT ON eventlog.events
    FOR EACH ROW EXECUTE FUNCTION eventlog.chain_event();

-- History is immutable: the database itself refuses to change or remove an event.
CREATE FUNCTION eventlog.reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'events are append-only: % is not allowed', TG_OP USING ERRCODE = '55000';
END $$;

CREATE TRIGGER events_no_update BEFORE UPDATE OR DELETE ON eventlog.events
    FOR EACH ROW EXECUTE FUNCTION eventlog.reject_change();
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON eventlog.events
    FOR EACH STATEMENT EXECUTE FUNCTION eventlog.reject_change();

-- Where each asynchronous subscriber got to: (writer transaction, position) of the last handled event.
CREATE TABLE eventlog.checkpoints (
    subscriber      text        PRIMARY KEY,
    transaction_id  xid8        NOT NULL,
    position        bigint      NOT NULL,
    updated_at      timestamptz NOT NULL DEFAULT now()
);

-- Per-subject data keys, wrapped by the master key. Deleting a row forgets the person (crypto-shredding);
-- this table is deliberately outside the event log and outside the projections.
CREATE TABLE eventlog.data_keys (
    subject      text        PRIMARY KEY,
    wrapped_key  bytea       NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);
