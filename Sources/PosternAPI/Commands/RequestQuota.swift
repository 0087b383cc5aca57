import Foundation
import PosternCore
import PosternCrypto
import PosternStore
import Synchronization

/// The pool a request counts against, found from what the request names before any handler runs.
extension Postern {
    /// Admits the request against its pool's quota for the operation's category (`ThrottlePolicy`), or
    /// throws TooManyRequestsException. Requests that name no pool are not counted.
    func admit(operation: String, body: [String: Any], now: Date) async throws {
        guard let category = RequestCategory(operation: operation), let poolId = try await poolNamed(in: body),
            let pool = try await quotaSettings.settings(of: poolId, directory: directory, now: now)
        else { return }
        try await throttle.admit(pool: poolId, category: category, quota: configuration.throttle.quota(category, pool: pool), now: now)
    }

    /// `UserPoolId`, the pool of `ClientId`, or the issuer of `AccessToken` (unverified: only to count it).
    private func poolNamed(in body: [String: Any]) async throws -> UserPoolID? {
        if let id = body["UserPoolId"] as? String { return UserPoolID(id) }
        if let clientId = body["ClientId"] as? String {
            if let cached = clientPools.withLock({ $0[clientId] }) { return cached }
            guard let client = try await directory.clientIfExists(clientId) else { return nil }
            clientPools.withLock { $0[clientId] = client.poolId }  // a client never moves to another pool
            return client.poolId
        }
        if let token = body["AccessToken"] as? String {
            let parts = token.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count == 3, let payload = Base64URL.decode(String(parts[1])),
                let claims = try? JSONValue.parse(payload), let iss = claims["iss"]?.stringValue,
                let id = iss.split(separator: "/").last
            else { return nil }
            return UserPoolID(String(id))
        }
        return nil
    }
}

/// The pool settings quotas read (their tags), kept a second: a quota change reaches every server
/// within a second, and counting does not add a query per request.
final class QuotaSettingsCache: Sendable {
    private let entries = Mutex<[String: (expires: Date, settings: UserPoolSettings?)]>([:])

    func settings(of pool: UserPoolID, directory: Directory, now: Date) async throws -> UserPoolSettings? {
        if let entry = entries.withLock({ $0[pool.rawValue] }), entry.expires > now { return entry.settings }
        let settings = try await directory.poolIfExists(pool.rawValue)?.settings
        entries.withLock { $0[pool.rawValue] = (now.addingTimeInterval(1), settings) }
        return settings
    }
}
