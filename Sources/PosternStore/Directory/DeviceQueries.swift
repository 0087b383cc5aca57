import Foundation
import PosternCore
import PostgresNIO

/// A tracked device as the read side shows it (GetDevice, ListDevices, device sign-in).
public struct DeviceRecord: Sendable, Equatable {
    public var key: String
    public var sub: Sub
    public var poolId: UserPoolID
    public var groupKey: String
    /// The device's SRP verifier, sealed under the user's data key; nil until ConfirmDevice.
    public var sealedVerifier: String?
    public var sealedName: String?
    public var remembered: Bool
    public var createdAt: Date
    public var updatedAt: Date
    public var lastAuthenticatedAt: Date?
    /// The unanswered DEVICE_SRP_AUTH challenge and its expiry.
    public var pendingChallenge: String?
    public var pendingExpiresAt: Date?

    /// The write model's view.
    public var tracked: TrackedDevice {
        TrackedDevice(key: key, groupKey: groupKey, confirmed: sealedVerifier != nil, remembered: remembered)
    }
}

extension DirectoryQueries {
    static let deviceColumns = """
        device_key, sub, pool_id, group_key, sealed_verifier, sealed_name, remembered, created_at, updated_at, \
        last_authenticated_at, pending_challenge, pending_expires_at
        """

    /// One device, by key.
    public func device(key: String) async throws -> DeviceRecord? {
        try await devices(PostgresQuery(unsafeSQL: "SELECT \(Self.deviceColumns) FROM directory.devices WHERE device_key = $1", binds: binds(key)))
            .first
    }

    /// A user's devices, oldest first, `limit` after the device `after` (ListDevices' pagination).
    public func devices(of sub: Sub, limit: Int, after: String?) async throws -> [DeviceRecord] {
        var binds = PostgresBindings()
        binds.append(sub.rawValue)
        binds.append(after ?? "")
        binds.append(limit)
        return try await devices(
            PostgresQuery(
                unsafeSQL: """
                    SELECT \(Self.deviceColumns) FROM directory.devices
                    WHERE sub = $1 AND ($2 = '' OR (created_at, device_key) > (SELECT created_at, device_key FROM directory.devices WHERE device_key = $2))
                    ORDER BY created_at, device_key LIMIT $3
                    """, binds: binds))
    }

    private func binds(_ value: String) -> PostgresBindings {
        var binds = PostgresBindings()
        binds.append(value)
        return binds
    }

    private func devices(_ query: PostgresQuery) async throws -> [DeviceRecord] {
        var found: [DeviceRecord] = []
        for try await row in try await client.query(query, logger: logger) {
            let (key, sub, pool, group, verifier, name, remembered, created, updated, authenticated, pending, pendingExpires) = try row.decode(
                (String, String, String, String, String?, String?, Bool, Date, Date, Date?, String?, Date?).self)
            found.append(
                DeviceRecord(
                    key: key, sub: Sub(sub), poolId: UserPoolID(pool), groupKey: group, sealedVerifier: verifier, sealedName: name,
                    remembered: remembered, createdAt: created, updatedAt: updated, lastAuthenticatedAt: authenticated,
                    pendingChallenge: pending, pendingExpiresAt: pendingExpires))
        }
        return found
    }
}
