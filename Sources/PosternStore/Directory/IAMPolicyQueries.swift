import Foundation
import PosternCore
import PostgresNIO

/// A customer managed policy as the directory holds it.
public struct IAMPolicyRecord: Sendable {
    public var policy: IAMPolicy
    public var createdAt: Date
    public var updatedAt: Date
    /// When each version was created, by version id.
    public var versionDates: [String: Date]
}

extension DirectoryQueries {
    /// The policy named `name` (any case).
    public func iamPolicy(_ name: String) async throws -> IAMPolicyRecord? {
        try await iamPolicies(
            "SELECT policy::text, version_dates::text, created_at, updated_at FROM directory.iam_policies WHERE policy_key = \(name.lowercased())"
        ).first
    }

    /// The policies named `names` (any case), for a role's attached policies.
    public func iamPolicies(named names: [String]) async throws -> [IAMPolicyRecord] {
        guard !names.isEmpty else { return [] }
        return try await iamPolicies(
            """
            SELECT policy::text, version_dates::text, created_at, updated_at FROM directory.iam_policies
            WHERE policy_key = ANY(\(names.map { $0.lowercased() })) ORDER BY policy_key
            """)
    }

    /// Policies whose path starts with `pathPrefix` (attached ones only when `onlyAttached`), in name order
    /// after `after` (ListPolicies' Marker).
    public func iamPolicies(pathPrefix: String, onlyAttached: Bool, after: String?, limit: Int) async throws -> [IAMPolicyRecord] {
        try await iamPolicies(
            """
            SELECT policy::text, version_dates::text, created_at, updated_at FROM directory.iam_policies
            WHERE starts_with(path, \(pathPrefix)) AND (NOT \(onlyAttached) OR attachment_count > 0)
              AND (\(after)::text IS NULL OR policy_key > \(after?.lowercased()))
            ORDER BY policy_key LIMIT \(limit)
            """)
    }

    private func iamPolicies(_ query: PostgresQuery) async throws -> [IAMPolicyRecord] {
        var found: [IAMPolicyRecord] = []
        for try await (policy, dates, created, updated) in try await client.query(query, logger: logger).decode((String, String, Date, Date).self) {
            let milliseconds = try JSONValue.parse(dates).decode([String: Int64].self)
            found.append(
                IAMPolicyRecord(
                    policy: try JSONValue.parse(policy).decode(IAMPolicy.self), createdAt: created, updatedAt: updated,
                    versionDates: milliseconds.mapValues { Date(timeIntervalSince1970: Double($0) / 1000) }))
        }
        return found
    }
}
