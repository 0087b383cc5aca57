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

/// A passkey as the read side shows it (ListWebAuthnCredentials, WEB_AUTHN sign-in).
public struct PasskeyRecord: Sendable, Equatable {
    /// base64url.
    public var credentialId: String
    public var sub: Sub
    public var poolId: UserPoolID
    /// The COSE public key, base64.
    public var publicKey: String
    public var signCount: Int
    public var relyingPartyId: String
    public var sealedName: String?
    public var attachment: String?
    public var transports: [String]
    public var createdAt: Date
    public var lastUsedAt: Date?
}

extension DirectoryQueries {
    static let passkeyColumns = """
        credential_id, sub, pool_id, public_key, sign_count, relying_party_id, sealed_name, attachment, transports::text, created_at, \
        last_used_at
        """

    /// One of the user's passkeys, by credential id (base64url).
    public func passkey(_ credentialId: String, of sub: Sub) async throws -> PasskeyRecord? {
        try await passkeys(of: sub, limit: 1, after: nil, only: credentialId).first
    }

    /// A user's passkeys, oldest first, `limit` after the credential `after`.
    public func passkeys(of sub: Sub, limit: Int, after: String?, only credentialId: String? = nil) async throws -> [PasskeyRecord] {
        var binds = PostgresBindings()
        binds.append(sub.rawValue)
        binds.append(after ?? "")
        binds.append(limit)
        binds.append(credentialId ?? "")
        let query = PostgresQuery(
            unsafeSQL: """
                SELECT \(Self.passkeyColumns) FROM directory.webauthn_credentials
                WHERE sub = $1 AND ($2 = '' OR (created_at, credential_id) >
                    (SELECT created_at, credential_id FROM directory.webauthn_credentials WHERE credential_id = $2))
                  AND ($4 = '' OR credential_id = $4)
                ORDER BY created_at, credential_id LIMIT $3
                """, binds: binds)
        var found: [PasskeyRecord] = []
        for try await row in try await client.query(query, logger: logger) {
            let (id, sub, pool, key, count, rp, name, attachment, transports, created, used) = try row.decode(
                (String, String, String, String, Int, String, String?, String?, String, Date, Date?).self)
            found.append(
                PasskeyRecord(
                    credentialId: id, sub: Sub(sub), poolId: UserPoolID(pool), publicKey: key, signCount: count, relyingPartyId: rp,
                    sealedName: name, attachment: attachment,
                    transports: (try? JSONDecoder().decode([String].self, from: Data(transports.utf8))) ?? [],
                    createdAt: created, lastUsedAt: used))
        }
        return found
    }
}
