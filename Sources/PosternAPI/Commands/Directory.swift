import Foundation
import Logging
import PosternCore
import PosternCrypto
import PosternStore
import PostgresNIO
import Synchronization

/// A user pool as the directory projection holds it.
struct PoolRecord: Sendable {
    var id: UserPoolID
    var name: String
    var settings: UserPoolSettings
    var signingKeys: [SealedSigningKey]
    var createdAt: Date
    var updatedAt: Date
}

/// An app client as the directory projection holds it.
struct ClientRecord: Sendable {
    var id: ClientID
    var poolId: UserPoolID
    var settings: ClientSettings
    var sealedSecret: String?
    var createdAt: Date
    var updatedAt: Date
}

/// A user as the directory projection holds it; `version` is the user stream's version.
struct UserRecord: Sendable {
    var sub: Sub
    var poolId: UserPoolID
    var username: String
    var attributes: [String: String]
    var status: UserStatus
    var enabled: Bool
    var sealedVerifier: String?
    var passwordSetAt: Date?
    var failedAttempts: Int
    var lockedUntil: Date?
    var tokensValidAfter: Date?
    var createdAt: Date
    var updatedAt: Date
    var version: Int
    /// The key the user is unique and listed by (`username_key`).
    var usernameKey: String
    /// The user's data key, wrapped under the master key; nil once it was destroyed (crypto-shredding).
    var wrappedDataKey: [UInt8]?
}

extension UserRecord {
    /// The write model's view of this row: what sign-in decisions read.
    var account: UserAccount {
        UserAccount(
            sub: sub, poolId: poolId, status: status, enabled: enabled, hasPassword: sealedVerifier != nil, passwordSetAt: passwordSetAt,
            failedAttempts: failedAttempts, lockedUntil: lockedUntil, tokensValidAfter: tokensValidAfter, version: version)
    }
}

/// Read-side queries against the `directory` projection tables.
struct Directory: Sendable {
    let client: PostgresClient
    let logger: Logger
    /// Pools and clients, kept in memory and invalidated from the log (`ConfigurationCache`).
    let configuration = ConfigurationCache()

    func pool(_ id: String) async throws -> PoolRecord {
        guard let pool = try await poolIfExists(id) else { throw DomainError.resourceNotFound("User pool \(id) does not exist.") }
        return pool
    }

    func poolIfExists(_ id: String) async throws -> PoolRecord? {
        try await configuration.pool(id) { try await loadPool(id) }
    }

    func loadPool(_ id: String) async throws -> PoolRecord? {
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

    func pools(after: String?, limit: Int) async throws -> [PoolRecord] {
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

    func client(_ id: String) async throws -> ClientRecord {
        guard let client = try await clientIfExists(id) else { throw DomainError.resourceNotFound("User pool client \(id) does not exist.") }
        return client
    }

    func clientIfExists(_ id: String) async throws -> ClientRecord? {
        try await configuration.client(id) { try await loadClient(id) }
    }

    func loadClient(_ id: String) async throws -> ClientRecord? {
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

    func clients(pool: UserPoolID, after: String?, limit: Int) async throws -> [ClientRecord] {
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

    static let userColumns = """
        sub, pool_id, username, attributes::text, status, enabled, sealed_verifier, password_set_at, failed_attempts, locked_until, \
        tokens_valid_after, created_at, updated_at, version, username_key, \
        (SELECT wrapped_key FROM eventlog.data_keys WHERE subject = users.sub)
        """

    /// Finds a user by username key (the username, or the email or phone number in pools that sign in by
    /// them), or by a sign-in alias (`SignInNames`), each normalised as the pool says. Both are unique per
    /// pool, so a name leads to one user or none. In pools that sign in by email or phone number the
    /// internal username (the sub) signs in too, as in Cognito.
    func user(pool: PoolRecord, login: String) async throws -> UserRecord? {
        let key = pool.settings.usernameKey(login)
        let bySub = !pool.settings.usernameAttributes.isEmpty
        return try await users(
            """
            SELECT \(unescaped: Self.userColumns) FROM directory.users
            WHERE pool_id = \(pool.id.rawValue)
              AND (username_key = \(key) OR (\(bySub) AND username = \(login))
                   OR sub = (SELECT sub FROM directory.sign_in_aliases WHERE pool_id = \(pool.id.rawValue) AND alias_key = \(key)))
            ORDER BY username_key = \(key) DESC LIMIT 1
            """
        ).first
    }

    /// The user holding a sign-in alias, if any.
    func aliasHolder(pool: PoolRecord, key: String) async throws -> Sub? {
        for try await sub in try await client.query(
            "SELECT sub FROM directory.sign_in_aliases WHERE pool_id = \(pool.id.rawValue) AND alias_key = \(key)", logger: logger
        ).decode(String.self) {
            return Sub(sub)
        }
        return nil
    }

    /// The user, unless `originJti` names a revoked sign-in: the two checks of an access token in one
    /// round trip. Nil tells neither apart; the caller asks again on that (rare) path.
    func user(sub: String, unlessOriginRevoked originJti: String) async throws -> UserRecord? {
        try await users(
            """
            SELECT \(unescaped: Self.userColumns) FROM directory.users
            WHERE sub = \(sub)
              AND NOT EXISTS (SELECT 1 FROM directory.refresh_tokens WHERE origin_jti = \(originJti) AND revoked_at IS NOT NULL)
            """
        ).first
    }

    func user(sub: String) async throws -> UserRecord? {
        try await users("SELECT \(unescaped: Self.userColumns) FROM directory.users WHERE sub = \(sub)").first
    }

    func users(_ query: PostgresQuery) async throws -> [UserRecord] {
        var users: [UserRecord] = []
        for try await row in try await client.query(query, logger: logger) {
            let (
                sub, pool, username, attributes, status, enabled, verifier, passwordSetAt, failed, lockedUntil, validAfter, created,
                updated, version, usernameKey, wrappedKey
            ) = try row.decode(
                (String, String, String, String, String, Bool, String?, Date?, Int, Date?, Date?, Date, Date, Int, String, Data?).self)
            users.append(
                UserRecord(
                    sub: Sub(sub), poolId: UserPoolID(pool), username: username,
                    attributes: try decodeJSON(attributes).decode([String: String].self),
                    status: UserStatus(rawValue: status) ?? .confirmed, enabled: enabled, sealedVerifier: verifier,
                    passwordSetAt: passwordSetAt, failedAttempts: failed, lockedUntil: lockedUntil, tokensValidAfter: validAfter,
                    createdAt: created, updatedAt: updated, version: version, usernameKey: usernameKey,
                    wrappedDataKey: wrappedKey.map { [UInt8]($0) }))
        }
        return users
    }

    func userCount(pool: UserPoolID) async throws -> Int {
        for try await count in try await client.query(
            "SELECT count(*)::int FROM directory.users WHERE pool_id = \(pool.rawValue)", logger: logger
        ).decode(Int.self) {
            return count
        }
        return 0
    }

    func subs(pool: UserPoolID) async throws -> [String] {
        var subs: [String] = []
        for try await sub in try await client.query("SELECT sub FROM directory.users WHERE pool_id = \(pool.rawValue)", logger: logger)
            .decode(String.self)
        {
            subs.append(sub)
        }
        return subs
    }

    func wrappedDataKey(subject: String) async throws -> [UInt8]? {
        for try await key in try await client.query(
            "SELECT wrapped_key FROM eventlog.data_keys WHERE subject = \(subject)", logger: logger
        ).decode(Data.self) {
            return [UInt8](key)
        }
        return nil
    }

    /// The pending code of one purpose: its keyed hash (empty once voided), the contact it went to, and
    /// the send and guess counters that outlive re-issues.
    struct Code: Sendable {
        var codeHash: String
        var expiresAt: Date
        var attribute: String?
        var counters: CodeCounters
    }

    func confirmationCode(sub: Sub, purpose: String) async throws -> Code? {
        for try await (hash, expires, attribute, attempts, failureStart, issued, issueStart) in try await client.query(
            """
            SELECT code_hash, expires_at, attribute, attempts, failure_window_started_at, issued_count, issue_window_started_at
            FROM directory.confirmation_codes WHERE sub = \(sub.rawValue) AND purpose = \(purpose)
            """,
            logger: logger
        ).decode((String, Date, String?, Int, Date?, Int, Date?).self) {
            return Code(
                codeHash: hash, expiresAt: expires, attribute: attribute,
                counters: CodeCounters(issued: issued, issueWindowStart: issueStart, failures: attempts, failureWindowStart: failureStart))
        }
        return nil
    }

    struct RefreshToken: Sendable {
        var sub: Sub
        var clientId: ClientID
        var originJti: String
        var authTime: Date
        var expiresAt: Date
        var revokedAt: Date?
    }

    func refreshToken(hash: String) async throws -> RefreshToken? {
        for try await (sub, client, origin, authTime, expires, revoked) in try await client.query(
            """
            SELECT sub, client_id, origin_jti, auth_time, expires_at, revoked_at FROM directory.refresh_tokens
            WHERE token_hash = \(hash)
            """, logger: logger
        ).decode((String, String, String, Date, Date, Date?).self) {
            return RefreshToken(
                sub: Sub(sub), clientId: ClientID(client), originJti: origin, authTime: authTime, expiresAt: expires, revokedAt: revoked)
        }
        return nil
    }

    /// Whether the sign-in session `originJti` came from was revoked (RevokeToken, GlobalSignOut).
    func isOriginRevoked(_ originJti: String) async throws -> Bool {
        for try await revoked in try await client.query(
            "SELECT revoked_at FROM directory.refresh_tokens WHERE origin_jti = \(originJti)", logger: logger
        ).decode(Date?.self) {
            return revoked != nil
        }
        return false
    }

    func isSessionUsed(_ id: String) async throws -> Bool {
        for try await _ in try await client.query("SELECT 1 FROM directory.used_sessions WHERE session_id = \(id)", logger: logger) {
            return true
        }
        return false
    }

    func adminSecret(accessKeyID: String) async throws -> String? {
        try await configuration.adminSecret(accessKeyID) { try await loadAdminSecret(accessKeyID: accessKeyID) }
    }

    func loadAdminSecret(accessKeyID: String) async throws -> String? {
        for try await sealed in try await client.query(
            "SELECT sealed_secret FROM directory.admin_keys WHERE access_key_id = \(accessKeyID) AND revoked_at IS NULL", logger: logger
        ).decode(String.self) {
            return sealed
        }
        return nil
    }
}

func decodeJSON(_ text: String) throws -> JSONValue {
    try JSONValue.parse(text)
}
