import Foundation

/// The write model of an app client (stream `client-<id>`): its pool, settings and stream version, with
/// the rules of CreateUserPoolClient, UpdateUserPoolClient and DeleteUserPoolClient.
///
/// The server loads it from the directory row (with the stream version); `evolve` is the same fold over
/// the client's stream. The decisions are pure: the caller draws the client id and a secret, and seals
/// the secret the client ends up with (`Creation.event(sealingSecretWith:)`).
public struct AppClientConfiguration: Equatable, Sendable {
    public var clientId: ClientID
    public var poolId: UserPoolID
    public var settings: ClientSettings
    /// The version of the client's stream this state reflects (the expected version of the next append).
    public var version: Int

    public init(clientId: ClientID, poolId: UserPoolID, settings: ClientSettings, version: Int) {
        self.clientId = clientId
        self.poolId = poolId
        self.settings = settings
        self.version = version
    }

    /// `ClientName`, which UpdateUserPoolClient keeps when the request omits it.
    public var name: String { settings.name }

    /// Folds one event of the client's stream into the state. `nil` is the state before the client was
    /// created and after it was deleted.
    public static func evolve(_ state: AppClientConfiguration?, with event: any EventPayload) -> AppClientConfiguration? {
        if let created = event as? UserPoolClientCreated {
            return AppClientConfiguration(
                clientId: created.clientId, poolId: created.poolId, settings: ClientSettings(json: created.settings), version: 1)
        }
        guard var client = state else { return nil }
        client.version += 1
        switch event {
        case let updated as UserPoolClientUpdated:
            client.settings = ClientSettings(json: updated.settings)
        case is UserPoolClientDeleted:
            return nil
        default:
            break
        }
        return client
    }

    /// The state after a whole stream, oldest event first.
    public static func fold(_ events: [any EventPayload]) -> AppClientConfiguration? {
        events.reduce(nil) { evolve($0, with: $1) }
    }
}

// MARK: - Decisions

extension AppClientConfiguration {
    /// What CreateUserPoolClient cannot make itself: the drawn client id, and a drawn secret for
    /// `GenerateSecret` (used only when the request asks for one).
    public struct CreationContext: Sendable, CustomStringConvertible {
        public var clientId: ClientID
        public var generatedSecret: String

        public init(clientId: ClientID, generatedSecret: String) {
            self.clientId = clientId
            self.generatedSecret = generatedSecret
        }

        public var description: String { "CreationContext(clientId: \(clientId))" }
    }

    /// A client CreateUserPoolClient decided to create. The secret is still in the clear: the caller seals
    /// it under the master key (a cryptographic step Core does not take) to make the event.
    public struct Creation: Sendable, CustomStringConvertible {
        public var poolId: UserPoolID
        public var clientId: ClientID
        public var settings: ClientSettings
        /// The client's secret (given or generated); nil for a public client.
        public var secret: String?

        /// The stream's first event, with the secret sealed by `seal`.
        public func event(sealingSecretWith seal: (String) throws -> String) rethrows -> UserPoolClientCreated {
            UserPoolClientCreated(poolId: poolId, clientId: clientId, settings: settings.json, sealedSecret: try secret.map(seal))
        }

        public var description: String { "Creation(poolId: \(poolId), clientId: \(clientId), hasSecret: \(secret != nil))" }
    }

    /// CreateUserPoolClient in the pool with `schema`: the settings (with Cognito's defaults), checked
    /// against the schema, then the secret.
    public static func create(
        poolId: UserPoolID, schema: [SchemaAttribute], request: [String: JSONValue], context: CreationContext
    ) throws(DomainError) -> Creation {
        let settings = try ClientSettings.from(request: request)
        try settings.validateAttributePermissions(schema: schema)
        let secret = try secret(request: request, generated: context.generatedSecret)
        return Creation(poolId: poolId, clientId: context.clientId, settings: settings, secret: secret)
    }

    /// The secret a new client gets: `GenerateSecret` takes the drawn one, or the request brings its own
    /// `ClientSecret` (24–64 characters of `[\w+]`), never both; with neither the client is public.
    public static func secret(request: [String: JSONValue], generated: String) throws(DomainError) -> String? {
        let generate = request["GenerateSecret"]?.boolValue ?? false
        if let given = request["ClientSecret"]?.stringValue {
            if generate { throw .invalidParameter("ClientSecret cannot be set when GenerateSecret is true.") }
            guard (24...64).contains(given.count), given.range(of: #"^[\w+]+\z"#, options: .regularExpression) != nil else {
                throw .validation("clientSecret", "Member must satisfy regular expression pattern: [\\w+]+")
            }
            return given
        }
        return generate ? generated : nil
    }

    /// UpdateUserPoolClient: the settings replaced by the request's (omitted ones return to their defaults,
    /// an omitted `ClientName` stays), checked against the pool's `schema`. The secret stays as it is.
    public static func update(
        _ client: AppClientConfiguration, schema: [SchemaAttribute], request: [String: JSONValue]
    ) throws(DomainError) -> UserPoolClientUpdated {
        var members = request
        if members["ClientName"] == nil { members["ClientName"] = .string(client.name) }
        let settings = try ClientSettings.from(request: members)
        try settings.validateAttributePermissions(schema: schema)
        return UserPoolClientUpdated(poolId: client.poolId, clientId: client.clientId, settings: settings.json)
    }

    /// DeleteUserPoolClient: nothing refuses it once the client exists.
    public static func delete(_ client: AppClientConfiguration) -> UserPoolClientDeleted {
        UserPoolClientDeleted(poolId: client.poolId, clientId: client.clientId)
    }
}
