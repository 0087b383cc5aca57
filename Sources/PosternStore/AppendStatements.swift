import Foundation
import PostgresNIO

// The two statements every append sends, as prepared statements: PostgreSQL parses and plans each once per
// connection (planning them was ~0.3 ms of its CPU per command), and each command sends only the binds.

/// The append's first round trip: the projections' schema, the rebuild lock (shared), the time, jsonb's
/// canonical text of every payload (and of the metadata, first) and the hashes of the predecessors the
/// batch names (empty where there is none).
struct AppendPrelude: PostgresPreparedStatement {
    static let sql = """
        SELECT set_config('search_path', 'directory, public', true),
               pg_advisory_xact_lock_shared($1)::text,
               to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'),
               ARRAY(SELECT t::jsonb::text FROM unnest($2::text[]) WITH ORDINALITY AS u(t, i) ORDER BY i),
               ARRAY(SELECT coalesce(encode(e.hash, 'hex'), '')
                     FROM unnest($3::text[], $4::int8[]) WITH ORDINALITY AS p(s, v, i)
                     LEFT JOIN eventlog.events e ON e.stream_id = p.s AND e.stream_version = p.v ORDER BY p.i)
        """
    static let bindingDataTypes: [PostgresDataType] = [.int8, .textArray, .textArray, .int8Array]
    typealias Row = (recordedAt: String, canonical: [String], predecessorHashes: [String])

    var texts: [String]
    var lookupStreams: [String]
    var lookupVersions: [Int]

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 4)
        bindings.append(EventStore.rebuildLockKey)
        bindings.append(texts)
        bindings.append(lookupStreams)
        bindings.append(lookupVersions)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {
        let (_, _, recordedAt, canonical, hashes) = try row.decode((String, String, String, [String], [String]).self)
        return (recordedAt, canonical, hashes)
    }
}

/// One INSERT of every event of the batch (and of the data keys it creates), hash-chained by the caller;
/// returns what only the database assigns: each event's position and writer transaction, in order.
struct InsertEvents: PostgresPreparedStatement {
    static let sql = """
        WITH new_keys AS (
            INSERT INTO eventlog.data_keys (subject, wrapped_key)
            SELECT k, decode(w, 'hex') FROM unnest($1::text[], $2::text[]) AS n(k, w))
        INSERT INTO eventlog.events (stream_id, stream_version, event_type, schema_version, data, metadata,
                                     recorded_at, previous_hash, hash, hash_scheme)
        SELECT s, v, t, sv, d::jsonb, $3::jsonb, $4::timestamp AT TIME ZONE 'UTC',
               decode(nullif(p, ''), 'hex'), decode(h, 'hex'), 2
        FROM unnest($5::text[], $6::int8[], $7::text[], $8::int4[], $9::text[], $10::text[], $11::text[])
             WITH ORDINALITY AS e(s, v, t, sv, d, p, h, i)
        ORDER BY i
        RETURNING position, transaction_id::text, stream_id, stream_version, recorded_at
        """
    static let bindingDataTypes: [PostgresDataType] = [
        .textArray, .textArray, .text, .text, .textArray, .int8Array, .textArray, .int4Array, .textArray, .textArray, .textArray,
    ]
    typealias Row = (position: Int64, transactionID: UInt64, stream: String, version: Int, recordedAt: Date)

    var keySubjects: [String]
    var wrappedKeys: [String]
    var metadata: String
    var recordedAt: String
    var streams: [String]
    var versions: [Int]
    var types: [String]
    var schemaVersions: [Int32]
    var payloads: [String]
    var previousHashes: [String]
    var hashes: [String]

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 11)
        bindings.append(keySubjects)
        bindings.append(wrappedKeys)
        bindings.append(metadata)
        bindings.append(recordedAt)
        bindings.append(streams)
        bindings.append(versions)
        bindings.append(types)
        bindings.append(schemaVersions)
        bindings.append(payloads)
        bindings.append(previousHashes)
        bindings.append(hashes)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {
        let (position, transaction, stream, version, recordedAt) = try row.decode((Int64, String, String, Int, Date).self)
        return (position, UInt64(transaction) ?? 0, stream, version, recordedAt)
    }
}
