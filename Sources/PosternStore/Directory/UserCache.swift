import Foundation
import PosternCore
import Synchronization

/// Users as the read paths see them (every access-token call, GetUser, AdminGetUser), kept in memory and
/// invalidated from the log, never by age.
///
/// Invalidation has three sources, so a cached row is never older than what this server committed and at
/// most one follower round behind what another server committed:
/// - this server's appends: `EventStore` reports every user stream it committed to (or found moved on, on
///   a version conflict) before the append returns (`EventStore.StreamObserver`);
/// - other servers' appends: `ConfigurationFollower` reads the user streams that committed after its cursor
///   on every notification and at least once a second;
/// - doubt: while the follower cannot read the log the cache is not trusted, so every read goes to the
///   database (`trust(until:)`, as `ConfigurationCache`).
/// A load that began before an invalidation is not stored (the generation moved), so a row read just before
/// a commit cannot outlive it. Names map to subs only through the user they were found on: dropping a user
/// drops its names, and a new user stream drops all names (a new username may outrank an alias).
///
/// The revocation check of a token's sign-in (`origin_jti`) is cached as the set of origins the row was
/// found with unrevoked; revoking one appends to the user's stream, which drops the entry.
public final class UserCache: Sendable {
    /// A sign-in name as `UserBySignInName` resolves it.
    public struct Name: Hashable, Sendable {
        public var poolId: String
        public var key: String
        public var login: String
        public var subSignsIn: Bool
    }

    private struct Entry {
        var user: UserRecord
        var unrevokedOrigins: Set<String> = []
        var names: Set<Name> = []
    }

    private struct State {
        var bySub: [String: Entry] = [:]
        var byName: [Name: String] = [:]
        var generation: UInt64 = 0
        var trustedUntil: ContinuousClock.Instant?
    }

    /// How long the cache is trusted after the follower's last successful catch-up: it polls every second,
    /// so a follower that misses two rounds stops the cache from answering (revocations must not wait on it).
    public static let trustWindow: Duration = .seconds(2)

    /// Users kept at most; beyond it an arbitrary entry makes room (a cache, not a copy of the directory).
    public let capacity: Int
    private let state = Mutex(State())

    public init(capacity: Int = 50_000) { self.capacity = capacity }

    /// The generation a load must still see to be stored, or nil when the cache is not trusted.
    private func begin() -> UInt64? {
        state.withLock { state in state.trustedUntil.map { $0 > .now } == true ? state.generation : nil }
    }

    public func user(sub: String, load: () async throws -> UserRecord?) async throws -> UserRecord? {
        if let hit = state.withLock({ state -> UserRecord? in
            guard state.trustedUntil.map({ $0 > .now }) == true else { return nil }
            return state.bySub[sub]?.user
        }) {
            return hit
        }
        let generation = begin()
        guard let loaded = try await load() else { return nil }
        if let generation { store(loaded, generation: generation) { _ in } }
        return loaded
    }

    /// The user unless `origin` names a revoked sign-in (nil for both, as the query answers).
    public func user(sub: String, unlessOriginRevoked origin: String, load: () async throws -> UserRecord?) async throws -> UserRecord? {
        if let hit = state.withLock({ state -> UserRecord? in
            guard state.trustedUntil.map({ $0 > .now }) == true, let entry = state.bySub[sub], entry.unrevokedOrigins.contains(origin)
            else { return nil }
            return entry.user
        }) {
            return hit
        }
        let generation = begin()
        guard let loaded = try await load() else { return nil }
        if let generation { store(loaded, generation: generation) { $0.unrevokedOrigins.insert(origin) } }
        return loaded
    }

    public func user(named name: Name, load: () async throws -> UserRecord?) async throws -> UserRecord? {
        if let hit = state.withLock({ state -> UserRecord? in
            guard state.trustedUntil.map({ $0 > .now }) == true, let sub = state.byName[name] else { return nil }
            return state.bySub[sub]?.user
        }) {
            return hit
        }
        let generation = begin()
        guard let loaded = try await load() else { return nil }
        if let generation {
            store(loaded, generation: generation) { entry in entry.names.insert(name) }
        }
        return loaded
    }

    private func store(_ user: UserRecord, generation: UInt64, _ update: (inout Entry) -> Void) {
        state.withLock { state in
            guard state.generation == generation else { return }
            let sub = user.sub.rawValue
            var entry: Entry
            if let existing = state.bySub[sub], existing.user.version >= user.version {
                // A load that began earlier may finish later: never step back to an older row.
                guard existing.user.version == user.version else { return }
                entry = existing
            } else {
                Self.drop(sub, from: &state)  // an older row: its names and origins go with it
                if state.bySub.count >= capacity, let evicted = state.bySub.keys.first { Self.drop(evicted, from: &state) }
                entry = Entry(user: user)
            }
            update(&entry)
            for name in entry.names { state.byName[name] = sub }
            state.bySub[sub] = entry
        }
    }

    private static func drop(_ sub: String, from state: inout State) {
        guard let entry = state.bySub.removeValue(forKey: sub) else { return }
        for name in entry.names where state.byName[name] == sub { state.byName[name] = nil }
    }

    /// Forgets the users of these streams (`user-<sub>`; other streams are ignored); `newUsers` also
    /// forgets every name.
    public func invalidate(streams: some Sequence<String>, newUsers: Bool) {
        state.withLock { state in
            state.generation &+= 1
            for stream in streams where stream.hasPrefix("user-") { Self.drop(String(stream.dropFirst(5)), from: &state) }
            if newUsers {
                state.byName = [:]
                for sub in state.bySub.keys { state.bySub[sub]?.names = [] }
            }
        }
    }

    /// Forgets everything and stops trusting the cache until the follower catches up again.
    public func invalidateAll() {
        state.withLock { state in
            state.generation &+= 1
            state.bySub = [:]
            state.byName = [:]
            state.trustedUntil = nil
        }
    }

    /// The follower caught up: trust what is cached until `instant`.
    public func trust(until instant: ContinuousClock.Instant) {
        state.withLock { $0.trustedUntil = instant }
    }

    /// How many users are cached (tests and diagnostics).
    public var count: Int { state.withLock { $0.bySub.count } }
}
