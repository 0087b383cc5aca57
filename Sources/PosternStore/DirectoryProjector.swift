import Foundation
import Logging
import PosternCore
import PostgresNIO
import Synchronization

/// Opens data sealed with a subject's data key (implemented by the crypto layer).
public protocol SubjectDataOpener: Sendable {
    /// Opens `sealed` with the data key that `wrappedKey` wraps under the master key.
    func open(_ sealed: String, wrappedKey: [UInt8]) throws -> [UInt8]
}

/// Folds events into the `directory` tables: pools, clients, groups, users, codes, refresh tokens, admin keys.
///
/// One source of truth for how an event changes a row: the reducer table (`reducers`, with the event
/// types it deliberately skips in `ignored`). A batch runs in three steps, for an append (a command's few
/// events, inside its transaction) and for `projections rebuild` (thousands of events at a time) alike:
/// 1. every event is decoded once and its reducer says which rows it reads (`DirectoryNeed`);
/// 2. those rows are loaded with one query per table (`= ANY`), into an in-memory working set
///    (`DirectoryRows`); a stream that starts in the batch has no rows to load;
/// 3. the reducers run in position order, each returning row changes that the working set applies before
///    the next event, so a user's ten events become one final row; then the changed rows are written with
///    one `unnest` statement per table and kind (an append sends them all as one statement).
/// A rebuild writes a changed row as DELETE then INSERT (no unique key can trip over a row that moves
/// within a batch); an append UPDATEs it in place and loads with `FOR UPDATE`, as its UPDATEs used to lock.
///
/// Statements use unqualified table names; the caller's `search_path` picks the schema. Timestamps come
/// from the event, never the clock, so a rebuild reproduces every row.
///
/// An event type with no reducer and not in `ignored` (one this build does not know, e.g. written by a
/// newer release) is skipped and logged at error level, with its count: replaying an old or foreign log
/// never fails on it, and the coverage test keeps every type of `DomainEvents` decided.
public struct DirectoryProjector: InlineProjector {
    let opener: any SubjectDataOpener
    /// The sign-in name settings of each pool (fixed when the pool is created, as in Cognito).
    let signInSettingsByPool = SignInSettingsMemo()

    public init(opener: any SubjectDataOpener) { self.opener = opener }

    /// What the projection does with an event type.
    public enum Disposition: Sendable, Equatable {
        /// A reducer folds it into the directory.
        case reduced
        /// Deliberately not projected (it may still move `users.version`).
        case ignored
        /// Unknown to this projection: skipped and logged at error level.
        case unknown
    }

    public static func disposition(of eventType: String) -> Disposition {
        if reducers[eventType] != nil { return .reduced }
        return ignored.contains(eventType) ? .ignored : .unknown
    }

    /// The event types a reducer handles.
    public static var reducedEventTypes: Set<String> { Set(reducers.keys) }
    /// The event types the projection deliberately skips.
    public static var ignoredEventTypes: Set<String> { ignored }

    /// Applies a batch. A user row's `version` is the version of its stream's last event in the batch.
    public func apply(_ events: [RecordedEvent], context: ProjectionContext, on connection: PostgresConnection, logger: Logger) async throws {
        let rows = DirectoryRows()
        var prepared: [(RecordedEvent, DirectoryReducer.Prepared?)] = []
        prepared.reserveCapacity(events.count)
        var needs: Set<DirectoryNeed> = []
        var streams: Set<String> = []
        var unknown: [String: (count: Int, firstPosition: Int64)] = [:]
        for event in events {
            if streams.insert(event.streamID).inserted, event.streamVersion == 1 {
                rows.markNew(stream: event.streamID, entity: event.streamEntityID)
            }
            if let reducer = Self.reducers[event.type] {
                let reduction = try reducer.prepare(event)
                needs.formUnion(reduction.needs)
                prepared.append((event, reduction))
            } else {
                if !Self.ignored.contains(event.type) { unknown[event.type, default: (0, event.position)].count += 1 }
                prepared.append((event, nil))
            }
        }
        let writer = DirectoryWriter(connection: connection, logger: logger, replaying: context.replaying)
        try await writer.load(needs, into: rows, newDataKeys: context.newDataKeys, settings: signInSettingsByPool)
        let reducerContext = ReducerContext(rows: rows, projection: context, opener: opener, settings: signInSettingsByPool)
        for (event, reduction) in prepared {
            for change in try reduction?.reduce(reducerContext) ?? [] {
                if case .deletePool(let pool) = change {
                    try await writer.flush(rows)
                    try await writer.deletePool(pool)
                }
                if case .deleteGroupMembers(let pool, let name) = change {
                    try await writer.flush(rows)
                    try await writer.deleteGroupMembers(pool: pool, name: name)
                }
                if case .deleteIdentitiesOfPool(let pool) = change {
                    try await writer.flush(rows)
                    try await writer.deleteIdentities(ofPool: pool)
                }
                try rows.apply(change)
            }
            if event.isUserStream { try rows.setVersion(event.streamVersion, of: event.streamEntityID) }
        }
        try await writer.flush(rows)
        for (type, seen) in unknown.sorted(by: { $0.key < $1.key }) {
            logger.error(
                "directory projection has no reducer for this event type; events skipped",
                metadata: ["event_type": "\(type)", "events": "\(seen.count)", "first_position": "\(seen.firstPosition)"])
        }
    }
}

extension DirectoryRows {
    /// Sets `users.version`: in the row when the batch holds it, else with one UPDATE at the flush.
    func setVersion(_ version: Int, of sub: String) throws {
        switch users.state(sub) {
        case .present(var row):
            row.version = version
            try users.put(row)
        case .absent: break
        case .unknown: versions[sub] = version
        }
    }
}

/// Sign-in name settings by pool id, shared by copies of the projector.
final class SignInSettingsMemo: Sendable {
    let entries = Mutex<[String: UserPoolSettings]>([:])

    subscript(pool: String) -> UserPoolSettings? {
        get { entries.withLock { $0[pool] } }
        set { entries.withLock { $0[pool] = newValue } }
    }
}
