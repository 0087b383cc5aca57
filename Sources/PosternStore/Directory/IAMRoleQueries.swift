import Foundation
import PosternCore
import PostgresNIO

/// An IAM role as the directory holds it.
public struct IAMRoleRecord: Sendable {
    public var role: IAMRole
    public var createdAt: Date
}

extension DirectoryQueries {
    /// The role named `name` (any case).
    /// The role as sessions are issued and checked against it, through the configuration cache (kept
    /// consistent from the log; commands that change a role read `iamRole(_:)`, past the cache).
    public func cachedIAMRole(_ name: String) async throws -> IAMRoleRecord? {
        try await configuration.iamRole(name) { try await iamRole(name) }
    }

    public func iamRole(_ name: String) async throws -> IAMRoleRecord? {
        try await iamRoles(
            "SELECT role::text, created_at FROM directory.iam_roles WHERE role_key = \(name.lowercased())"
        ).first
    }

    /// Roles whose path starts with `pathPrefix`, in name order after `after` (ListRoles' Marker).
    public func iamRoles(pathPrefix: String, after: String?, limit: Int) async throws -> [IAMRoleRecord] {
        try await iamRoles(
            """
            SELECT role::text, created_at FROM directory.iam_roles
            WHERE starts_with(path, \(pathPrefix)) AND (\(after)::text IS NULL OR role_key > \(after?.lowercased()))
            ORDER BY role_key LIMIT \(limit)
            """)
    }

    private func iamRoles(_ query: PostgresQuery) async throws -> [IAMRoleRecord] {
        var found: [IAMRoleRecord] = []
        for try await (role, created) in try await client.query(query, logger: logger).decode((String, Date).self) {
            found.append(IAMRoleRecord(role: try JSONValue.parse(role).decode(IAMRole.self), createdAt: created))
        }
        return found
    }
}
