import Foundation
import Logging
import PosternCore
import PostgresNIO

/// An event as stored: its global position, writer transaction and place in its stream.
public struct RecordedEvent: Sendable, Equatable {
    public var position: Int64
    public var transactionID: UInt64
    public var streamID: String
    public var streamVersion: Int
    public var type: String
    public var schemaVersion: Int
    public var data: JSONValue
    public var metadata: JSONValue
    public var recordedAt: Date
    public var hash: String

    /// Decodes the payload as `T`, checking the persisted type name.
    public func payload<T: EventPayload>(as type: T.Type) throws -> T {
        guard self.type == T.eventType else { throw StoreError.corrupt("expected \(T.eventType), found \(self.type)") }
        return try data.decode(T.self)
    }

    /// The id part of the stream (`user-<sub>` → `<sub>`).
    public var streamEntityID: String {
        guard let dash = streamID.firstIndex(of: "-") else { return streamID }
        return String(streamID[streamID.index(after: dash)...])
    }
}

/// What an append expects of the stream it writes to (optimistic concurrency).
public enum ExpectedVersion: Sendable, Equatable {
    case noStream
    case exact(Int)
    case any
}

/// Everything one command commits: events on one or more streams, plus the data keys it creates or
/// destroys. It all commits in one transaction together with the inline projections, or not at all.
public struct AppendBatch: Sendable {
    public struct StreamAppend: Sendable {
        public var stream: String
        public var expected: ExpectedVersion
        public var events: [NewEvent]

        public init(stream: String, expected: ExpectedVersion, events: [NewEvent]) {
            self.stream = stream
            self.expected = expected
            self.events = events
        }
    }

    public var appends: [StreamAppend] = []
    public var dataKeysToCreate: [(subject: String, wrappedKey: [UInt8])] = []
    public var dataKeysToDestroy: [String] = []

    public init() {}

    public init(stream: String, expected: ExpectedVersion, events: [NewEvent]) {
        appends = [StreamAppend(stream: stream, expected: expected, events: events)]
    }

    public mutating func append(stream: String, expected: ExpectedVersion, events: [NewEvent]) {
        appends.append(StreamAppend(stream: stream, expected: expected, events: events))
    }
}

/// Applies events to projection tables inside the append transaction (and during a rebuild).
public protocol InlineProjector: Sendable {
    func apply(_ event: RecordedEvent, on connection: PostgresConnection, logger: Logger) async throws
}

/// The PostgreSQL event store: append with inline projections, read, and follow the log.
public final class EventStore: Sendable {
    public let client: PostgresClient
    let projector: any InlineProjector
    let logger: Logger

    /// Appenders hold this advisory lock shared; a projection rebuild holds it exclusively.
    static let rebuildLockKey: Int64 = 0x706f_7374_6572_6e02
    public static let notificationChannel = "postern_events"

    public init(client: PostgresClient, projector: any InlineProjector, logger: Logger) {
        self.client = client
        self.projector = projector
        self.logger = logger
    }

    static let columns = """
        position, transaction_id::text, stream_id, stream_version, event_type, schema_version, data::text, metadata::text, \
        recorded_at, encode(hash, 'hex')
        """

    /// Appends a command's events and applies the inline projections in one transaction.
    ///
    /// Throws `.wrongExpectedVersion` when a stream moved on, `.uniqueValueTaken` when a projection's
    /// unique constraint refuses the result.
    @discardableResult
    public func append(_ batch: AppendBatch, metadata: EventMetadata) async throws(StoreError) -> [RecordedEvent] {
        let metadataJSON: String
        do { metadataJSON = String(decoding: try JSONEncoder().encode(metadata), as: UTF8.self) } catch {
            throw .corrupt("metadata not encodable")
        }
        let recorded: [RecordedEvent]
        do {
            recorded = try await client.withConnection { connection in
                try await connection.transaction(logger: logger) { connection in
                    // One round trip: the projections' schema for this transaction, and the rebuild lock (shared).
                    try await connection.query(
                        "SELECT set_config('search_path', 'directory, public', true), pg_advisory_xact_lock_shared(\(Self.rebuildLockKey))",
                        logger: logger
                    ).drain()
                    for key in batch.dataKeysToCreate {
                        _ = try await connection.query(
                            "INSERT INTO eventlog.data_keys (subject, wrapped_key) VALUES (\(key.subject), \(Data(key.wrappedKey)))",
                            logger: logger)
                    }
                    var recorded: [RecordedEvent] = []
                    for append in batch.appends {
                        var version = try await startVersion(append.stream, append.expected, connection)
                        for event in append.events {
                            let data = String(decoding: try JSONEncoder().encode(event.data), as: UTF8.self)
                            version += 1
                            let rows = try await connection.query(
                                """
                                INSERT INTO eventlog.events (stream_id, stream_version, event_type, schema_version, data, metadata)
                                VALUES (\(append.stream), \(version), \(event.type), \(event.schemaVersion), \(data)::jsonb,
                                        \(metadataJSON)::jsonb)
                                RETURNING \(unescaped: Self.columns)
                                """, logger: logger)
                            for try await row in rows { recorded.append(try Self.decode(row)) }
                        }
                    }
                    for event in recorded { try await projector.apply(event, on: connection, logger: logger) }
                    for subject in batch.dataKeysToDestroy {
                        _ = try await connection.query("DELETE FROM eventlog.data_keys WHERE subject = \(subject)", logger: logger)
                    }
                    return recorded
                }
            }
        } catch {
            let mapped = StoreError.from(error)
            if case .wrongExpectedVersion = mapped { throw .wrongExpectedVersion(stream: batch.appends.map(\.stream).joined(separator: ",")) }
            throw mapped
        }
        await notifySubscribers()
        return recorded
    }

    private func startVersion(_ stream: String, _ expected: ExpectedVersion, _ connection: PostgresConnection) async throws -> Int {
        switch expected {
        case .noStream: return 0
        case .exact(let version): return version
        case .any:
            let rows = try await connection.query(
                "SELECT coalesce(max(stream_version), 0) FROM eventlog.events WHERE stream_id = \(stream)", logger: logger)
            for try await version in rows.decode(Int.self) { return version }
            return 0
        }
    }

    /// Wakes subscribers. Sent after COMMIT, outside the append transaction, so a slow listener never
    /// holds an append; subscribers also poll, so a lost notification only delays them.
    private func notifySubscribers() async {
        try? await client.query("SELECT pg_notify(\(Self.notificationChannel), '')", logger: logger).drain()
    }

    /// The events of one stream in version order.
    public func readStream(_ stream: String) async throws(StoreError) -> [RecordedEvent] {
        try await fetch("SELECT \(unescaped: Self.columns) FROM eventlog.events WHERE stream_id = \(stream) ORDER BY stream_version")
    }

    /// Events in global order, optionally filtered, for auditors (`postern events`).
    public func read(after position: Int64 = 0, stream: String? = nil, type: String? = nil, limit: Int = 1000) async throws(StoreError)
        -> [RecordedEvent]
    {
        try await fetch(
            """
            SELECT \(unescaped: Self.columns) FROM eventlog.events
            WHERE position > \(position) AND (\(stream)::text IS NULL OR stream_id = \(stream))
              AND (\(type)::text IS NULL OR event_type = \(type))
            ORDER BY position LIMIT \(limit)
            """)
    }

    func fetch(_ query: PostgresQuery) async throws(StoreError) -> [RecordedEvent] {
        do {
            var events: [RecordedEvent] = []
            for try await row in try await client.query(query, logger: logger) { events.append(try Self.decode(row)) }
            return events
        } catch {
            throw StoreError.from(error)
        }
    }

    static func decode(_ row: PostgresRow) throws -> RecordedEvent {
        let (position, xid, stream, version, type, schema, data, metadata, recordedAt, hash) = try row.decode(
            (Int64, String, String, Int, String, Int, String, String, Date, String).self)
        return RecordedEvent(
            position: position, transactionID: UInt64(xid) ?? 0, streamID: stream, streamVersion: version, type: type,
            schemaVersion: schema, data: try JSONValue.parse(data),
            metadata: try JSONValue.parse(metadata), recordedAt: recordedAt, hash: hash)
    }
}

extension EventStore {
    /// The current version of a stream (0 when it has no events).
    public func version(of stream: String) async throws(StoreError) -> Int {
        do {
            for try await version in try await client.query(
                "SELECT coalesce(max(stream_version), 0) FROM eventlog.events WHERE stream_id = \(stream)", logger: logger
            ).decode(Int.self) {
                return version
            }
            return 0
        } catch {
            throw StoreError.from(error)
        }
    }
}
