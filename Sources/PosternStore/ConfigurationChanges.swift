import Foundation
import PosternCore
import PostgresNIO

extension EventStore {
    /// The channel on which an append that changed a pool or an app client wakes every server's
    /// configuration cache.
    public static let configurationChannel = "postern_configuration"

    /// The streams whose events change configuration that requests read: pools, app clients, admin keys.
    public static func isConfigurationStream(_ stream: String) -> Bool {
        stream.hasPrefix("userpool-") || stream.hasPrefix("client-") || stream.hasPrefix("adminkey-") || stream.hasPrefix("identitypool-")
            || stream.hasPrefix("iamrole-")
    }

    /// The cursor below which every transaction has finished: a follower that starts here misses nothing
    /// that commits after it read what it caches.
    public func committedHorizon() async throws(StoreError) -> LogCursor {
        do {
            for try await xmin in try await client.query("SELECT pg_snapshot_xmin(pg_current_snapshot())::text", logger: logger).decode(String.self) {
                return LogCursor(transactionID: UInt64(xmin) ?? 0, position: 0)
            }
            return .start
        } catch {
            throw StoreError.from(error)
        }
    }

    /// What committed after `cursor` that a server's caches hold: the pool, client, admin-key, identity-pool,
    /// IAM role and user streams
    /// with events, whether a user stream began among them, and the cursor to ask from next time: every
    /// transaction below its horizon has been seen (the same rule as `readCommitted`).
    public func cachedStreamChanges(after cursor: LogCursor) async throws(StoreError) -> (streams: Set<String>, usersBegan: Bool, next: LogCursor) {
        do {
            let rows = try await client.query(
                """
                WITH horizon AS (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin),
                changed AS (
                    SELECT stream_id, stream_version FROM eventlog.events, horizon
                    WHERE (transaction_id, position) > (\(String(cursor.transactionID))::xid8, \(cursor.position))
                      AND transaction_id < horizon.xmin
                      AND (stream_id LIKE 'userpool-%' OR stream_id LIKE 'client-%' OR stream_id LIKE 'adminkey-%' OR stream_id LIKE 'user-%'
                           OR stream_id LIKE 'identitypool-%' OR stream_id LIKE 'iamrole-%'))
                SELECT (SELECT xmin::text FROM horizon), ARRAY(SELECT DISTINCT stream_id FROM changed),
                       coalesce((SELECT bool_or(stream_version = 1 AND stream_id LIKE 'user-%') FROM changed), false)
                """, logger: logger)
            for try await (xmin, streams, began) in rows.decode((String, [String], Bool).self) {
                let next = LogCursor(transactionID: UInt64(xmin) ?? cursor.transactionID, position: 0)
                return (Set(streams), began, max(next, cursor))
            }
            return ([], false, cursor)
        } catch {
            throw StoreError.from(error)
        }
    }

    /// Wakes the configuration caches of every server on this database.
    public func notifyConfigurationChanged() async {
        try? await client.query("SELECT pg_notify(\(Self.configurationChannel), '')", logger: logger).drain()
    }
}
