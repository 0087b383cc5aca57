import Foundation
import PosternCore
import PostgresNIO

/// A user-pool group as the directory holds it: the write model (with its stream version) and its dates.
public struct GroupRecord: Sendable {
    public var group: UserPoolGroup
    public var createdAt: Date
    public var updatedAt: Date
}

extension DirectoryQueries {
    static let groupColumns = "g.pool_id, g.group_name, g.description, g.role_arn, g.precedence, g.created_at, g.updated_at, g.version"

    /// The pool's group named `name` (names are case-sensitive).
    public func group(pool: UserPoolID, name: String) async throws -> GroupRecord? {
        try await groups(
            "SELECT \(unescaped: Self.groupColumns) FROM directory.user_pool_groups AS g WHERE g.pool_id = \(pool.rawValue) AND g.group_name = \(name)"
        ).first
    }

    /// A page of the pool's groups in name order, after the name `after`.
    public func groups(pool: UserPoolID, after: String?, limit: Int) async throws -> [GroupRecord] {
        try await groups(
            """
            SELECT \(unescaped: Self.groupColumns) FROM directory.user_pool_groups AS g
            WHERE g.pool_id = \(pool.rawValue) AND (\(after)::text IS NULL OR g.group_name > \(after)) ORDER BY g.group_name LIMIT \(limit)
            """)
    }

    /// How many groups the pool has.
    public func groupCount(pool: UserPoolID) async throws -> Int {
        try await count("SELECT count(*)::int FROM directory.user_pool_groups WHERE pool_id = \(pool.rawValue)")
    }

    /// A page of the groups `sub` belongs to, in name order, after the name `after`; every one when `limit` is nil.
    public func groups(of sub: Sub, after: String? = nil, limit: Int? = nil) async throws -> [GroupRecord] {
        try await groups(
            """
            SELECT \(unescaped: Self.groupColumns) FROM directory.user_pool_group_members AS m
            JOIN directory.user_pool_groups AS g ON g.pool_id = m.pool_id AND g.group_name = m.group_name
            WHERE m.sub = \(sub.rawValue) AND (\(after)::text IS NULL OR m.group_name > \(after))
            ORDER BY m.group_name LIMIT \(limit ?? UserPoolGroup.groupsPerUser * 10)
            """)
    }

    /// How many groups `sub` belongs to.
    public func groupCount(of sub: Sub) async throws -> Int {
        try await count("SELECT count(*)::int FROM directory.user_pool_group_members WHERE sub = \(sub.rawValue)")
    }

    /// Whether `sub` is a member of the group.
    public func isMember(_ sub: Sub, pool: UserPoolID, group: String) async throws -> Bool {
        try await count(
            """
            SELECT count(*)::int FROM directory.user_pool_group_members
            WHERE pool_id = \(pool.rawValue) AND group_name = \(group) AND sub = \(sub.rawValue)
            """) > 0
    }

    /// A page of the group's members in username order (`username_key`, as ListUsers pages), after `after`.
    public func members(pool: UserPoolID, group: String, after: String?, limit: Int) async throws -> [UserRecord] {
        var query = PostgresQuery(
            unsafeSQL: """
                SELECT \(Self.userColumns) FROM directory.users
                WHERE sub IN (SELECT sub FROM directory.user_pool_group_members WHERE pool_id = $1 AND group_name = $2)
                AND ($3::text IS NULL OR username_key > $3) ORDER BY username_key LIMIT \(limit)
                """)
        query.binds.append(pool.rawValue)
        query.binds.append(group)
        query.binds.append(after)
        return try await users(query)
    }

    private func count(_ query: PostgresQuery) async throws -> Int {
        for try await count in try await client.query(query, logger: logger).decode(Int.self) { return count }
        return 0
    }

    private func groups(_ query: PostgresQuery) async throws -> [GroupRecord] {
        var found: [GroupRecord] = []
        let rows = try await client.query(query, logger: logger)
        for try await (pool, name, description, role, precedence, created, updated, version) in rows.decode(
            (String, String, String?, String?, Int?, Date, Date, Int).self)
        {
            found.append(
                GroupRecord(
                    group: UserPoolGroup(
                        poolId: UserPoolID(pool), name: name,
                        settings: GroupSettings(description: description, roleArn: role, precedence: precedence), version: version),
                    createdAt: created, updatedAt: updated))
        }
        return found
    }
}
