import Foundation
import Logging
import PostgresNIO
import PosternCore

/// The first event whose hash does not match its content or predecessor.
public struct BrokenLink: Sendable, Equatable, CustomStringConvertible {
    public var position: Int64
    public var streamID: String
    public var streamVersion: Int
    public var reason: String
    public var description: String { "event \(position) (\(streamID) v\(streamVersion)): \(reason)" }
}

extension EventStore {
    /// Walks every stream's hash chain; returns the first broken event in log order, or nil.
    public func verifyChains() async throws(StoreError) -> BrokenLink? {
        do {
            let rows = try await client.query(
                """
                SELECT position, stream_id, stream_version,
                       CASE
                         WHEN stream_version <> row_number() OVER w THEN 'missing earlier event in stream'
                         WHEN previous_hash IS DISTINCT FROM lag(hash) OVER w THEN 'previous hash does not match'
                         WHEN hash <> eventlog.event_hash(previous_hash, stream_id, stream_version, event_type, schema_version,
                                                          data, metadata, recorded_at) THEN 'content does not match its hash'
                       END AS reason
                FROM eventlog.events
                WINDOW w AS (PARTITION BY stream_id ORDER BY stream_version)
                ORDER BY (CASE
                         WHEN stream_version <> row_number() OVER w THEN 1
                         WHEN previous_hash IS DISTINCT FROM lag(hash) OVER w THEN 1
                         WHEN hash <> eventlog.event_hash(previous_hash, stream_id, stream_version, event_type, schema_version,
                                                          data, metadata, recorded_at) THEN 1 ELSE 0 END) DESC, position
                LIMIT 1
                """, logger: logger)
            for try await (position, stream, version, reason) in rows.decode((Int64, String, Int, String?).self) {
                guard let reason else { return nil }
                return BrokenLink(position: position, streamID: stream, streamVersion: version, reason: reason)
            }
            return nil
        } catch {
            throw StoreError.from(error)
        }
    }

    /// Replays the whole log into fresh copies of the projection tables, then swaps them in.
    ///
    /// Appends wait on the rebuild lock meanwhile, so the swapped-in tables are exactly the log's fold.
    /// Returns the number of events replayed.
    @discardableResult
    public func rebuildProjections(batchSize: Int = 1000) async throws -> Int {
        try await client.withConnection { connection in
            try await connection.transaction(logger: logger) { connection in
                _ = try await connection.query("SELECT pg_advisory_xact_lock(\(Self.rebuildLockKey))", logger: logger)
                _ = try await connection.query("DROP SCHEMA IF EXISTS directory_rebuild CASCADE", logger: logger)
                _ = try await connection.query("CREATE SCHEMA directory_rebuild", logger: logger)
                var tables: [String] = []
                for try await name in try await connection.query(
                    "SELECT tablename::text FROM pg_tables WHERE schemaname = 'directory' ORDER BY tablename", logger: logger
                ).decode(String.self) {
                    tables.append(name)
                }
                for table in tables {
                    _ = try await connection.query(
                        PostgresQuery(unsafeSQL: "CREATE TABLE directory_rebuild.\(table) (LIKE directory.\(table) INCLUDING ALL)"),
                        logger: logger)
                }
                _ = try await connection.query("SET LOCAL search_path TO directory_rebuild, public", logger: logger)
                var replayed = 0
                var after: Int64 = 0
                while true {
                    var batch: [RecordedEvent] = []
                    for try await row in try await connection.query(
                        "SELECT \(unescaped: Self.columns) FROM eventlog.events WHERE position > \(after) ORDER BY position LIMIT \(batchSize)",
                        logger: logger)
                    {
                        batch.append(try Self.decode(row))
                    }
                    if batch.isEmpty { break }
                    for event in batch { try await projector.apply(event, on: connection, logger: logger) }
                    replayed += batch.count
                    after = batch[batch.count - 1].position
                }
                _ = try await connection.query("DROP SCHEMA directory CASCADE", logger: logger)
                _ = try await connection.query("ALTER SCHEMA directory_rebuild RENAME TO directory", logger: logger)
                return replayed
            }
        }
    }
}
