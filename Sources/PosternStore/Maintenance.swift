import Crypto
import Foundation
import Logging
import PosternCore
import PostgresNIO

/// The first event whose hash does not match its content or predecessor.
public struct BrokenLink: Sendable, Equatable, CustomStringConvertible {
    public var position: Int64
    public var streamID: String
    public var streamVersion: Int
    public var reason: String
    public var description: String { "event \(position) (\(streamID) v\(streamVersion)): \(reason)" }
}

/// Why `postern verify` rejects the log.
public enum VerificationFailure: Sendable, Equatable, CustomStringConvertible {
    /// An event was edited, forged or reordered, or its stream lost an earlier event.
    case event(BrokenLink)
    /// A signed checkpoint does not match the events it covers (events removed, added or moved), or the
    /// checkpoints themselves were edited or removed.
    case checkpoint(seq: Int64, reason: String)

    /// The broken event, when an event (not a checkpoint) is at fault.
    public var brokenEvent: BrokenLink? {
        if case .event(let link) = self { return link }
        return nil
    }

    public var description: String {
        switch self {
        case .event(let link): link.description
        case .checkpoint(let seq, let reason): "checkpoint \(seq): \(reason)"
        }
    }
}

/// What `postern verify` checked and found.
public struct LogVerification: Sendable, Equatable {
    /// The first problem in log order, or nil when the log is intact.
    public var failure: VerificationFailure?
    public var events = 0
    /// Events written before the keyed chain (hash scheme 1: unkeyed sha256).
    public var legacyEvents = 0
    public var checkpoints = 0
    /// Events after the last signed checkpoint: their removal would go unnoticed until the next one.
    public var uncovered = 0
    /// The last checkpoint as `seq:mac` (hex), to record outside the database.
    public var head: String?
}

/// A signed checkpoint of the log head.
public struct LogCheckpoint: Sendable, Equatable {
    public var seq: Int64
    public var eventCount: Int64
    public var maxPosition: Int64
    public var mac: String
}

extension EventStore {
    /// Serialises checkpoint writers (several servers may share one database).
    static let checkpointLockKey: Int64 = 0x706f_7374_6572_6e03
    static let timestampFormat = #"'YYYY-MM-DD"T"HH24:MI:SS.US'"#

    /// Signs a checkpoint of every event written since the last one; nil when there was none.
    ///
    /// The checkpoint covers the transactions below the oldest one still running, a set that can no
    /// longer change, so a late commit with a lower position is covered by the next checkpoint instead.
    @discardableResult
    public func writeCheckpoint() async throws(StoreError) -> LogCheckpoint? {
        do {
            return try await client.withConnection { connection in
                try await connection.transaction(logger: logger) { connection in
                    var last: (seq: Int64, xidTo: String, mac: [UInt8])?
                    for try await (seq, xidTo, mac) in try await connection.query(
                        """
                        SELECT c.seq, c.xid_to::text, encode(c.mac, 'hex')
                        FROM (SELECT pg_advisory_xact_lock(\(Self.checkpointLockKey))) AS lock
                        LEFT JOIN LATERAL (SELECT * FROM eventlog.log_checkpoints ORDER BY seq DESC LIMIT 1) c ON true
                        """, logger: logger
                    ).decode((Int64?, String?, String?).self) {
                        if let seq, let xidTo, let mac { last = (seq, xidTo, [UInt8](hex: mac) ?? []) }
                    }
                    let from = last?.xidTo ?? "0"
                    let rows = try await connection.query(
                        """
                        SELECT b.x::text, d.event_count, d.max_position, encode(d.digest, 'hex'),
                               to_char(clock_timestamp() AT TIME ZONE 'UTC', \(unescaped: Self.timestampFormat))
                        FROM (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS x) b, eventlog.range_digest(\(from)::xid8, b.x) d
                        """, logger: logger)
                    for try await (to, count, maxPosition, digest, now) in rows.decode((String, Int64, Int64, String, String).self) {
                        guard last == nil || (count > 0 && to != from) else { return nil }
                        let seq = (last?.seq ?? 0) + 1
                        let digestBytes = [UInt8](hex: digest) ?? []
                        let mac = ChainHash(key: chainKey).checkpoint(
                            seq: seq, xidFrom: from, xidTo: to, count: count, maxPosition: maxPosition, digest: digestBytes,
                            previousMAC: last?.mac, createdAt: now)
                        try await connection.query(
                            """
                            INSERT INTO eventlog.log_checkpoints
                                (seq, xid_from, xid_to, event_count, max_position, digest, previous_mac, mac, created_at)
                            VALUES (\(seq), \(from)::xid8, \(to)::xid8, \(count), \(maxPosition), \(Data(digestBytes)),
                                    \(last.map { Data($0.mac) }), \(Data(mac)), \(now)::timestamp AT TIME ZONE 'UTC')
                            """, logger: logger
                        ).drain()
                        return LogCheckpoint(seq: seq, eventCount: count, maxPosition: maxPosition, mac: mac.hex)
                    }
                    return nil
                }
            }
        } catch {
            throw StoreError.from(error)
        }
    }

    /// Walks every stream's hash chain and the signed checkpoints; returns the first problem, or nil.
    public func verifyChains(now: Date = Date(), maxUncoveredAge: TimeInterval = 600) async throws(StoreError) -> VerificationFailure? {
        try await verifyLog(now: now, maxUncoveredAge: maxUncoveredAge).failure
    }

    /// Checks the whole log (what `postern verify` runs).
    ///
    /// 1. Every stream's chain: versions without gaps, each `previous_hash` its predecessor's hash, each
    ///    keyed hash (scheme 2) recomputed with the chain key, each legacy hash (scheme 1) recomputed in SQL,
    ///    and no legacy hash after the first keyed one.
    /// 2. The checkpoints: numbered without gaps, each signed and linked to its predecessor, each matching
    ///    the count and digest of the events it covers (so a removed stream tail or stream shows).
    /// 3. A keyed event older than `maxUncoveredAge` must be covered by a checkpoint (the server writes one
    ///    every few seconds), so removing the last checkpoints does not hide a removal before them.
    public func verifyLog(now: Date = Date(), maxUncoveredAge: TimeInterval = 600) async throws(StoreError) -> LogVerification {
        var report = LogVerification()
        do {
            var bound = "0"
            report.failure = try await verifyEvents(&report)
            if report.failure == nil { report.failure = try await verifyCheckpoints(&report, bound: &bound) }
            if report.failure == nil {
                report.failure = try await verifyCoverage(&report, from: bound, cutoff: now.addingTimeInterval(-maxUncoveredAge))
            }
        } catch {
            throw StoreError.from(error)
        }
        return report
    }

    private func verifyEvents(_ report: inout LogVerification) async throws -> VerificationFailure? {
        let rows = try await client.query(
            """
            SELECT position, stream_id, stream_version, event_type, schema_version, data::text, metadata::text,
                   to_char(recorded_at AT TIME ZONE 'UTC', \(unescaped: Self.timestampFormat)),
                   coalesce(encode(previous_hash, 'hex'), ''), encode(hash, 'hex'), hash_scheme::int,
                   CASE
                     WHEN stream_version <> row_number() OVER w THEN 'missing earlier event in stream'
                     WHEN previous_hash IS DISTINCT FROM lag(hash) OVER w THEN 'previous hash does not match'
                     WHEN hash_scheme NOT IN (1, 2) THEN 'unknown hash scheme'
                     WHEN hash_scheme = 1 AND lag(hash_scheme) OVER w = 2 THEN 'unkeyed hash after a keyed one'
                     WHEN hash_scheme = 1 AND hash <> eventlog.event_hash(previous_hash, stream_id, stream_version, event_type,
                                                                          schema_version, data, metadata, recorded_at)
                       THEN 'content does not match its hash'
                   END
            FROM eventlog.events
            WINDOW w AS (PARTITION BY stream_id ORDER BY stream_version)
            ORDER BY position
            """, logger: logger)
        let hasher = ChainHash(key: chainKey)
        var keyedSeen = false
        for try await (position, stream, version, type, schema, data, metadata, recordedAt, previous, hash, scheme, sqlReason) in rows.decode(
            (Int64, String, Int, String, Int, String, String, String, String, String, Int, String?).self)
        {
            report.events += 1
            var reason = sqlReason
            if reason == nil, scheme == 1 {
                report.legacyEvents += 1
                if keyedSeen { reason = "unkeyed hash after keyed events began" }
            }
            if reason == nil, scheme == 2 {
                keyedSeen = true
                let expected = hasher.event(
                    previous: previous.isEmpty ? nil : [UInt8](hex: previous), stream: stream, version: version, type: type,
                    schemaVersion: schema, data: data, metadata: metadata, recordedAt: recordedAt)
                if expected.hex != hash { reason = "content does not match its keyed hash" }
            }
            if let reason { return .event(BrokenLink(position: position, streamID: stream, streamVersion: version, reason: reason)) }
        }
        return nil
    }

    /// Sets `bound` to the end of the last checkpoint's range.
    private func verifyCheckpoints(_ report: inout LogVerification, bound: inout String) async throws -> VerificationFailure? {
        let rows = try await client.query(
            """
            SELECT c.seq, c.xid_from::text, c.xid_to::text, c.event_count, c.max_position, encode(c.digest, 'hex'),
                   coalesce(encode(c.previous_mac, 'hex'), ''), encode(c.mac, 'hex'),
                   to_char(c.created_at AT TIME ZONE 'UTC', \(unescaped: Self.timestampFormat)),
                   d.event_count, d.max_position, encode(d.digest, 'hex')
            FROM eventlog.log_checkpoints c, LATERAL eventlog.range_digest(c.xid_from, c.xid_to) d
            ORDER BY c.seq
            """, logger: logger)
        let hasher = ChainHash(key: chainKey)
        var previous: (xidTo: String, mac: String)?
        for try await (seq, from, to, count, maxPosition, digest, previousMAC, mac, createdAt, actualCount, actualMax, actualDigest) in rows.decode(
            (Int64, String, String, Int64, Int64, String, String, String, String, Int64, Int64, String).self)
        {
            report.checkpoints += 1
            let expected = hasher.checkpoint(
                seq: seq, xidFrom: from, xidTo: to, count: count, maxPosition: maxPosition, digest: [UInt8](hex: digest) ?? [],
                previousMAC: previousMAC.isEmpty ? nil : [UInt8](hex: previousMAC), createdAt: createdAt)
            if expected.hex != mac { return .checkpoint(seq: seq, reason: "signature does not match") }
            if seq != Int64(report.checkpoints) { return .checkpoint(seq: seq, reason: "an earlier checkpoint is missing") }
            if previousMAC != (previous?.mac ?? "") || from != (previous?.xidTo ?? "0") {
                return .checkpoint(seq: seq, reason: "does not follow the previous checkpoint")
            }
            if actualCount != count {
                return .checkpoint(seq: seq, reason: "signed \(count) events, the log holds \(actualCount) (events removed or added)")
            }
            if actualMax != maxPosition || actualDigest != digest {
                return .checkpoint(seq: seq, reason: "the events it covers changed (edited, replaced or moved)")
            }
            previous = (to, mac)
            bound = to
            report.head = "\(seq):\(mac)"
        }
        return nil
    }

    private func verifyCoverage(_ report: inout LogVerification, from: String, cutoff: Date) async throws -> VerificationFailure? {
        for try await count in try await client.query(
            "SELECT count(*) FROM eventlog.events WHERE transaction_id >= \(from)::xid8", logger: logger
        ).decode(Int.self) {
            report.uncovered = count
        }
        for try await (position, stream, version) in try await client.query(
            """
            SELECT position, stream_id, stream_version FROM eventlog.events
            WHERE transaction_id >= \(from)::xid8 AND hash_scheme = 2 AND recorded_at < \(cutoff)
            ORDER BY position LIMIT 1
            """, logger: logger
        ).decode((Int64, String, Int).self) {
            return .event(
                BrokenLink(
                    position: position, streamID: stream, streamVersion: version,
                    reason: "older than the last signed checkpoint allows (checkpoints removed?)"))
        }
        return nil
    }

    /// Replays the whole log into the projection tables, in place, in one transaction.
    ///
    /// The tables are emptied and refilled rather than recreated, so their columns, constraints, indexes,
    /// defaults, grants and triggers stay exactly what the migrations made (constraint names matter: the
    /// API maps `users_username_unique` to UsernameExistsException). Appends wait on the rebuild lock
    /// meanwhile, and readers keep seeing the old rows until the commit. Returns the number of events replayed.
    ///
    /// Events are read in keyset pages of `batchSize` and each page is one projector batch: the
    /// directory projector folds a page in memory and writes its rows with a few set-based statements, the
    /// same reducers an append runs (`DirectoryProjector`). The next page is read and parsed on a connection
    /// of its own while this one is folded and written, so the two halves use both cores. The pages stop at
    /// the last position committed when the lock was taken (appends wait on it, so none come after).
    /// Replayed events carry no metadata, transaction id or hash (projections never read them), which saves
    /// parsing what a rebuild throws away.
    @discardableResult
    public func rebuildProjections(batchSize: Int = 10_000) async throws -> Int {
        try await client.withConnection { connection in
            try await connection.transaction(logger: logger) { connection in
                _ = try await connection.query("SELECT pg_advisory_xact_lock(\(Self.rebuildLockKey))", logger: logger)
                var last: Int64 = 0
                for try await position in try await connection.query(
                    "SELECT coalesce(max(position), 0) FROM eventlog.events", logger: logger
                ).decode(Int64.self) {
                    last = position
                }
                var tables: [String] = []
                for try await name in try await connection.query(
                    "SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = 'directory' ORDER BY tablename", logger: logger
                ).decode(String.self) {
                    tables.append(name)
                }
                for table in tables {
                    _ = try await connection.query(PostgresQuery(unsafeSQL: "DELETE FROM directory.\(table)"), logger: logger)
                }
                _ = try await connection.query("SET LOCAL search_path TO directory, public", logger: logger)
                var replayed = 0
                let upTo = last
                var next = Task { try await self.replayPage(after: 0, upTo: upTo, limit: batchSize) }
                defer { next.cancel() }
                while true {
                    let batch = try await next.value
                    guard let final = batch.last else { break }
                    next = Task { try await self.replayPage(after: final.position, upTo: upTo, limit: batchSize) }
                    try await projector.apply(batch, context: ProjectionContext(replaying: true), on: connection, logger: logger)
                    replayed += batch.count
                }
                return replayed
            }
        }
    }

    /// One page of the log for a rebuild: events after `after` up to `upTo`, parsed, read on a pooled
    /// connection (committed events only, which is all there is below the rebuild lock's `upTo`).
    func replayPage(after: Int64, upTo: Int64, limit: Int) async throws -> [RecordedEvent] {
        guard after < upTo else { return [] }
        return try await client.withConnection { connection in
            var batch: [RecordedEvent] = []
            batch.reserveCapacity(limit)
            for try await (position, stream, version, type, schema, data, recordedAt) in try await connection.query(
                """
                SELECT position, stream_id, stream_version, event_type, schema_version, data::text, recorded_at
                FROM eventlog.events WHERE position > \(after) AND position <= \(upTo) ORDER BY position LIMIT \(limit)
                """,
                logger: logger
            ).decode((Int64, String, Int, String, Int, String, Date).self) {
                batch.append(
                    RecordedEvent(
                        position: position, transactionID: 0, streamID: stream, streamVersion: version, type: type, schemaVersion: schema,
                        data: try JSONValue.parse(data), metadata: .null, recordedAt: recordedAt, hash: ""))
            }
            return batch
        }
    }
}
