import Foundation
import PosternCore
import PostgresNIO

/// An identity pool as the directory holds it.
public struct IdentityPoolRecord: Sendable {
    public var configuration: IdentityPoolConfiguration
    public var createdAt: Date
    public var updatedAt: Date
}

extension DirectoryQueries {
    /// The identity pool, read from the projection (not cached: identity-pool administration is rare and
    /// the credential path reads it through its own write model).
    /// The pool as identities use it (GetId, GetCredentialsForIdentity…), through the configuration cache;
    /// commands that change the pool read `identityPool(_:version:)`, version first.
    public func cachedIdentityPool(_ id: String) async throws -> IdentityPoolRecord? {
        try await configuration.identityPool(id) { try await identityPool(id) }
    }

    public func identityPool(_ id: String, version: Int = 0) async throws -> IdentityPoolRecord? {
        let rows = try await client.query(
            """
            SELECT identity_pool_id, config::text, roles::text, role_mappings::text, tags::text, principal_tags::text, created_at, updated_at
            FROM directory.identity_pools WHERE identity_pool_id = \(id)
            """, logger: logger)
        for try await row in rows.decode((String, String, String, String, String, String, Date, Date).self) {
            return try Self.identityPoolRecord(row, version: version)
        }
        return nil
    }

    /// Identity pools in id order, after the id `after` (ListIdentityPools): a cursor that stays valid when
    /// the pool it names is deleted between pages.
    public func identityPools(after: String?, limit: Int) async throws -> [IdentityPoolRecord] {
        let rows = try await client.query(
            """
            SELECT identity_pool_id, config::text, roles::text, role_mappings::text, tags::text, principal_tags::text, created_at, updated_at
            FROM directory.identity_pools
            WHERE \(after)::text IS NULL OR identity_pool_id > \(after)
            ORDER BY identity_pool_id LIMIT \(limit)
            """, logger: logger)
        var pools: [IdentityPoolRecord] = []
        for try await row in rows.decode((String, String, String, String, String, String, Date, Date).self) {
            pools.append(try Self.identityPoolRecord(row, version: 0))
        }
        return pools
    }

    static func identityPoolRecord(_ row: (String, String, String, String, String, String, Date, Date), version: Int) throws
        -> IdentityPoolRecord
    {
        let (id, config, roles, mappings, tags, principalTags, created, updated) = row
        let maps = try JSONValue.parse(principalTags).objectValue ?? [:]
        let configuration = IdentityPoolConfiguration(
            id: IdentityPoolID(id), settings: try JSONValue.parse(config), tags: try JSONValue.parse(tags).decode([String: String].self),
            roles: try JSONValue.parse(roles).decode([String: String].self), roleMappings: try JSONValue.parse(mappings),
            principalTags: maps.mapValues { map in
                IdentityPoolConfiguration.PrincipalTagMap(
                    useDefaults: map["UseDefaults"]?.boolValue ?? false,
                    tags: (map["PrincipalTags"]?.objectValue ?? [:]).compactMapValues(\.stringValue))
            }, version: version)
        return IdentityPoolRecord(configuration: configuration, createdAt: created, updatedAt: updated)
    }
}
