import Foundation
import PosternCore
import PosternCrypto
import PosternStore
import Synchronization

/// The pool a request counts against, found from what the request names before any handler runs.
extension Postern {
    /// Admits the request against its pool's quota for the operation's category (`ThrottlePolicy`), or
    /// throws TooManyRequestsException. A request whose pool cannot be found is not counted (the handler
    /// answers it with its own error).
    func admit(category: RequestCategory, reference: PoolReference, now: Date) async throws {
        if let identityPool = try await identityPool(of: reference) {
            // The pool's tags from the configuration cache the identity operations read it from anyway.
            guard let tags = try await directory.cachedIdentityPool(identityPool)?.configuration.tags else { return }
            let quota = configuration.throttle.quota(category, identityPoolTags: tags)
            try await throttle.admit(pool: identityPool, category: category, quota: quota, now: now)
            return
        }
        guard let poolId = try await pool(of: reference),
            let pool = try await quotaSettings.settings(of: poolId, directory: directory, now: now)
        else { return }
        try await throttle.admit(pool: poolId.rawValue, category: category, quota: configuration.throttle.quota(category, pool: pool), now: now)
    }

    /// The identity pool a cognito-identity request counts against: the one it names, or its identity's
    /// (an identity never moves to another pool, so the answer is kept).
    private func identityPool(of reference: PoolReference) async throws -> String? {
        switch reference {
        case .identityPool(let id):
            return id
        case .identity(let id):
            if let cached = identityPools.withLock({ $0[id] }) { return cached }
            guard let identity = try await directory.identity(id) else { return nil }
            identityPools.withLock { cache in
                if cache.count > 100_000 { cache.removeAll() }
                cache[id] = identity.poolId.rawValue
            }
            return identity.poolId.rawValue
        default:
            return nil
        }
    }

    /// The pool itself, the pool of an app client, or the issuer of an access token (unverified: only to count it).
    private func pool(of reference: PoolReference) async throws -> UserPoolID? {
        switch reference {
        case .pool(let id):
            return UserPoolID(id)
        case .client(let clientId):
            if let cached = clientPools.withLock({ $0[clientId] }) { return cached }
            guard let client = try await directory.clientIfExists(clientId) else { return nil }
            clientPools.withLock { $0[clientId] = client.poolId }  // a client never moves to another pool
            return client.poolId
        case .accessToken(let jwt):
            guard let id = jwt?.issuerPoolId else { return nil }
            return UserPoolID(id)
        case .identityPool, .identity:
            return nil
        }
    }
}

/// The pool settings quotas read (their tags), kept a second: a quota change reaches every server
/// within a second, and counting does not add a query per request.
final class QuotaSettingsCache: Sendable {
    private let entries = Mutex<[String: (expires: Date, settings: UserPoolSettings?)]>([:])

    func settings(of pool: UserPoolID, directory: DirectoryQueries, now: Date) async throws -> UserPoolSettings? {
        if let entry = entries.withLock({ $0[pool.rawValue] }), entry.expires > now { return entry.settings }
        let settings = try await directory.poolIfExists(pool.rawValue)?.settings
        entries.withLock { $0[pool.rawValue] = (now.addingTimeInterval(1), settings) }
        return settings
    }
}
