import Foundation
import Logging
import PostgresNIO

/// Counters of fixed windows in PostgreSQL (`ratelimit.windows`), so that every server on one database
/// counts the same requests and failures.
public struct RateLimitCounters: Sendable {
    let client: PostgresClient
    let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// One count to add: `amount` for `key` in the window starting at `windowStart`.
    public struct Increment: Sendable, Hashable {
        public var key: String
        public var windowStart: Date
        public var amount: Int

        public init(key: String, windowStart: Date, amount: Int = 1) {
            self.key = key
            self.windowStart = windowStart
            self.amount = amount
        }
    }

    /// Adds the increments in one statement and returns each window's total across all servers.
    public func add(_ increments: [Increment]) async throws(StoreError) -> [Increment] {
        guard !increments.isEmpty else { return [] }
        do {
            let rows = try await client.query(
                """
                INSERT INTO ratelimit.windows AS w (key, window_start, count)
                SELECT * FROM unnest(\(increments.map(\.key))::text[], \(increments.map(\.windowStart))::timestamptz[],
                                     \(increments.map { Int64($0.amount) })::bigint[])
                ON CONFLICT (key, window_start) DO UPDATE SET count = w.count + EXCLUDED.count
                RETURNING key, window_start, count
                """, logger: logger)
            var totals: [Increment] = []
            for try await (key, start, count) in rows.decode((String, Date, Int64).self) {
                totals.append(Increment(key: key, windowStart: start, amount: Int(count)))
            }
            return totals
        } catch {
            throw StoreError.from(error)
        }
    }

    /// Forgets windows that started before `cutoff`.
    public func prune(before cutoff: Date) async throws(StoreError) {
        do {
            try await client.query("DELETE FROM ratelimit.windows WHERE window_start < \(cutoff)", logger: logger).drain()
        } catch {
            throw StoreError.from(error)
        }
    }
}
