import Foundation
import Logging
import PosternCore
import PostgresNIO

extension PostgresRowSequence {
    /// Reads the result to its end, so the statement has completed when this returns.
    public func drain() async throws {
        for try await _ in self {}
    }
}

/// Where a subscriber stands in the log: the (writer transaction, position) of its last handled event.
public struct LogCursor: Sendable, Equatable, Comparable {
    public var transactionID: UInt64
    public var position: Int64

    public static let start = LogCursor(transactionID: 0, position: 0)

    public init(transactionID: UInt64, position: Int64) {
        self.transactionID = transactionID
        self.position = position
    }

    public static func < (lhs: LogCursor, rhs: LogCursor) -> Bool {
        (lhs.transactionID, lhs.position) < (rhs.transactionID, rhs.position)
    }
}

extension EventStore {
    /// Committed events after `cursor`, in (writer transaction, position) order, stopping at the oldest
    /// transaction still running.
    ///
    /// Positions come from a sequence, so a transaction that started later can commit a *lower* position
    /// after a reader has passed it. Reading only below `pg_snapshot_xmin` — every transaction older than
    /// that has finished, every future one gets a larger id — means no committed event is ever skipped.
    public func readCommitted(after cursor: LogCursor, types: [String]? = nil, limit: Int = 500) async throws(StoreError) -> [RecordedEvent] {
        do {
            return try await client.withConnection { connection in
                try await readCommitted(after: cursor, types: types, limit: limit, on: connection)
            }
        } catch {
            throw StoreError.from(error)
        }
    }

    /// `types` restricts the read to the event types a subscriber handles; the cursor then skips the rest.
    ///
    /// The ORDER BY names the table's columns: the select list has an output column `transaction_id` (its
    /// text form), and a bare name would sort by that text, putting xid 1000 before xid 999.
    func readCommitted(after cursor: LogCursor, types: [String]?, limit: Int, on connection: PostgresConnection) async throws
        -> [RecordedEvent]
    {
        var events: [RecordedEvent] = []
        let rows = try await connection.query(
            """
            SELECT \(unescaped: Self.columns) FROM eventlog.events
            WHERE (transaction_id, position) > (\(String(cursor.transactionID))::xid8, \(cursor.position))
              AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
              AND (\(types)::text[] IS NULL OR event_type = ANY(\(types)))
            ORDER BY eventlog.events.transaction_id, eventlog.events.position LIMIT \(limit)
            """, logger: logger)
        for try await row in rows { events.append(try Self.decode(row)) }
        return events
    }

    /// The stored cursor of a subscriber, `.start` for a new one.
    public func checkpoint(of subscriber: String) async throws(StoreError) -> LogCursor {
        do {
            return try await client.withConnection { connection in try await checkpoint(of: subscriber, on: connection) }
        } catch {
            throw StoreError.from(error)
        }
    }

    func checkpoint(of subscriber: String, on connection: PostgresConnection) async throws -> LogCursor {
        let rows = try await connection.query(
            "SELECT transaction_id::text, position FROM eventlog.checkpoints WHERE subscriber = \(subscriber)", logger: logger)
        var cursor = LogCursor.start
        for try await (xid, position) in rows.decode((String, Int64).self) {
            cursor = LogCursor(transactionID: UInt64(xid) ?? 0, position: position)
        }
        return cursor
    }

    /// Stores a subscriber's cursor; it only ever moves forward.
    func saveCheckpoint(_ cursor: LogCursor, of subscriber: String, on connection: PostgresConnection) async throws {
        try await connection.query(
            """
            INSERT INTO eventlog.checkpoints (subscriber, transaction_id, position)
            VALUES (\(subscriber), \(String(cursor.transactionID))::xid8, \(cursor.position))
            ON CONFLICT (subscriber) DO UPDATE SET transaction_id = EXCLUDED.transaction_id, position = EXCLUDED.position,
                updated_at = now()
            WHERE (eventlog.checkpoints.transaction_id, eventlog.checkpoints.position) < (EXCLUDED.transaction_id, EXCLUDED.position)
            """, logger: logger
        ).drain()
    }
}

/// Follows the log for one named subscriber, at least once: handle an event, then store the cursor.
///
/// Wakes on LISTEN/NOTIFY and polls as a fallback, so a lost notification only delays delivery.
public struct Subscription: Sendable {
    public let name: String
    public let store: EventStore
    /// The event types this subscriber handles; nil for all.
    public let types: [String]?
    public let pollInterval: Duration
    public let handle: @Sendable (RecordedEvent) async throws -> Void
    /// Events handled between two saved cursors, at most.
    static let checkpointEvery = 32

    public init(
        name: String, store: EventStore, types: [String]? = nil, pollInterval: Duration = .milliseconds(500),
        handle: @escaping @Sendable (RecordedEvent) async throws -> Void
    ) {
        self.name = name
        self.store = store
        self.types = types
        self.pollInterval = pollInterval
        self.handle = handle
    }

    /// Handles every committed event not yet handled; returns how many it handled.
    ///
    /// Reads and checkpoints on one connection, in order, so a cursor read never races a cursor write.
    @discardableResult
    public func catchUp() async throws -> Int {
        try await store.client.withConnection { connection in
            var cursor = try await store.checkpoint(of: name, on: connection)
            var handled = 0
            while true {
                let batch = try await store.readCommitted(after: cursor, types: types, limit: 500, on: connection)
                if batch.isEmpty { return handled }
                // The cursor is saved after every `checkpointEvery` events and at the end of each read: a
                // crash redelivers at most that many (handlers are at least once anyway, with ids to drop
                // duplicates by), and under load a checkpoint is not a commit per event.
                var unsaved = 0
                for event in batch {
                    try await handle(event)
                    cursor = LogCursor(transactionID: event.transactionID, position: event.position)
                    handled += 1
                    unsaved += 1
                    if unsaved == Self.checkpointEvery {
                        try await store.saveCheckpoint(cursor, of: name, on: connection)
                        unsaved = 0
                    }
                }
                if unsaved > 0 { try await store.saveCheckpoint(cursor, of: name, on: connection) }
            }
        }
    }

    /// Runs until the task is cancelled. Only one process follows a subscriber at a time: it holds a
    /// session advisory lock named after the subscriber on a connection it keeps for the purpose, and
    /// other servers wait for that lock (they take over if the holder dies).
    public func run(logger: Logger) async {
        while !Task.isCancelled {
            do {
                try await store.client.withConnection { connection in
                    guard try await tryLeadership(on: connection) else { return }
                    logger.info("following the event log", metadata: ["subscriber": "\(name)"])
                    await follow(logger: logger)
                    _ = try? await connection.query("SELECT pg_advisory_unlock(\(lockKey))", logger: logger)
                }
            } catch {
                logger.warning("subscription leadership check failed", metadata: ["subscriber": "\(name)", "error": "\(error)"])
            }
            try? await Task.sleep(for: .seconds(2))
        }
    }

    /// A stable advisory-lock key for this subscriber (FNV-1a of its name).
    var lockKey: Int64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in name.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return Int64(bitPattern: hash)
    }

    func tryLeadership(on connection: PostgresConnection) async throws -> Bool {
        for try await locked in try await connection.query("SELECT pg_try_advisory_lock(\(lockKey))", logger: store.logger).decode(Bool.self) {
            return locked
        }
        return false
    }

    /// Handles events as they commit until the task is cancelled.
    func follow(logger: Logger) async {
        let wakeups = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let listener = Task {
            while !Task.isCancelled {
                do {
                    try await store.client.withConnection { connection in
                        for try await _ in try await connection.listen(EventStore.notificationChannel) {
                            wakeups.continuation.yield()
                        }
                    }
                } catch {
                    try? await Task.sleep(for: .seconds(1))
                }
            }
        }
        let ticker = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: pollInterval)
                wakeups.continuation.yield()
            }
            wakeups.continuation.finish()
        }
        defer {
            listener.cancel()
            ticker.cancel()
        }
        for await _ in wakeups.stream {
            if Task.isCancelled { break }
            do {
                try await catchUp()
            } catch {
                logger.error("subscription failed; will retry", metadata: ["subscriber": "\(name)", "error": "\(error)"])
            }
        }
    }
}
