import Foundation
import PosternCore
import PostgresNIO

// The user lookups every sign-in, GetUser and AdminGetUser make, as prepared statements: PostgreSQL parses
// and plans each once per connection instead of on every request, and the request sends only the binds.

/// A user by sign-in name: the username key, the internal username (the sub, in pools that sign in by
/// email or phone number) or a sign-in alias. All three are unique per pool; the username key wins.
struct UserBySignInName: PostgresPreparedStatement {
    static let sql = """
        SELECT \(DirectoryQueries.userColumns) FROM directory.users
        WHERE pool_id = $1
          AND (username_key = $2 OR ($4 AND username = $3)
               OR sub = (SELECT sub FROM directory.sign_in_aliases WHERE pool_id = $1 AND alias_key = $2))
        ORDER BY username_key = $2 DESC LIMIT 1
        """
    static let bindingDataTypes: [PostgresDataType] = [.text, .text, .text, .bool]
    typealias Row = UserRecord

    var poolId: String
    var key: String
    var login: String
    var subSignsIn: Bool

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 4)
        bindings.append(poolId)
        bindings.append(key)
        bindings.append(login)
        bindings.append(subSignsIn)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> UserRecord { try UserRecord(row: row) }
}

/// A user by sub, unless the sign-in session `originJti` was revoked.
struct UserUnlessOriginRevoked: PostgresPreparedStatement {
    static let sql = """
        SELECT \(DirectoryQueries.userColumns) FROM directory.users
        WHERE sub = $1
          AND NOT EXISTS (SELECT 1 FROM directory.refresh_tokens WHERE origin_jti = $2 AND revoked_at IS NOT NULL)
        """
    static let bindingDataTypes: [PostgresDataType] = [.text, .text]
    typealias Row = UserRecord

    var sub: String
    var originJti: String

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 2)
        bindings.append(sub)
        bindings.append(originJti)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> UserRecord { try UserRecord(row: row) }
}

/// A user by sub.
struct UserBySub: PostgresPreparedStatement {
    static let sql = "SELECT \(DirectoryQueries.userColumns) FROM directory.users WHERE sub = $1"
    static let bindingDataTypes: [PostgresDataType] = [.text]
    typealias Row = UserRecord

    var sub: String

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 1)
        bindings.append(sub)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> UserRecord { try UserRecord(row: row) }
}

extension UserRecord {
    /// Decodes a row selected with `DirectoryQueries.userColumns`.
    init(row: PostgresRow) throws {
        let (
            sub, pool, username, attributes, status, enabled, verifier, passwordSetAt, failed, lockedUntil, validAfter, created, updated,
            version, usernameKey, wrappedKey, mfa
        ) = try row.decode(
            (String, String, String, String, String, Bool, String?, Date?, Int, Date?, Date?, Date, Date, Int, String, Data?, String?).self)
        self.init(
            sub: Sub(sub), poolId: UserPoolID(pool), username: username, attributes: try decodeJSON(attributes).decode([String: String].self),
            status: UserStatus(rawValue: status) ?? .confirmed, enabled: enabled, sealedVerifier: verifier, passwordSetAt: passwordSetAt,
            failedAttempts: failed, lockedUntil: lockedUntil, tokensValidAfter: validAfter, createdAt: created, updatedAt: updated,
            version: version, usernameKey: usernameKey, wrappedDataKey: wrappedKey.map { [UInt8]($0) },
            mfa: try mfa.map { try JSONValue.parse($0).decode(MFAColumn.self) } ?? MFAColumn())
    }
}
