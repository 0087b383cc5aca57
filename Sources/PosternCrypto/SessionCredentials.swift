import Foundation

/// Temporary AWS credentials (STS, identity pools): an `ASIA…` access key id, a secret, and a session
/// token that carries the session itself, sealed under the master key.
///
/// The token is self-contained, as AWS's are: a server checks a request signed with the credentials by
/// opening the token (the secret, the role, the expiry are inside), so no table of live sessions is kept
/// and every server on the database accepts them. A token cannot be forged or altered without the master
/// key (authenticated encryption, bound to its purpose).
public struct SessionCredentials: Sendable, Equatable {
    public var accessKeyId: String
    public var secretAccessKey: String
    public var sessionToken: String
    public var expiration: Date

    /// What a session token holds.
    public struct Session: Codable, Sendable, Equatable {
        public var accessKeyId: String
        public var secretAccessKey: String
        public var roleArn: String
        public var roleId: String
        public var sessionName: String
        public var issuedAt: Int
        public var expiresAt: Int
        /// The web identity's subject and audience (the identity and its pool), when there is one.
        public var subject: String?
        public var audience: String?
        /// The web identity's authentication methods (`cognito-identity.amazonaws.com:amr`).
        public var amr: [String]?
        /// Session tags (`aws:PrincipalTag/…` in the session's policies): an identity pool's principal tags.
        public var tags: [String: String]?
        /// A session policy (AssumeRole's `Policy`): the session may do only what it and the role allow.
        public var policy: String?
        /// Managed session policies (`PolicyArns`): customer managed policies of the account, evaluated with
        /// their default version at request time, as IAM does. Nil when none were passed.
        public var policyArns: [String]?
        /// The external web identity of a session AssumeRoleWithWebIdentity made for an OpenID Connect
        /// provider's or a social provider's token (not an identity-pool identity).
        public var federated: FederatedUser?
        public init(
            accessKeyId: String, secretAccessKey: String, roleArn: String, roleId: String, sessionName: String, issuedAt: Int, expiresAt: Int,
            subject: String?, audience: String?, amr: [String]? = nil, tags: [String: String]? = nil, policy: String? = nil,
            policyArns: [String]? = nil, federated: FederatedUser? = nil
        ) {
            self.accessKeyId = accessKeyId
            self.secretAccessKey = secretAccessKey
            self.roleArn = roleArn
            self.roleId = roleId
            self.sessionName = sessionName
            self.issuedAt = issuedAt
            self.expiresAt = expiresAt
            self.subject = subject
            self.audience = audience
            self.amr = amr
            self.tags = tags
            self.policy = policy
            self.policyArns = policyArns
            self.federated = federated
        }

        /// `arn:aws:sts::{account}:assumed-role/{role name}/{session}`.
        public var assumedRoleArn: String {
            let account = roleArn.split(separator: ":", omittingEmptySubsequences: false).dropFirst(4).first.map(String.init) ?? ""
            let roleName = roleArn.split(separator: "/").last.map(String.init) ?? ""
            return "arn:aws:sts::\(account):assumed-role/\(roleName)/\(sessionName)"
        }
    }

    /// A web identity from an external provider: the provider as trust policies name it
    /// (`login.example.com`, `accounts.google.com`), the token's `sub` and its audience.
    public struct FederatedUser: Codable, Sendable, Equatable {
        public var provider: String
        public var subject: String
        public var audience: String
        public init(provider: String, subject: String, audience: String) {
            self.provider = provider
            self.subject = subject
            self.audience = audience
        }
    }

    static let purpose = "sts session v1"
    static let base32 = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")

    /// New credentials for `role` (ARN and id) valid for `duration` seconds from `now`.
    public static func issue(
        roleArn: String, roleId: String, sessionName: String, duration: Int, now: Date, subject: String?, audience: String?,
        amr: [String]? = nil, tags: [String: String]? = nil, policy: String? = nil, policyArns: [String]? = nil,
        federated: FederatedUser? = nil, sealer: Sealer
    ) throws -> SessionCredentials {
        let accessKeyId = "ASIA" + String(Random.bytes(16).map { base32[Int($0) % 32] })
        let secret = Base64URL.encode(Random.bytes(30))
        let issuedAt = Int(now.timeIntervalSince1970)
        let session = Session(
            accessKeyId: accessKeyId, secretAccessKey: secret, roleArn: roleArn, roleId: roleId, sessionName: sessionName, issuedAt: issuedAt,
            expiresAt: issuedAt + duration, subject: subject, audience: audience, amr: amr, tags: tags, policy: policy,
            policyArns: policyArns, federated: federated)
        let token = Base64URL.encode(try sealer.sealedBytes(json: session, purpose: purpose))
        return SessionCredentials(
            accessKeyId: accessKeyId, secretAccessKey: secret, sessionToken: token,
            expiration: Date(timeIntervalSince1970: TimeInterval(issuedAt + duration)))
    }

    /// The session a token holds; nil for a token this server's master key did not seal (or altered).
    public static func open(token: String, sealer: Sealer) -> Session? {
        guard let bytes = Base64URL.decode(token) else { return nil }
        return try? sealer.open(bytes: [UInt8](bytes), as: Session.self, purpose: purpose)
    }
}
