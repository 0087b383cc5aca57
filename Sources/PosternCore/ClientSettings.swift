import Foundation

/// An app client's configuration (`UserPoolClientType`), normalized with Cognito's defaults.
public struct ClientSettings: Equatable, Sendable {
    public var json: JSONValue

    public init(json: JSONValue) { self.json = json }

    static let storedMembers: Set<String> = [
        "ClientName", "RefreshTokenValidity", "AccessTokenValidity", "IdTokenValidity", "TokenValidityUnits",
        "ReadAttributes", "WriteAttributes", "ExplicitAuthFlows", "SupportedIdentityProviders", "CallbackURLs",
        "LogoutURLs", "DefaultRedirectURI", "AllowedOAuthFlows", "AllowedOAuthScopes", "AllowedOAuthFlowsUserPoolClient",
        "AnalyticsConfiguration", "PreventUserExistenceErrors", "EnableTokenRevocation",
        "EnablePropagateAdditionalUserContextData", "AuthSessionValidity", "RefreshTokenRotation",
    ]
    static let allowFlows: Set<String> = [
        "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_CUSTOM_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH",
        "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_AUTH",
    ]
    static let legacyFlows: Set<String> = ["ADMIN_NO_SRP_AUTH", "CUSTOM_AUTH_FLOW_ONLY", "USER_PASSWORD_AUTH"]

    /// Builds settings from a CreateUserPoolClient / UpdateUserPoolClient body (a full replacement).
    public static func from(request: [String: JSONValue]) throws(DomainError) -> ClientSettings {
        var object = request.filter { storedMembers.contains($0.key) && !$0.value.isNull }
        guard let name = object["ClientName"]?.stringValue, (1...128).contains(name.count) else {
            throw .validation("clientName", "Member must have length between 1 and 128")
        }
        let flows = object["ExplicitAuthFlows"]?.arrayValue?.compactMap(\.stringValue)
        if let flows {
            for flow in flows where !allowFlows.contains(flow) && !legacyFlows.contains(flow) {
                throw .invalidParameter("Invalid ExplicitAuthFlows value: \(flow).")
            }
            if flows.contains(where: legacyFlows.contains), flows.contains(where: allowFlows.contains) {
                throw .invalidParameter("ExplicitAuthFlows cannot mix legacy values with ALLOW_ values.")
            }
        }
        let units = object["TokenValidityUnits"]?.objectValue ?? [:]
        try checkRange(object, "AccessTokenValidity", unit: units["AccessToken"]?.stringValue ?? "hours", 300...86_400)
        try checkRange(object, "IdTokenValidity", unit: units["IdToken"]?.stringValue ?? "hours", 300...86_400)
        if object["RefreshTokenValidity"]?.intValue == 0 { object["RefreshTokenValidity"] = nil }
        try checkRange(object, "RefreshTokenValidity", unit: units["RefreshToken"]?.stringValue ?? "days", 3_600...315_360_000)
        if let value = object["AuthSessionValidity"]?.intValue, !(3...15).contains(value) {
            throw .validation("authSessionValidity", "Member must have value between 3 and 15")
        }
        if let value = object["PreventUserExistenceErrors"]?.stringValue, !["LEGACY", "ENABLED"].contains(value) {
            throw .validation("preventUserExistenceErrors", "Member must satisfy enum value set: [LEGACY, ENABLED]")
        }
        if object["RefreshTokenValidity"] == nil { object["RefreshTokenValidity"] = .int(30) }
        if object["AuthSessionValidity"] == nil { object["AuthSessionValidity"] = .int(3) }
        if object["EnableTokenRevocation"] == nil { object["EnableTokenRevocation"] = .bool(true) }
        if object["PreventUserExistenceErrors"] == nil { object["PreventUserExistenceErrors"] = .string("LEGACY") }
        if object["AllowedOAuthFlowsUserPoolClient"] == nil { object["AllowedOAuthFlowsUserPoolClient"] = .bool(false) }
        if object["EnablePropagateAdditionalUserContextData"] == nil {
            object["EnablePropagateAdditionalUserContextData"] = .bool(false)
        }
        if flows == nil {
            object["ExplicitAuthFlows"] = .array(["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH"].map(JSONValue.string))
        }
        return ClientSettings(json: .object(object))
    }

    static func seconds(_ value: Int, unit: String) -> Int {
        switch unit {
        case "seconds": value
        case "minutes": value * 60
        case "days": value * 86_400
        default: value * 3_600
        }
    }

    static func checkRange(_ object: [String: JSONValue], _ member: String, unit: String, _ range: ClosedRange<Int>) throws(DomainError) {
        guard let value = object[member]?.intValue else { return }
        guard ["seconds", "minutes", "hours", "days"].contains(unit) else {
            throw .validation("tokenValidityUnits", "Member must satisfy enum value set: [seconds, minutes, hours, days]")
        }
        if !range.contains(seconds(value, unit: unit)) {
            throw .invalidParameter("\(member) must be between \(range.lowerBound / 60) minutes and \(range.upperBound / 86_400) days.")
        }
    }

    public var name: String { json["ClientName"]?.stringValue ?? "" }
    public var explicitAuthFlows: Set<String> { Set(json["ExplicitAuthFlows"]?.arrayValue?.compactMap(\.stringValue) ?? []) }
    public var preventUserExistenceErrors: Bool { json["PreventUserExistenceErrors"]?.stringValue == "ENABLED" }
    public var tokenRevocationEnabled: Bool { json["EnableTokenRevocation"]?.boolValue ?? true }
    public var authSessionValidity: TimeInterval { TimeInterval((json["AuthSessionValidity"]?.intValue ?? 3) * 60) }

    var units: JSONValue? { json["TokenValidityUnits"] }
    public var accessTokenValidity: TimeInterval {
        TimeInterval(Self.seconds(json["AccessTokenValidity"]?.intValue ?? 1, unit: units?["AccessToken"]?.stringValue ?? "hours"))
    }
    public var idTokenValidity: TimeInterval {
        TimeInterval(Self.seconds(json["IdTokenValidity"]?.intValue ?? 1, unit: units?["IdToken"]?.stringValue ?? "hours"))
    }
    public var refreshTokenValidity: TimeInterval {
        TimeInterval(Self.seconds(json["RefreshTokenValidity"]?.intValue ?? 30, unit: units?["RefreshToken"]?.stringValue ?? "days"))
    }

    /// Whether an auth flow is enabled, honouring the legacy flag names.
    public func allows(_ flow: AuthFlow) -> Bool {
        let flows = explicitAuthFlows
        switch flow {
        case .userPassword: return flows.contains("ALLOW_USER_PASSWORD_AUTH") || flows.contains("USER_PASSWORD_AUTH")
        case .adminUserPassword: return flows.contains("ALLOW_ADMIN_USER_PASSWORD_AUTH") || flows.contains("ADMIN_NO_SRP_AUTH")
        case .refreshToken: return flows.contains("ALLOW_REFRESH_TOKEN_AUTH") || flows.contains(where: Self.legacyFlows.contains)
        case .userSRP: return flows.contains("ALLOW_USER_SRP_AUTH") || flows.contains(where: Self.legacyFlows.contains)
        case .custom: return flows.contains("ALLOW_CUSTOM_AUTH") || flows.contains("CUSTOM_AUTH_FLOW_ONLY")
        case .userAuth: return flows.contains("ALLOW_USER_AUTH")
        }
    }
}

/// The sign-in flows of InitiateAuth / AdminInitiateAuth.
public enum AuthFlow: String, Sendable {
    case userPassword = "USER_PASSWORD_AUTH"
    case adminUserPassword = "ADMIN_USER_PASSWORD_AUTH"
    case refreshToken = "REFRESH_TOKEN_AUTH"
    case userSRP = "USER_SRP_AUTH"
    case custom = "CUSTOM_AUTH"
    /// Choice-based sign-in: the user picks the first factor (password, SRP, a code by email or SMS).
    case userAuth = "USER_AUTH"

    /// Parses the wire value, including the legacy aliases.
    public init?(wire: String) {
        switch wire {
        case "ADMIN_NO_SRP_AUTH": self = .adminUserPassword
        case "REFRESH_TOKEN": self = .refreshToken
        default: self.init(rawValue: wire)
        }
    }
}
