import Foundation

/// The write model of an identity pool (stream `identitypool-<id>`): its configuration, default roles,
/// role mappings, tags and principal-tag maps, with the rules of CreateIdentityPool, UpdateIdentityPool,
/// DeleteIdentityPool, SetIdentityPoolRoles, TagResource, UntagResource and SetPrincipalTagAttributeMap.
///
/// The decisions are pure: the caller draws the id and gives the pools' user-pool provider names it
/// accepts. `settings` holds the configuration members exactly as DescribeIdentityPool returns them.
public struct IdentityPoolConfiguration: Equatable, Sendable {
    public var id: IdentityPoolID
    public var settings: JSONValue
    public var tags: [String: String]
    public var roles: [String: String]
    public var roleMappings: JSONValue
    /// Principal-tag maps by provider name: whether the defaults apply, and the claim → tag map.
    public var principalTags: [String: PrincipalTagMap]
    /// The version of the pool's stream this state reflects (the expected version of the next append).
    public var version: Int

    /// Which token claims become session tags for one provider.
    public struct PrincipalTagMap: Equatable, Sendable, Codable {
        public var useDefaults: Bool
        public var tags: [String: String]
        public init(useDefaults: Bool, tags: [String: String]) {
            self.useDefaults = useDefaults
            self.tags = tags
        }
    }

    public init(
        id: IdentityPoolID, settings: JSONValue, tags: [String: String] = [:], roles: [String: String] = [:],
        roleMappings: JSONValue = .object([:]), principalTags: [String: PrincipalTagMap] = [:], version: Int
    ) {
        self.id = id
        self.settings = settings
        self.tags = tags
        self.roles = roles
        self.roleMappings = roleMappings
        self.principalTags = principalTags
        self.version = version
    }

    public var name: String { settings["IdentityPoolName"]?.stringValue ?? "" }
    public var allowsGuests: Bool { settings["AllowUnauthenticatedIdentities"]?.boolValue ?? false }
    public var allowsClassicFlow: Bool { settings["AllowClassicFlow"]?.boolValue ?? false }
    public var developerProviderName: String? { settings["DeveloperProviderName"]?.stringValue }
    public var supportedLoginProviders: [String: String] {
        (settings["SupportedLoginProviders"]?.objectValue ?? [:]).compactMapValues(\.stringValue)
    }
    public var openIdConnectProviderARNs: [String] { (settings["OpenIdConnectProviderARNs"]?.arrayValue ?? []).compactMap(\.stringValue) }
    public var samlProviderARNs: [String] { (settings["SamlProviderARNs"]?.arrayValue ?? []).compactMap(\.stringValue) }

    /// A user pool this identity pool accepts tokens of.
    public struct UserPoolProvider: Equatable, Sendable {
        public var providerName: String
        public var clientId: String
        public var serverSideTokenCheck: Bool
        public init(providerName: String, clientId: String, serverSideTokenCheck: Bool) {
            self.providerName = providerName
            self.clientId = clientId
            self.serverSideTokenCheck = serverSideTokenCheck
        }
    }

    public var cognitoIdentityProviders: [UserPoolProvider] {
        (settings["CognitoIdentityProviders"]?.arrayValue ?? []).compactMap { entry in
            guard let name = entry["ProviderName"]?.stringValue, let client = entry["ClientId"]?.stringValue else { return nil }
            return UserPoolProvider(providerName: name, clientId: client, serverSideTokenCheck: entry["ServerSideTokenCheck"]?.boolValue ?? false)
        }
    }

    /// The pool's ARN, as tags and the identity-pool OpenID token name it.
    public func arn(account: String) -> String { "arn:aws:cognito-identity:\(id.region):\(account):identitypool/\(id.rawValue)" }

    /// Folds one event of the pool's stream into the state; nil before creation and after deletion.
    public static func evolve(_ state: IdentityPoolConfiguration?, with event: any EventPayload) -> IdentityPoolConfiguration? {
        if let created = event as? IdentityPoolCreated {
            return IdentityPoolConfiguration(id: created.identityPoolId, settings: created.settings, tags: created.tags, version: 1)
        }
        guard var pool = state else { return nil }
        pool.version += 1
        switch event {
        case let updated as IdentityPoolUpdated:
            pool.settings = updated.settings
            pool.tags = updated.tags
        case let roles as IdentityPoolRolesSet:
            pool.roles = roles.roles
            pool.roleMappings = roles.roleMappings
        case let tags as IdentityPoolTagsChanged:
            pool.tags = tags.tags
        case let map as PrincipalTagAttributeMapSet:
            pool.principalTags[map.providerName] = PrincipalTagMap(useDefaults: map.useDefaults, tags: map.principalTags)
        case is IdentityPoolDeleted:
            return nil
        default:
            break
        }
        return pool
    }

    public static func fold(_ events: [any EventPayload]) -> IdentityPoolConfiguration? { events.reduce(nil) { evolve($0, with: $1) } }
}

// MARK: - Decisions

extension IdentityPoolConfiguration {
    /// Cognito's limit on tags per identity pool.
    public static let maxTags = 50

    /// CreateIdentityPool: the configuration checked against the model and Cognito's rules.
    public static func create(id: IdentityPoolID, request: [String: JSONValue]) throws(DomainError) -> IdentityPoolCreated {
        let settings = try settings(from: request)
        let tags = try tags(from: request["IdentityPoolTags"])
        return IdentityPoolCreated(identityPoolId: id, settings: settings, tags: tags)
    }

    /// UpdateIdentityPool: the configuration is replaced (omitted members are cleared), except that a
    /// DeveloperProviderName, once set, can neither change nor be removed; tags are replaced only when given.
    public func update(request: [String: JSONValue]) throws(DomainError) -> IdentityPoolUpdated {
        var members = request
        if let current = developerProviderName {
            if let given = request["DeveloperProviderName"]?.stringValue, given != current {
                throw .invalidParameter("Cannot change DeveloperProviderName once it is set.")
            }
            members["DeveloperProviderName"] = .string(current)
        }
        let settings = try Self.settings(from: members)
        var tags = self.tags
        if let given = request["IdentityPoolTags"] { tags = try Self.tags(from: given) }
        return IdentityPoolUpdated(identityPoolId: id, settings: settings, tags: tags)
    }

    public func delete() -> IdentityPoolDeleted { IdentityPoolDeleted(identityPoolId: id) }

    /// SetIdentityPoolRoles: `Roles` keyed `authenticated` / `unauthenticated`, each an IAM role ARN, and
    /// `RoleMappings` for providers this pool has. `sameProvider` says whether two provider names name the
    /// same provider (a user pool is known by its tokens' issuer and by `cognito-idp.{region}.amazonaws.com/{id}`).
    public func setRoles(request: [String: JSONValue], sameProvider: (String, String) -> Bool) throws(DomainError) -> IdentityPoolRolesSet {
        var validation = ModelValidation()
        let rolesValue = request["Roles"]?.objectValue ?? [:]
        validation.count(rolesValue.count, "roles", 0...2)
        var roles: [String: String] = [:]
        for (key, value) in rolesValue {
            validation.string(key, "roles", length: 1...128, pattern: "(un)?authenticated")
            let arn = value.stringValue ?? ""
            validation.string(arn, "roles", length: 20...2048)
            roles[key] = arn
        }
        let mappings = request["RoleMappings"]?.objectValue ?? [:]
        validation.count(mappings.count, "roleMappings", 0...10)
        for (provider, mapping) in mappings {
            validation.string(provider, "roleMappings", length: 1...128)
            validation.oneOf(mapping["Type"]?.stringValue, "roleMappings.\(provider).member.type", ["Token", "Rules"])
            validation.oneOf(
                mapping["AmbiguousRoleResolution"]?.stringValue, "roleMappings.\(provider).member.ambiguousRoleResolution",
                ["AuthenticatedRole", "Deny"])
            for (index, rule) in (mapping["RulesConfiguration"]?["Rules"]?.arrayValue ?? []).enumerated() {
                let path = "roleMappings.\(provider).member.rulesConfiguration.rules.\(index + 1).member"
                validation.string(rule["Claim"]?.stringValue, "\(path).claim", length: 1...64)
                validation.oneOf(rule["MatchType"]?.stringValue, "\(path).matchType", ["Equals", "Contains", "StartsWith", "NotEqual"])
                validation.string(rule["Value"]?.stringValue, "\(path).value", length: 1...128)
                validation.string(rule["RoleARN"]?.stringValue, "\(path).roleARN", length: 20...2048)
            }
            if let rules = mapping["RulesConfiguration"]?["Rules"]?.arrayValue {
                validation.count(rules.count, "roleMappings.\(provider).member.rulesConfiguration.rules", 1...400)
            }
        }
        try validation.check()
        for (_, arn) in roles.sorted(by: { $0.key < $1.key }) where !Self.isRoleARN(arn) {
            throw .notAuthorized("Access to Role '\(arn)' is forbidden.")
        }
        for (provider, mapping) in mappings.sorted(by: { $0.key < $1.key }) {
            guard configuredProvider(for: provider, sameProvider: sameProvider) else {
                throw .invalidParameter("\(provider) is not a valid RoleMapping ProviderName or is not a configured provider.")
            }
            guard mapping["AmbiguousRoleResolution"]?.stringValue != nil else {
                throw .invalidParameter("AmbiguousRoleResolution must be specified for Token and Rules based role mappings.")
            }
            if mapping["Type"]?.stringValue == "Rules" {
                guard let rules = mapping["RulesConfiguration"]?["Rules"]?.arrayValue, !rules.isEmpty else {
                    throw .invalidParameter("RulesConfiguration must be specified for Rules based role mappings.")
                }
                for rule in rules where !Self.isRoleARN(rule["RoleARN"]?.stringValue ?? "") {
                    throw .notAuthorized("Access to Role '\(rule["RoleARN"]?.stringValue ?? "")' is forbidden.")
                }
            }
        }
        return IdentityPoolRolesSet(identityPoolId: id, roles: roles, roleMappings: .object(mappings))
    }

    /// Whether a role mapping's key names a provider of this pool: a user pool's `{provider}:{clientId}`,
    /// a supported social provider, an OpenID Connect provider's host or a SAML provider's ARN.
    func configuredProvider(for key: String, sameProvider: (String, String) -> Bool) -> Bool {
        for provider in cognitoIdentityProviders where sameProvider(key, "\(provider.providerName):\(provider.clientId)") { return true }
        if supportedLoginProviders[key] != nil { return true }
        if samlProviderARNs.contains(key) { return true }
        return openIdConnectProviderARNs.contains { arn in
            arn.split(separator: "/", maxSplits: 1).last.map { key == String($0) || arn == key } ?? false
        }
    }

    /// TagResource: the tags merged in, at most 50 in all.
    public func tag(_ value: JSONValue?) throws(DomainError) -> IdentityPoolTagsChanged {
        var merged = self.tags
        for (key, value) in try Self.tags(from: value) { merged[key] = value }
        guard merged.count <= Self.maxTags else {
            throw .invalidParameter("An identity pool can have at most \(Self.maxTags) tags.")
        }
        return IdentityPoolTagsChanged(identityPoolId: id, tags: merged)
    }

    /// UntagResource: the named keys removed (keys it does not have are ignored).
    public func untag(_ keys: [String]) throws(DomainError) -> IdentityPoolTagsChanged {
        var validation = ModelValidation()
        validation.count(keys.count, "tagKeys", 0...50)
        for key in keys { validation.string(key, "tagKeys", length: 1...128) }
        try validation.check()
        var remaining = tags
        for key in keys { remaining[key] = nil }
        return IdentityPoolTagsChanged(identityPoolId: id, tags: remaining)
    }

    /// SetPrincipalTagAttributeMap for one provider.
    public func setPrincipalTags(provider: String, useDefaults: Bool, tags: [String: JSONValue]) throws(DomainError) -> PrincipalTagAttributeMapSet {
        var validation = ModelValidation()
        validation.string(provider, "identityProviderName", length: 1...128)
        validation.count(tags.count, "principalTags", 0...50)
        var map: [String: String] = [:]
        for (key, value) in tags {
            validation.string(key, "principalTags", length: 1...128)
            validation.string(value.stringValue ?? "", "principalTags", length: 1...256)
            map[key] = value.stringValue ?? ""
        }
        try validation.check()
        return PrincipalTagAttributeMapSet(identityPoolId: id, providerName: provider, useDefaults: useDefaults, principalTags: map)
    }

    /// An IAM role ARN: `arn:{partition}:iam::{account}:role/{path/}name`.
    public static func isRoleARN(_ arn: String) -> Bool {
        arn.range(of: #"^arn:aws[\w-]*:iam::\d{12}:role/[\w+=,.@/-]+\z"#, options: .regularExpression) != nil
    }

    /// The configuration members of a Create/UpdateIdentityPool request, validated, as Describe returns them.
    static func settings(from request: [String: JSONValue]) throws(DomainError) -> JSONValue {
        var validation = ModelValidation()
        validation.required(request["IdentityPoolName"], "identityPoolName")
        validation.required(request["AllowUnauthenticatedIdentities"], "allowUnauthenticatedIdentities")
        validation.string(request["IdentityPoolName"]?.stringValue, "identityPoolName", length: 1...128, pattern: #"[\w\s+=,.@-]+"#)
        validation.string(request["DeveloperProviderName"]?.stringValue, "developerProviderName", length: 1...128, pattern: #"[\w._-]+"#)
        let logins = request["SupportedLoginProviders"]?.objectValue ?? [:]
        validation.count(logins.count, "supportedLoginProviders", 0...10)
        for (provider, appId) in logins {
            validation.string(provider, "supportedLoginProviders", length: 1...128)
            validation.string(appId.stringValue ?? "", "supportedLoginProviders", length: 1...128, pattern: #"[\w.;_/-]+"#)
        }
        let userPools = request["CognitoIdentityProviders"]?.arrayValue ?? []
        for (index, provider) in userPools.enumerated() {
            let path = "cognitoIdentityProviders.\(index + 1).member"
            validation.string(provider["ProviderName"]?.stringValue, "\(path).providerName", length: 1...128, pattern: #"[\w._:/-]+"#)
            validation.string(provider["ClientId"]?.stringValue, "\(path).clientId", length: 1...128, pattern: #"[\w_]+"#)
        }
        for (member, key) in [("OpenIdConnectProviderARNs", "openIdConnectProviderARNs"), ("SamlProviderARNs", "samlProviderARNs")] {
            for arn in request[member]?.arrayValue ?? [] { validation.string(arn.stringValue ?? "", key, length: 20...2048) }
        }
        try validation.check()
        for provider in userPools where provider["ProviderName"]?.stringValue == nil || provider["ClientId"]?.stringValue == nil {
            throw .invalidParameter("CognitoIdentityProvider must have a ProviderName and a ClientId.")
        }
        var settings: [String: JSONValue] = [
            "IdentityPoolName": request["IdentityPoolName"] ?? .null,
            "AllowUnauthenticatedIdentities": .bool(request["AllowUnauthenticatedIdentities"]?.boolValue ?? false),
            "AllowClassicFlow": .bool(request["AllowClassicFlow"]?.boolValue ?? false),
            "SupportedLoginProviders": .object(logins),
            "OpenIdConnectProviderARNs": request["OpenIdConnectProviderARNs"] ?? .array([]),
            "SamlProviderARNs": request["SamlProviderARNs"] ?? .array([]),
            "CognitoIdentityProviders": .array(
                userPools.map { provider in
                    .object([
                        "ProviderName": provider["ProviderName"] ?? .null, "ClientId": provider["ClientId"] ?? .null,
                        "ServerSideTokenCheck": .bool(provider["ServerSideTokenCheck"]?.boolValue ?? false),
                    ])
                }),
        ]
        if let developer = request["DeveloperProviderName"], developer != .null { settings["DeveloperProviderName"] = developer }
        return .object(settings)
    }

    /// `IdentityPoolTags`: keys of 1–128 and values of 0–256 characters, at most 50.
    static func tags(from value: JSONValue?) throws(DomainError) -> [String: String] {
        let given = value?.objectValue ?? [:]
        var validation = ModelValidation()
        var tags: [String: String] = [:]
        for (key, value) in given {
            validation.string(key, "tags", length: 1...128)
            validation.string(value.stringValue ?? "", "tags", length: 0...256)
            tags[key] = value.stringValue ?? ""
        }
        try validation.check()
        guard tags.count <= maxTags else { throw .invalidParameter("An identity pool can have at most \(maxTags) tags.") }
        return tags
    }
}
