import Foundation

/// An identity pool id, `{region}:{uuid}` (botocore: `[\w-]+:[0-9a-f-]+`, at most 55 characters).
public struct IdentityPoolID: StringIdentifier {
    public let rawValue: String
    public init(_ rawValue: String) { self.rawValue = rawValue }

    /// The region prefix.
    public var region: String { rawValue.split(separator: ":", maxSplits: 1).first.map(String.init) ?? "" }
}

extension Stream {
    /// An identity pool's configuration: `identitypool-{region}:{uuid}`.
    public static func identityPool(_ id: IdentityPoolID) -> String { "identitypool-\(id.rawValue)" }
}

/// An identity pool was created (CreateIdentityPool). `settings` holds the configuration members as
/// DescribeIdentityPool returns them, without the id and the tags.
public struct IdentityPoolCreated: EventPayload {
    public static let eventType = "IdentityPoolCreated"
    public var identityPoolId: IdentityPoolID
    public var settings: JSONValue
    public var tags: [String: String]
    public init(identityPoolId: IdentityPoolID, settings: JSONValue, tags: [String: String]) {
        self.identityPoolId = identityPoolId
        self.settings = settings
        self.tags = tags
    }
}

/// UpdateIdentityPool replaced the configuration (and, when the request carried them, the tags).
public struct IdentityPoolUpdated: EventPayload {
    public static let eventType = "IdentityPoolUpdated"
    public var identityPoolId: IdentityPoolID
    public var settings: JSONValue
    public var tags: [String: String]
    public init(identityPoolId: IdentityPoolID, settings: JSONValue, tags: [String: String]) {
        self.identityPoolId = identityPoolId
        self.settings = settings
        self.tags = tags
    }
}

/// DeleteIdentityPool: the pool and its identities are gone.
public struct IdentityPoolDeleted: EventPayload {
    public static let eventType = "IdentityPoolDeleted"
    public var identityPoolId: IdentityPoolID
    public init(identityPoolId: IdentityPoolID) { self.identityPoolId = identityPoolId }
}

/// SetIdentityPoolRoles: the default roles and the per-provider role mappings, replaced as a whole.
public struct IdentityPoolRolesSet: EventPayload {
    public static let eventType = "IdentityPoolRolesSet"
    public var identityPoolId: IdentityPoolID
    public var roles: [String: String]
    /// `RoleMappings` as the request gave them (validated), keyed by provider.
    public var roleMappings: JSONValue
    public init(identityPoolId: IdentityPoolID, roles: [String: String], roleMappings: JSONValue) {
        self.identityPoolId = identityPoolId
        self.roles = roles
        self.roleMappings = roleMappings
    }
}

/// TagResource / UntagResource on the pool's ARN: the tags after the change.
public struct IdentityPoolTagsChanged: EventPayload {
    public static let eventType = "IdentityPoolTagsChanged"
    public var identityPoolId: IdentityPoolID
    public var tags: [String: String]
    public init(identityPoolId: IdentityPoolID, tags: [String: String]) {
        self.identityPoolId = identityPoolId
        self.tags = tags
    }
}

/// SetPrincipalTagAttributeMap: which token claims become session tags for one provider.
public struct PrincipalTagAttributeMapSet: EventPayload {
    public static let eventType = "PrincipalTagAttributeMapSet"
    public var identityPoolId: IdentityPoolID
    public var providerName: String
    public var useDefaults: Bool
    public var principalTags: [String: String]
    public init(identityPoolId: IdentityPoolID, providerName: String, useDefaults: Bool, principalTags: [String: String]) {
        self.identityPoolId = identityPoolId
        self.providerName = providerName
        self.useDefaults = useDefaults
        self.principalTags = principalTags
    }
}
