import Foundation
import PosternCore
import PostgresNIO

/// An identity as the directory holds it: its logins (subjects sealed), dates, stream version, and the
/// wrapped data key that opens the subjects.
public struct IdentityRecord: Sendable {
    /// One linked login.
    public struct Login: Sendable, Equatable {
        public var provider: String
        public var subjectKey: String
        public var sealedSubject: String
        public var key: LoginKey { LoginKey(provider: provider, subjectKey: subjectKey) }
    }

    public var id: IdentityID
    public var poolId: IdentityPoolID
    public var logins: [Login]
    public var createdAt: Date
    public var updatedAt: Date
    public var version: Int
    public var wrappedDataKey: [UInt8]?

    /// The identity as decisions see it.
    public var decisionState: PoolIdentity {
        PoolIdentity(id: id, poolId: poolId, logins: Set(logins.map(\.key)), version: version)
    }
}

extension DirectoryQueries {
    static let identitySelect = """
        SELECT i.identity_id, i.identity_pool_id, i.created_at, i.updated_at, i.version,
               coalesce((SELECT json_agg(json_build_array(l.provider, l.subject_key, l.sealed_subject) ORDER BY l.provider, l.subject_key)
                         FROM directory.identity_logins l WHERE l.identity_id = i.identity_id), '[]')::text,
               (SELECT encode(k.wrapped_key, 'hex') FROM eventlog.data_keys k WHERE k.subject = i.identity_id)
        FROM directory.identities i
        """

    /// The identity with this id, in any pool.
    public func identity(_ id: String) async throws -> IdentityRecord? {
        var bindings = PostgresBindings()
        bindings.append(id)
        return try await identities(PostgresQuery(unsafeSQL: Self.identitySelect + " WHERE i.identity_id = $1", binds: bindings)).first
    }

    /// The identities of `pool` that hold any of `keys`, by login.
    public func identityOwners(pool: IdentityPoolID, keys: [LoginKey]) async throws -> [LoginKey: IdentityRecord] {
        guard !keys.isEmpty else { return [:] }
        let sql =
            Self.identitySelect + """
                 WHERE i.identity_id IN (SELECT o.identity_id FROM directory.identity_logins o
                                         JOIN unnest($2::text[], $3::text[]) AS k(provider, subject_key)
                                           ON o.provider = k.provider AND o.subject_key = k.subject_key
                                         WHERE o.identity_pool_id = $1)
                """
        var bindings = PostgresBindings()
        bindings.append(pool.rawValue)
        bindings.append(keys.map(\.provider))
        bindings.append(keys.map(\.subjectKey))
        let found = try await identities(PostgresQuery(unsafeSQL: sql, binds: bindings))
        var owners: [LoginKey: IdentityRecord] = [:]
        for identity in found {
            for login in identity.logins where keys.contains(login.key) { owners[login.key] = identity }
        }
        return owners
    }

    /// The identities of `pool` in id order after `after` (ListIdentities), with their logins.
    public func identities(pool: IdentityPoolID, after: String?, limit: Int) async throws -> [IdentityRecord] {
        let sql = Self.identitySelect + " WHERE i.identity_pool_id = $1 AND ($2::text IS NULL OR i.identity_id > $2) ORDER BY i.identity_id LIMIT $3"
        var bindings = PostgresBindings()
        bindings.append(pool.rawValue)
        bindings.append(after)
        bindings.append(limit)
        return try await identities(PostgresQuery(unsafeSQL: sql, binds: bindings))
    }

    private func identities(_ query: PostgresQuery) async throws -> [IdentityRecord] {
        var found: [IdentityRecord] = []
        for try await (id, pool, created, updated, version, logins, key) in try await client.query(query, logger: logger).decode(
            (String, String, Date, Date, Int, String, String?).self)
        {
            let parsed = try JSONValue.parse(logins).arrayValue ?? []
            found.append(
                IdentityRecord(
                    id: IdentityID(id), poolId: IdentityPoolID(pool),
                    logins: parsed.compactMap { entry in
                        guard let parts = entry.arrayValue, parts.count == 3, let provider = parts[0].stringValue,
                            let subjectKey = parts[1].stringValue, let sealed = parts[2].stringValue
                        else { return nil }
                        return IdentityRecord.Login(provider: provider, subjectKey: subjectKey, sealedSubject: sealed)
                    }, createdAt: created, updatedAt: updated, version: version, wrappedDataKey: key.flatMap { [UInt8](hex: $0) }))
        }
        return found
    }
}

extension DirectoryQueries {
    /// Whether the identity still exists (not deleted by DeleteIdentities): one indexed lookup, for the
    /// gateway's per-request check.
    public func identityExists(_ id: String) async throws -> Bool {
        var bindings = PostgresBindings()
        bindings.append(id)
        let rows = try await client.query(
            PostgresQuery(unsafeSQL: "SELECT 1 FROM directory.identities WHERE identity_id = $1", binds: bindings), logger: logger)
        for try await _ in rows { return true }
        return false
    }
}
