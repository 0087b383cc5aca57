import Foundation

/// The write model of a user pool (stream `userpool-<id>`): its name, settings and stream version, with
/// the rules of CreateUserPool, UpdateUserPool, SetUserPoolMfaConfig and DeleteUserPool.
///
/// The server loads it from the directory row (with the stream version); `evolve` is the same fold over
/// the pool's stream, so a test can derive the state from events alone. The decisions are pure: the
/// caller draws the pool id and generates the signing keys (`CreationContext`).
public struct UserPoolConfiguration: Equatable, Sendable {
    public var poolId: UserPoolID
    public var name: String
    public var settings: UserPoolSettings
    /// The version of the pool's stream this state reflects (the expected version of the next append).
    public var version: Int

    public init(poolId: UserPoolID, name: String, settings: UserPoolSettings, version: Int) {
        self.poolId = poolId
        self.name = name
        self.settings = settings
        self.version = version
    }

    /// `DeletionProtection` is `ACTIVE`: DeleteUserPool refuses the pool.
    public var deletionProtected: Bool { settings.deletionProtected }

    /// Folds one event of the pool's stream into the state. `nil` is the state before the pool was created
    /// and after it was deleted.
    public static func evolve(_ state: UserPoolConfiguration?, with event: any EventPayload) -> UserPoolConfiguration? {
        if let created = event as? UserPoolCreated {
            return UserPoolConfiguration(poolId: created.poolId, name: created.name, settings: UserPoolSettings(json: created.settings), version: 1)
        }
        guard var pool = state else { return nil }
        pool.version += 1
        switch event {
        case let updated as UserPoolUpdated:
            pool.settings = UserPoolSettings(json: updated.settings)
        case is UserPoolDeleted:
            return nil
        default:
            break
        }
        return pool
    }

    /// The state after a whole stream, oldest event first.
    public static func fold(_ events: [any EventPayload]) -> UserPoolConfiguration? {
        events.reduce(nil) { evolve($0, with: $1) }
    }
}

// MARK: - Decisions

extension UserPoolConfiguration {
    /// What CreateUserPool cannot make itself: the drawn pool id and the new pool's signing keys, sealed.
    public struct CreationContext: Sendable {
        public var poolId: UserPoolID
        public var signingKeys: [SealedSigningKey]

        public init(poolId: UserPoolID, signingKeys: [SealedSigningKey]) {
            self.poolId = poolId
            self.signingKeys = signingKeys
        }
    }

    /// `PoolName`: 1–128 characters of `[\w\s+=,.@-]`, as the botocore model constrains it.
    public static func validate(name: String) throws(DomainError) {
        guard (1...128).contains(name.count), name.range(of: #"^[\w\s+=,.@-]+\z"#, options: .regularExpression) != nil else {
            throw .validation("poolName", "Member must satisfy regular expression pattern: [\\w\\s+=,.@-]+")
        }
    }

    /// The settings of a pool CreateUserPool would create from `request` (its body), checking the name
    /// first as Cognito does. The caller generates the signing keys only once this has passed.
    public static func settings(forNewPoolNamed name: String, request: [String: JSONValue]) throws(DomainError) -> UserPoolSettings {
        try validate(name: name)
        return try UserPoolSettings.forNewPool(request: request)
    }

    /// CreateUserPool: the stream's first event.
    public static func create(name: String, settings: UserPoolSettings, context: CreationContext) throws(DomainError) -> UserPoolCreated {
        try validate(name: name)
        return UserPoolCreated(poolId: context.poolId, name: name, settings: settings.json, signingKeys: context.signingKeys)
    }

    /// UpdateUserPool: the mutable settings replaced by the request's (omitted ones return to their defaults).
    public static func update(_ pool: UserPoolConfiguration, request: [String: JSONValue]) throws(DomainError) -> UserPoolUpdated {
        UserPoolUpdated(poolId: pool.poolId, settings: try pool.settings.updated(request: request).json)
    }

    /// SetUserPoolMfaConfig: `MfaConfiguration` and the factors replaced as a whole.
    public static func setMFAConfig(_ pool: UserPoolConfiguration, request: [String: JSONValue]) throws(DomainError) -> UserPoolUpdated {
        UserPoolUpdated(poolId: pool.poolId, settings: try pool.settings.withMFAConfiguration(request).json)
    }

    /// DeleteUserPool, refused while deletion protection is on.
    public static func delete(_ pool: UserPoolConfiguration) throws(DomainError) -> UserPoolDeleted {
        if pool.deletionProtected {
            throw .invalidParameter("The user pool \(pool.poolId) has deletion protection enabled.")
        }
        return UserPoolDeleted(poolId: pool.poolId)
    }
}
