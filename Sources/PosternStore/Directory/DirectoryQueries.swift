import Foundation
import Logging
import PosternCore
import PostgresNIO
import Synchronization

/// Read-side queries against the `directory` projection tables.
public struct DirectoryQueries: Sendable {
    public let client: PostgresClient
    public let logger: Logger
    /// Pools and clients, kept in memory and invalidated from the log (`ConfigurationCache`).
    public let configuration = ConfigurationCache()
    /// Users for the read paths, kept in memory and invalidated from the log (`UserCache`).
    public let users = UserCache()

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    public func pool(_ id: String) async throws -> PoolRecord {
        guard let pool = try await poolIfExists(id) else { throw DomainError.resourceNotFound("User pool \(id) does not exist.") }
        return pool
    }

    public func poolIfExists(_ id: String) async throws -> PoolRecord? {
        try await configuration.pool(id) { try await loadPool(id) }
    }

    public func loadPool(_ id: String) async throws -> PoolRecord? {
        let rows = try await client.query(
            """
            SELECT pool_id, name, config::text, signing_keys::text, created_at, updated_at
            FROM directory.user_pools WHERE pool_id = \(id)
            """, logger: logger)
        for try await (id, name, config, keys, created, updated) in rows.decode((String, String, String, String, Date, Date).self) {
            return PoolRecord(
                id: UserPoolID(id), name: name, settings: UserPoolSettings(json: try decodeJSON(config)),
                signingKeys: try decodeJSON(keys).decode([SealedSigningKey].self), createdAt: created, updatedAt: updated)
        }
        return nil
    }

    public func pools(after: String?, limit: Int) async throws -> [PoolRecord] {
        let rows = try await client.query(
            """
            SELECT pool_id, name, config::text, signing_keys::text, created_at, updated_at
            FROM directory.user_pools WHERE \(after)::text IS NULL OR pool_id > \(after) ORDER BY pool_id LIMIT \(limit)
            """, logger: logger)
        var pools: [PoolRecord] = []
        for try await (id, name, config, keys, created, updated) in rows.decode((String, String, String, String, Date, Date).self) {
            pools.append(
                PoolRecord(
                    id: UserPoolID(id), name: name, settings: UserPoolSettings(json: try decodeJSON(config)),
                    signingKeys: try decodeJSON(keys).decode([SealedSigningKey].self), createdAt: created, updatedAt: updated))
        }
        return pools
    }

    public func client(_ id: String) async throws -> ClientRecord {
        guard let client = try await clientIfExists(id) else { throw DomainError.resourceNotFound("User pool client \(id) does not exist.") }
        return client
    }

    public func clientIfExists(_ id: String) async throws -> ClientRecord? {
        try await configuration.client(id) { try await loadClient(id) }
    }

    public func loadClient(_ id: String) async throws -> ClientRecord? {
        let rows = try await client.query(
            """
            SELECT client_id, pool_id, config::text, sealed_secret, created_at, updated_at
            FROM directory.user_pool_clients WHERE client_id = \(id)
            """, logger: logger)
        for try await (id, pool, config, secret, created, updated) in rows.decode((String, String, String, String?, Date, Date).self) {
            return ClientRecord(
                id: ClientID(id), poolId: UserPoolID(pool), settings: ClientSettings(json: try decodeJSON(config)), sealedSecret: secret,
                createdAt: created, updatedAt: updated)
        }
        return nil
    }

    public func clients(pool: UserPoolID, after: String?, limit: Int) async throws -> [ClientRecord] {
        let rows = try await client.query(
            """
            SELECT client_id, pool_id, config::text, sealed_secret, created_at, updated_at FROM directory.user_pool_clients
            WHERE pool_id = \(pool.rawValue) AND (\(after)::text IS NULL OR client_id > \(after)) ORDER BY client_id LIMIT \(limit)
            """, logger: logger)
        var clients: [ClientRecord] = []
        for try await (id, pool, config, secret, created, updated) in rows.decode((String, String, String, String?, Date, Date).self) {
            clients.append(
                ClientRecord(
                    id: ClientID(id), poolId: UserPoolID(pool), settings: ClientSettings(json: try decodeJSON(config)),
                    sealedSecret: secret, createdAt: created, updatedAt: updated))
        }
        return clients
    }

    public static let userColumns = """
        sub, pool_id, username, attributes::text, status, enabled, sealed_verifier, password_set_at, failed_attempts, locked_until, \
        tokens_valid_after, created_at, updated_at, version, username_key, \
        (SELECT wrapped_key FROM eventlog.data_keys WHERE subject = users.sub), mfa::text
        """

    /// Finds a user by username key (the username, or the email or phone number in pools that sign in by
    /// them), or by a sign-in alias (`SignInNames`), each normalised as the pool says. Both are unique per
    /// pool, so a name leads to one user or none. In pools that sign in by email or phone number the
    /// internal username (the sub) signs in too, as in Cognito.
    public func user(pool: PoolRecord, login: String) async throws -> UserRecord? {
        try await first(
            UserBySignInName(
                poolId: pool.id.rawValue, key: pool.settings.usernameKey(login), login: login,
                subSignsIn: !pool.settings.usernameAttributes.isEmpty))
    }

    /// The user holding a sign-in alias, if any.
    public func aliasHolder(pool: PoolRecord, key: String) async throws -> Sub? {
        for try await sub in try await client.query(
            "SELECT sub FROM directory.sign_in_aliases WHERE pool_id = \(pool.id.rawValue) AND alias_key = \(key)", logger: logger
        ).decode(String.self) {
            return Sub(sub)
        }
        return nil
    }

    /// The user, unless `originJti` names a revoked sign-in: the two checks of an access token in one
    /// round trip. Nil tells neither apart; the caller asks again on that (rare) path.
    public func user(sub: String, unlessOriginRevoked originJti: String) async throws -> UserRecord? {
        try await first(UserUnlessOriginRevoked(sub: sub, originJti: originJti))
    }

    public func user(sub: String) async throws -> UserRecord? {
        try await first(UserBySub(sub: sub))
    }

    /// `user(pool:login:)` through `UserCache`: for reads that decide nothing (AdminGetUser). A command
    /// that appends reads the database: it must decide on the row its expected version names.
    public func cachedUser(pool: PoolRecord, login: String) async throws -> UserRecord? {
        let statement = UserBySignInName(
            poolId: pool.id.rawValue, key: pool.settings.usernameKey(login), login: login,
            subSignsIn: !pool.settings.usernameAttributes.isEmpty)
        let name = UserCache.Name(poolId: statement.poolId, key: statement.key, login: login, subSignsIn: statement.subSignsIn)
        return try await users.user(named: name) { try await first(statement) }
    }

    /// `user(sub:unlessOriginRevoked:)` through `UserCache`: an access token's user on every call it authorises.
    /// A command that appends on it and finds the stream moved on drops the entry (the store reports the
    /// conflict), so its retry reads the database.
    public func cachedUser(sub: String, unlessOriginRevoked originJti: String) async throws -> UserRecord? {
        try await users.user(sub: sub, unlessOriginRevoked: originJti) { try await first(UserUnlessOriginRevoked(sub: sub, originJti: originJti)) }
    }

    /// `user(sub:)` through `UserCache`.
    public func cachedUser(sub: String) async throws -> UserRecord? {
        try await users.user(sub: sub) { try await first(UserBySub(sub: sub)) }
    }

    /// The first row of a prepared user query.
    func first<Statement: PostgresPreparedStatement>(_ statement: Statement) async throws -> UserRecord?
    where Statement.Row == UserRecord {
        for try await user in try await client.execute(statement, logger: logger) { return user }
        return nil
    }

    public func users(_ query: PostgresQuery) async throws -> [UserRecord] {
        var users: [UserRecord] = []
        for try await row in try await client.query(query, logger: logger) { users.append(try UserRecord(row: row)) }
        return users
    }

    public func userCount(pool: UserPoolID) async throws -> Int {
        for try await count in try await client.query(
            "SELECT count(*)::int FROM directory.users WHERE pool_id = \(pool.rawValue)", logger: logger
        ).decode(Int.self) {
            return count
        }
        return 0
    }

    public func subs(pool: UserPoolID) async throws -> [String] {
        var subs: [String] = []
        for try await sub in try await client.query("SELECT sub FROM directory.users WHERE pool_id = \(pool.rawValue)", logger: logger)
            .decode(String.self)
        {
            subs.append(sub)
        }
        return subs
    }

    public func wrappedDataKey(subject: String) async throws -> [UInt8]? {
        for try await key in try await client.query(
            "SELECT wrapped_key FROM eventlog.data_keys WHERE subject = \(subject)", logger: logger
        ).decode(Data.self) {
            return [UInt8](key)
        }
        return nil
    }

    /// The pending code of one purpose: its keyed hash (empty once voided), the contact it went to, and
    /// the send and guess counters that outlive re-issues.
    public func confirmationCode(sub: Sub, purpose: String) async throws -> PendingCode? {
        for try await (hash, expires, attribute, attempts, failureStart, issued, issueStart) in try await client.query(
            """
            SELECT code_hash, expires_at, attribute, attempts, failure_window_started_at, issued_count, issue_window_started_at
            FROM directory.confirmation_codes WHERE sub = \(sub.rawValue) AND purpose = \(purpose)
            """,
            logger: logger
        ).decode((String, Date, String?, Int, Date?, Int, Date?).self) {
            return PendingCode(
                codeHash: hash, expiresAt: expires, attribute: attribute,
                counters: CodeCounters(issued: issued, issueWindowStart: issueStart, failures: attempts, failureWindowStart: failureStart))
        }
        return nil
    }

    public func refreshToken(hash: String) async throws -> StoredRefreshToken? {
        for try await (sub, client, origin, authTime, expires, revoked) in try await client.query(
            """
            SELECT sub, client_id, origin_jti, auth_time, expires_at, revoked_at FROM directory.refresh_tokens
            WHERE token_hash = \(hash)
            """, logger: logger
        ).decode((String, String, String, Date, Date, Date?).self) {
            return StoredRefreshToken(
                sub: Sub(sub), clientId: ClientID(client), originJti: origin, authTime: authTime, expiresAt: expires, revokedAt: revoked)
        }
        return nil
    }

    /// Whether the sign-in session `originJti` came from was revoked (RevokeToken, GlobalSignOut).
    public func isOriginRevoked(_ originJti: String) async throws -> Bool {
        for try await revoked in try await client.query(
            "SELECT revoked_at FROM directory.refresh_tokens WHERE origin_jti = \(originJti)", logger: logger
        ).decode(Date?.self) {
            return revoked != nil
        }
        return false
    }

    public func isSessionUsed(_ id: String) async throws -> Bool {
        for try await _ in try await client.query("SELECT 1 FROM directory.used_sessions WHERE session_id = \(id)", logger: logger) {
            return true
        }
        return false
    }

    public func adminSecret(accessKeyID: String) async throws -> String? {
        try await configuration.adminSecret(accessKeyID) { try await loadAdminSecret(accessKeyID: accessKeyID) }
    }

    public func loadAdminSecret(accessKeyID: String) async throws -> String? {
        for try await sealed in try await client.query(
            "SELECT sealed_secret FROM directory.admin_keys WHERE access_key_id = \(accessKeyID) AND revoked_at IS NULL", logger: logger
        ).decode(String.self) {
            return sealed
        }
        return nil
    }
}

package func decodeJSON(_ text: String) throws -> JSONValue {
    try JSONValue.parse(text)
}
