import Foundation

/// The write model of a SigV4 admin access key (stream `adminkey-<id>`), with the rules of the
/// operator's `admin-keys create` and `admin-keys revoke`.
///
/// A revoked key stays known (its stream and directory row remain, listed as revoked), so `evolve` is nil
/// only before the key was created. The operator loads it by folding the key's stream.
public struct AdminAccessKey: Equatable, Sendable {
    public var accessKeyId: String
    public var description: String
    public var revoked: Bool
    /// The version of the key's stream this state reflects (the expected version of the next append).
    public var version: Int

    public init(accessKeyId: String, description: String, revoked: Bool = false, version: Int) {
        self.accessKeyId = accessKeyId
        self.description = description
        self.revoked = revoked
        self.version = version
    }

    /// Folds one event of the key's stream into the state; nil before the key was created.
    public static func evolve(_ state: AdminAccessKey?, with event: any EventPayload) -> AdminAccessKey? {
        if let created = event as? AdminKeyCreated {
            return AdminAccessKey(accessKeyId: created.accessKeyId, description: created.description, version: 1)
        }
        guard var key = state else { return nil }
        key.version += 1
        if event is AdminKeyRevoked { key.revoked = true }
        return key
    }

    /// The state after a whole stream, oldest event first.
    public static func fold(_ events: [any EventPayload]) -> AdminAccessKey? {
        events.reduce(nil) { evolve($0, with: $1) }
    }
}

// MARK: - Decisions

extension AdminAccessKey {
    /// What `admin-keys create` cannot make itself: the drawn access key id and its secret, sealed under
    /// the master key.
    public struct CreationContext: Sendable {
        public var accessKeyId: String
        public var sealedSecret: String

        public init(accessKeyId: String, sealedSecret: String) {
            self.accessKeyId = accessKeyId
            self.sealedSecret = sealedSecret
        }
    }

    /// `admin-keys create`: the stream's first event.
    public static func create(description: String, context: CreationContext) -> AdminKeyCreated {
        AdminKeyCreated(accessKeyId: context.accessKeyId, sealedSecret: context.sealedSecret, description: description)
    }

    /// `admin-keys revoke`: refused for a key that was never created or is revoked already (revoking it
    /// again would only move its revocation time).
    public static func revoke(_ key: AdminAccessKey?, accessKeyId: String) throws(DomainError) -> AdminKeyRevoked {
        guard let key else { throw .resourceNotFound("no such access key: \(accessKeyId)") }
        if key.revoked { throw .invalidParameter("access key \(accessKeyId) is already revoked") }
        return AdminKeyRevoked(accessKeyId: key.accessKeyId)
    }
}
