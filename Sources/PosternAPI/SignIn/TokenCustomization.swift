import Foundation
import PosternCore

/// What a PreTokenGeneration hook decided for one ID/access token pair (spec/tokens.md §8,
/// spec/triggers.md "PreTokenGeneration").
///
/// V1_0 changes the ID token's claims (string values) and the groups of both tokens; V2_0 also
/// changes the access token's claims (any JSON value) and scopes. Suppression beats addition, and
/// the claims Cognito protects are left alone whatever the hook says.
struct TokenCustomization: Sendable, Equatable {
    var idClaimsToAdd: [String: JSONValue] = [:]
    var idClaimsToSuppress: [String] = []
    var accessClaimsToAdd: [String: JSONValue] = [:]
    var accessClaimsToSuppress: [String] = []
    var scopesToAdd: [String] = []
    var scopesToSuppress: [String] = []
    /// nil keeps the user's groups; a value replaces them (empty lists remove them).
    var groups: GroupOverride?

    struct GroupOverride: Sendable, Equatable {
        var groups: [String] = []
        var iamRoles: [String] = []
        var preferredRole: String?
    }

    /// Claims a hook can neither add nor suppress.
    static let protectedClaims: Set<String> = [
        "acr", "amr", "aud", "at_hash", "auth_time", "azp", "cognito:username", "exp", "iat", "identities", "iss", "jti", "nbf", "nonce",
        "origin_jti", "sub", "token_use", "client_id", "scope", "username", "event_id", "version",
        // Groups change only through groupOverrideDetails.
        "cognito:groups", "cognito:roles", "cognito:preferred_role",
    ]

    var isEmpty: Bool { self == TokenCustomization() }

    /// Applies the decision to the claims of a token pair about to be signed.
    func apply(id: inout [String: JSONValue], access: inout [String: JSONValue]) {
        if let groups {
            Self.setGroups(groups, in: &id)
            Self.setGroups(groups, in: &access)
        }
        for (name, value) in idClaimsToAdd where !Self.protectedClaims.contains(name) { id[name] = value }
        for (name, value) in accessClaimsToAdd where !Self.protectedClaims.contains(name) { access[name] = value }
        for name in idClaimsToSuppress where !Self.protectedClaims.contains(name) { id[name] = nil }
        for name in accessClaimsToSuppress where !Self.protectedClaims.contains(name) { access[name] = nil }
        if !scopesToAdd.isEmpty || !scopesToSuppress.isEmpty {
            var scopes = (access["scope"]?.stringValue ?? "").split(separator: " ").map(String.init)
            for scope in scopesToAdd where !scopes.contains(scope) { scopes.append(scope) }
            scopes.removeAll { scopesToSuppress.contains($0) }
            access["scope"] = .string(scopes.joined(separator: " "))
        }
    }

    private static func setGroups(_ override: GroupOverride, in claims: inout [String: JSONValue]) {
        claims["cognito:groups"] = override.groups.isEmpty ? nil : .array(override.groups.map(JSONValue.string))
        claims["cognito:roles"] = override.iamRoles.isEmpty ? nil : .array(override.iamRoles.map(JSONValue.string))
        claims["cognito:preferred_role"] = override.preferredRole.map(JSONValue.string)
    }

    /// Reads the hook's `response` for the event version it was given (1 or 2).
    static func parse(_ response: JSONValue?, version: Int) throws -> TokenCustomization {
        var decision = TokenCustomization()
        if version == 1 {
            guard let details = try object(response?["claimsOverrideDetails"]) else { return decision }
            decision.idClaimsToAdd = try claims(details["claimsToAddOrOverride"], stringsOnly: true)
            decision.idClaimsToSuppress = try strings(details["claimsToSuppress"])
            decision.groups = try groupOverride(details)
            return decision
        }
        guard let details = try object(response?["claimsAndScopeOverrideDetails"]) else { return decision }
        if let idToken = try object(details["idTokenGeneration"]) {
            decision.idClaimsToAdd = try claims(idToken["claimsToAddOrOverride"], stringsOnly: false)
            decision.idClaimsToSuppress = try strings(idToken["claimsToSuppress"])
        }
        if let accessToken = try object(details["accessTokenGeneration"]) {
            decision.accessClaimsToAdd = try claims(accessToken["claimsToAddOrOverride"], stringsOnly: false)
            decision.accessClaimsToSuppress = try strings(accessToken["claimsToSuppress"])
            decision.scopesToAdd = try strings(accessToken["scopesToAdd"])
            decision.scopesToSuppress = try strings(accessToken["scopesToSuppress"])
        }
        decision.groups = try groupOverride(details)
        return decision
    }

    /// What an audit sees without opening sealed data: the names of what changed.
    var summary: [String: JSONValue] {
        var summary: [String: JSONValue] = [:]
        func names(_ list: [String]) -> JSONValue { .array(list.sorted().map(JSONValue.string)) }
        if !idClaimsToAdd.isEmpty { summary["idClaimsAddedOrOverridden"] = names(Array(idClaimsToAdd.keys)) }
        if !idClaimsToSuppress.isEmpty { summary["idClaimsSuppressed"] = names(idClaimsToSuppress) }
        if !accessClaimsToAdd.isEmpty { summary["accessClaimsAddedOrOverridden"] = names(Array(accessClaimsToAdd.keys)) }
        if !accessClaimsToSuppress.isEmpty { summary["accessClaimsSuppressed"] = names(accessClaimsToSuppress) }
        if !scopesToAdd.isEmpty { summary["scopesAdded"] = names(scopesToAdd) }
        if !scopesToSuppress.isEmpty { summary["scopesSuppressed"] = names(scopesToSuppress) }
        if groups != nil { summary["groupsOverridden"] = .bool(true) }
        return summary
    }

    /// The full decision, values included, for sealing with the user's data key.
    var detail: JSONValue {
        var detail: [String: JSONValue] = [
            "idClaimsToAdd": .object(idClaimsToAdd), "idClaimsToSuppress": .array(idClaimsToSuppress.map(JSONValue.string)),
            "accessClaimsToAdd": .object(accessClaimsToAdd), "accessClaimsToSuppress": .array(accessClaimsToSuppress.map(JSONValue.string)),
            "scopesToAdd": .array(scopesToAdd.map(JSONValue.string)), "scopesToSuppress": .array(scopesToSuppress.map(JSONValue.string)),
        ]
        if let groups {
            detail["groupOverrideDetails"] = .object([
                "groupsToOverride": .array(groups.groups.map(JSONValue.string)),
                "iamRolesToOverride": .array(groups.iamRoles.map(JSONValue.string)),
                "preferredRole": groups.preferredRole.map(JSONValue.string) ?? .null,
            ])
        }
        return .object(detail)
    }

    // MARK: Reading the answer; any ill-typed member is an invalid Lambda response, as in Cognito.

    static var invalid: AWSError { AWSError.invalidLambdaResponse() }

    private static func object(_ value: JSONValue?) throws -> [String: JSONValue]? {
        switch value {
        case nil, .null?: return nil
        case .object(let members)?: return members
        default: throw invalid
        }
    }

    private static func strings(_ value: JSONValue?) throws -> [String] {
        switch value {
        case nil, .null?: return []
        case .array(let items)?:
            return try items.map {
                guard let text = $0.stringValue else { throw invalid }; return text
            }
        default: throw invalid
        }
    }

    private static func claims(_ value: JSONValue?, stringsOnly: Bool) throws -> [String: JSONValue] {
        guard let members = try object(value) else { return [:] }
        if stringsOnly, members.values.contains(where: { $0.stringValue == nil }) { throw invalid }
        return members.filter { !$0.value.isNull }
    }

    /// `groupOverrideDetails`: absent keeps the groups; present (even null or empty) replaces them.
    private static func groupOverride(_ details: [String: JSONValue]) throws -> GroupOverride? {
        guard let value = details["groupOverrideDetails"] else { return nil }
        guard let members = try object(value) else { return GroupOverride() }
        let preferred: String?
        switch members["preferredRole"] {
        case nil, .null?: preferred = nil
        case .string(let role)?: preferred = role
        default: throw invalid
        }
        return GroupOverride(
            groups: try strings(members["groupsToOverride"]), iamRoles: try strings(members["iamRolesToOverride"]), preferredRole: preferred)
    }
}
