import Foundation
import Logging
import PosternCore
import PostgresNIO
import Synchronization

/// Pool, app-client, admin-key, identity-pool and IAM role rows kept in memory: nearly every request needs
/// one or two of them, and they change rarely.
///
/// Kept consistent from the log, so several servers on one database agree: this server forgets an
/// entry as soon as its own append to that pool or client commits (`Postern.commit`), and
/// `ConfigurationFollower` forgets what any server changed, woken by NOTIFY and polling every second from
/// a cursor, so a lost notification delays nothing by more than the poll. While the follower has not
/// caught up recently (startup, a database hiccup), the cache is bypassed rather than trusted: a deleted
/// client must not keep working because a notification went missing.
public final class ConfigurationCache: Sendable {
    /// How long the cache is trusted after the follower's last successful catch-up.
    public static let trustWindow: Duration = .seconds(5)

    private struct State {
        var pools: [String: PoolRecord] = [:]
        var clients: [String: ClientRecord] = [:]
        /// Sealed secrets of admin access keys that are not revoked.
        var adminSecrets: [String: String] = [:]
        var identityPools: [String: IdentityPoolRecord] = [:]
        /// By role name in lower case, as the role's stream is named.
        var iamRoles: [String: IAMRoleRecord] = [:]
        /// Bumped by every invalidation; a load that started before one is not stored.
        var generation: UInt64 = 0
        var trustedUntil: ContinuousClock.Instant?
    }
    private let state = Mutex(State())

    public init() {}

    private var isTrusted: Bool { state.withLock { $0.trustedUntil.map { $0 > .now } ?? false } }

    public func pool(_ id: String, load: () async throws -> PoolRecord?) async throws -> PoolRecord? {
        try await cached(\.pools, id, load: load)
    }

    public func client(_ id: String, load: () async throws -> ClientRecord?) async throws -> ClientRecord? {
        try await cached(\.clients, id, load: load)
    }

    public func adminSecret(_ accessKeyID: String, load: () async throws -> String?) async throws -> String? {
        try await cached(\.adminSecrets, accessKeyID, load: load)
    }

    public func identityPool(_ id: String, load: () async throws -> IdentityPoolRecord?) async throws -> IdentityPoolRecord? {
        try await cached(\.identityPools, id, load: load)
    }

    public func iamRole(_ name: String, load: () async throws -> IAMRoleRecord?) async throws -> IAMRoleRecord? {
        try await cached(\.iamRoles, name.lowercased(), load: load)
    }

    private func cached<Record: Sendable>(
        _ table: any WritableKeyPath<State, [String: Record]> & Sendable, _ id: String, load: () async throws -> Record?
    ) async throws -> Record? {
        let (hit, generation, trusted) = state.withLock { state in
            (state[keyPath: table][id], state.generation, state.trustedUntil.map { $0 > .now } ?? false)
        }
        if trusted, let hit { return hit }
        // Unknown ids are never stored: made-up client ids must not fill memory.
        guard let loaded = try await load() else { return nil }
        if trusted {
            state.withLock { state in
                if state.generation == generation { state[keyPath: table][id] = loaded }
            }
        }
        return loaded
    }

    /// Forgets the records of these streams (`userpool-<id>`, `client-<id>`, `adminkey-<id>`,
    /// `identitypool-<id>`, `iamrole-<name>`).
    public func invalidate(streams: some Sequence<String>) {
        state.withLock { state in
            state.generation &+= 1
            for stream in streams {
                if stream.hasPrefix("userpool-") { state.pools[String(stream.dropFirst("userpool-".count))] = nil }
                if stream.hasPrefix("client-") { state.clients[String(stream.dropFirst("client-".count))] = nil }
                if stream.hasPrefix("adminkey-") { state.adminSecrets[String(stream.dropFirst("adminkey-".count))] = nil }
                if stream.hasPrefix("identitypool-") { state.identityPools[String(stream.dropFirst("identitypool-".count))] = nil }
                if stream.hasPrefix("iamrole-") { state.iamRoles[String(stream.dropFirst("iamrole-".count))] = nil }
            }
        }
    }

    /// Forgets everything and stops trusting the cache until the follower catches up again.
    public func invalidateAll() {
        state.withLock { state in
            state.generation &+= 1
            state.pools = [:]
            state.clients = [:]
            state.adminSecrets = [:]
            state.identityPools = [:]
            state.iamRoles = [:]
            state.trustedUntil = nil
        }
    }

    /// Called by the follower after each successful catch-up.
    public func trust(until instant: ContinuousClock.Instant) { state.withLock { $0.trustedUntil = instant } }
}
