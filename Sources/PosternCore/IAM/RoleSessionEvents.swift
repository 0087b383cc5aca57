import Foundation

extension Stream {
    /// One STS session of the account's own keys: `stssession-{access key id}`.
    public static func stsSession(_ accessKeyId: String) -> String { "stssession-\(accessKeyId)" }
    /// One refused STS request: `stsrefusal-{request id}`.
    public static func stsRefusal(_ requestId: String) -> String { "stsrefusal-\(requestId)" }
}

/// An STS request for a role refused after its caller was established (the admin key that signed it, or
/// a verified external ID token): the role is unknown, its trust policy said no, or the duration is over
/// the role's maximum. `reason` is the error code answered. A web identity's subject is a keyed hash, as
/// in `RoleSessionIssued`; tokens are never recorded. Refusals of tokens that do not verify are not
/// events (an unsigned caller could fill the log with them); they are logged and counted.
public struct RoleSessionRefused: EventPayload, Equatable {
    public static let eventType = "RoleSessionRefused"
    public var operation: String
    public var roleArn: String
    public var reason: String
    public var callerAccessKeyId: String?
    public var provider: String?
    public var subjectKey: String?
    public init(
        operation: String, roleArn: String, reason: String, callerAccessKeyId: String? = nil, provider: String? = nil, subjectKey: String? = nil
    ) {
        self.operation = operation
        self.roleArn = roleArn
        self.reason = reason
        self.callerAccessKeyId = callerAccessKeyId
        self.provider = provider
        self.subjectKey = subjectKey
    }
}

/// A credential exchange outside identity pools: the account's admin keys (STS AssumeRole), or an external
/// provider's web identity (AssumeRoleWithWebIdentity with an OpenID Connect or social provider's token).
/// The secret is never recorded; the tags' keys and whether a session policy narrowed the session are,
/// so an auditor can tell what the credentials could do. A web identity's subject is recorded only as a
/// keyed hash (`subjectKey`), so the log does not hold the provider's user id.
public struct RoleSessionIssued: EventPayload, Equatable {
    public static let eventType = "RoleSessionIssued"
    public var operation: String
    public var roleArn: String
    public var roleId: String
    public var sessionName: String
    public var accessKeyId: String
    /// The admin key that asked (AssumeRole).
    public var callerAccessKeyId: String?
    /// The web identity's provider (`login.example.com`, `accounts.google.com`), audience and hashed subject.
    public var provider: String?
    public var audience: String?
    public var subjectKey: String?
    public var tagKeys: [String]
    public var sessionPolicy: Bool
    public var sourceIdentity: String?
    public var expiresAt: Int
    public init(
        operation: String, roleArn: String, roleId: String, sessionName: String, accessKeyId: String, callerAccessKeyId: String?,
        provider: String? = nil, audience: String? = nil, subjectKey: String? = nil, tagKeys: [String], sessionPolicy: Bool,
        sourceIdentity: String?, expiresAt: Int
    ) {
        self.operation = operation
        self.roleArn = roleArn
        self.roleId = roleId
        self.sessionName = sessionName
        self.accessKeyId = accessKeyId
        self.callerAccessKeyId = callerAccessKeyId
        self.provider = provider
        self.audience = audience
        self.subjectKey = subjectKey
        self.tagKeys = tagKeys
        self.sessionPolicy = sessionPolicy
        self.sourceIdentity = sourceIdentity
        self.expiresAt = expiresAt
    }
}
