import Foundation

/// The claims of the ID and access tokens of one sign-in or refresh (spec/tokens.md §3–4), before the
/// pool's PreTokenGeneration hook customizes them.
///
/// Both tokens share `sub`, `iss`, `auth_time`, `iat` and `event_id`, and `origin_jti` when the client
/// revokes tokens (`EnableTokenRevocation`): every token refreshed from one sign-in carries the same one,
/// so revoking the sign-in revokes them all. The ID token holds the attributes the client may read (the
/// `_verified` flags as booleans); the access token holds the scope, the username and the tracked device.
/// Identifiers come from the caller, so the claims are a pure function of their inputs.
public struct SignInTokenClaims: Equatable, Sendable {
    public var id: [String: JSONValue]
    public var access: [String: JSONValue]

    /// The values a sign-in generates for its tokens.
    public struct Identifiers: Equatable, Sendable {
        public var eventId: String
        public var idTokenJti: String
        public var accessTokenJti: String

        public init(eventId: String, idTokenJti: String, accessTokenJti: String) {
            self.eventId = eventId
            self.idTokenJti = idTokenJti
            self.accessTokenJti = accessTokenJti
        }
    }

    /// The scope of tokens from the user-pool API (OAuth flows name their own).
    public static let userPoolAPIScope = "aws.cognito.signin.user.admin"

    public init(
        sub: Sub, username: String, attributes: [String: String], issuer: String, client: ClientID, settings: ClientSettings, authTime: Date,
        originJti: String, deviceKey: String?, now: Date, identifiers: Identifiers
    ) {
        let iat = Int(now.timeIntervalSince1970)
        var common: [String: JSONValue] = [
            "sub": .string(sub.rawValue), "iss": .string(issuer), "auth_time": .int(Int(authTime.timeIntervalSince1970)), "iat": .int(iat),
            "event_id": .string(identifiers.eventId),
        ]
        if settings.tokenRevocationEnabled { common["origin_jti"] = .string(originJti) }
        var id = common
        id["aud"] = .string(client.rawValue)
        id["token_use"] = "id"
        id["cognito:username"] = .string(username)
        id["exp"] = .int(iat + Int(settings.idTokenValidity))
        id["jti"] = .string(identifiers.idTokenJti)
        // Only what the client may read (`ReadAttributes`); developer-only attributes never.
        for (name, value) in settings.attributePermissions.readable(attributes) where name != "sub" {
            id[name] = name.hasSuffix("_verified") ? .bool(value == "true") : .string(value)
        }
        var access = common
        access["client_id"] = .string(client.rawValue)
        access["token_use"] = "access"
        access["scope"] = .string(Self.userPoolAPIScope)
        access["username"] = .string(username)
        access["exp"] = .int(iat + Int(settings.accessTokenValidity))
        access["jti"] = .string(identifiers.accessTokenJti)
        if let deviceKey { access["device_key"] = .string(deviceKey) }
        self.id = id
        self.access = access
    }
}
