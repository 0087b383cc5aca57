import Foundation

extension Stream {
    /// One STS session of the account's own keys: `stssession-{access key id}`.
    public static func stsSession(_ accessKeyId: String) -> String { "stssession-\(accessKeyId)" }
}

/// A credential exchange by the account's admin keys (STS AssumeRole): temporary credentials for a role.
/// The secret is never recorded; the tags' keys and whether a session policy narrowed the session are,
/// so an auditor can tell what the credentials could do.
public struct RoleSessionIssued: EventPayload, Equatable {
    public static let eventType = "RoleSessionIssued"
    public var operation: String
    public var roleArn: String
    public var roleId: String
    public var sessionName: String
    public var accessKeyId: String
    public var callerAccessKeyId: String
    public var tagKeys: [String]
    public var sessionPolicy: Bool
    public var sourceIdentity: String?
    public var expiresAt: Int
    public init(
        operation: String, roleArn: String, roleId: String, sessionName: String, accessKeyId: String, callerAccessKeyId: String,
        tagKeys: [String], sessionPolicy: Bool, sourceIdentity: String?, expiresAt: Int
    ) {
        self.operation = operation
        self.roleArn = roleArn
        self.roleId = roleId
        self.sessionName = sessionName
        self.accessKeyId = accessKeyId
        self.callerAccessKeyId = callerAccessKeyId
        self.tagKeys = tagKeys
        self.sessionPolicy = sessionPolicy
        self.sourceIdentity = sourceIdentity
        self.expiresAt = expiresAt
    }
}
