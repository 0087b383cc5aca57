import Foundation
import Logging
import PostgresNIO
import PosternCore

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
    public func readCommitted(after cursor: LogCursor, limit: Int = 500) async throws(StoreError) -> [RecordedEvent] {
        try await fetch(
            """
            SELECT \(unescaped: Self.columns) FROM eventlog.events
            WHERE (transaction_id, position) > (\(String(cursor.transactionID))::xid8, \(cursor.position))
              AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
            ORDER BY transaction_id, position LIMIT \(limit)
            """)
    }

    /// The stored cursor of a subscriber, `.start` for a new one.
    public func checkpoint(of subscriber: String) async throws(StoreError) -> LogCursor {
        do {
            let rows = try await client.query(
                "SELECT transaction_id::text, position FROM eventlog.checkpoints WHERE subscriber = \(subscriber)", logger: logger)
            for try await (xid, position) in rows.decode((String, Int64).self) {
                return LogCursor(transactionID: UInt64(xid) ?? 0, position: position)
            }
            return .start
        } catch {
            throw StoreError.from(error)
        }
    }

    public func saveCheckpoint(_ cursor: LogCursor, of subscriber: String) async throws(StoreError) {
        do {
            _ = try await client.query(
                """
                INSERT INTO eventlog.checkpoints (subscriber, transaction_id, position)
                VALUES (\(subscriber), \(String(cursor.transactionID))::xid8, \(cursor.position))
                ON CONFLICT (subscriber) DO UPDATE SET transaction_id = EXCLUDED.transaction_id, position = EXCLUDED.position,
                    updated_at = now()
                """, logger: logger)
        } catch {
            throw StoreError.from(error)
        }
    }
}

/// Follows the log for one named subscriber, at least once: handle an event, then store the cursor.
///
/// Wakes on LISTEN/NOTIFY and polls as a fallback, so a lost notification only delays delivery.
public struct Subscription: Sendable {
    public let name: String
    public let store: EventStore
    public let pollInterval: Duration
    public let handle: @Sendable (RecordedEvent) async throws -> Void

    public init(name: String, store: EventStore, pollInterval: Duration = .milliseconds(500),
                handle: @escaping @Sendable (RecordedEvent) async throws -> Void) {
        self.name = name
        self.store = store
        self.pollInterval = pollInterval
        self.handle = handle
    }

    /// Handles every committed event not yet handled; returns how many it handled.
    @discardableResult
    public func catchUp() async throws -> Int {
        var cursor = try await store.checkpoint(of: name)
        var handled = 0
        while true {
            let batch = try await store.readCommitted(after: cursor)
            if batch.isEmpty { return handled }
            for event in batch {
                try await handle(event)
                cursor = LogCursor(transactionID: event.transactionID, position: event.position)
                try await store.saveCheckpoint(cursor, of: name)
                handled += 1
            }
        }
    }

    /// Runs until the task is cancelled.
    public func run(logger: Logger) async {
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
