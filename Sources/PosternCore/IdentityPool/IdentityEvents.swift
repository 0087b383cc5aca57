import Foundation

/// An identity id, `{region}:{uuid}` (botocore: `[\w-]+:[0-9a-f-]+`, at most 55 characters): the stable
/// id an identity pool gives a guest, a user-pool user, or a developer's user.
public struct IdentityID: StringIdentifier {
    public let rawValue: String
    public init(_ rawValue: String) { self.rawValue = rawValue }
}

extension Stream {
    /// An identity of an identity pool: `identity-{region}:{uuid}`. Its events seal the logins' subjects
    /// with the identity's own data key (`Stream.subject(of:)`), so deleting it shreds them.
    public static func identity(_ id: IdentityID) -> String { "identity-\(id.rawValue)" }
    /// The identity-pool token issuer's signing keys (GetOpenIdToken's RS512 key).
    public static let identityTokenKeys = "identitytokenkeys-1"
}

/// Which login of an identity pool: the provider (in its canonical name) and a keyed hash of the subject,
/// unique per identity pool. The hash lets the directory find an identity by login without the log or
/// its index holding the subject (a developer's user id may be an e-mail address).
public struct LoginKey: Hashable, Codable, Sendable, Comparable {
    public var provider: String
    public var subjectKey: String
    public init(provider: String, subjectKey: String) {
        self.provider = provider
        self.subjectKey = subjectKey
    }
    public static func < (a: LoginKey, b: LoginKey) -> Bool { (a.provider, a.subjectKey) < (b.provider, b.subjectKey) }
}

/// A login linked to an identity: its key and the subject itself, sealed with the identity's data key
/// (a user-pool `sub`, a developer user identifier).
public struct IdentityLogin: Codable, Equatable, Sendable {
    public var provider: String
    public var subjectKey: String
    public var subject: Sealed<String>
    public init(provider: String, subjectKey: String, subject: Sealed<String>) {
        self.provider = provider
        self.subjectKey = subjectKey
        self.subject = subject
    }
    public var key: LoginKey { LoginKey(provider: provider, subjectKey: subjectKey) }
}

/// GetId, GetOpenIdToken or GetOpenIdTokenForDeveloperIdentity made a new identity, with the logins it
/// was made for (none for a guest).
public struct IdentityCreated: EventPayload, Equatable {
    public static let eventType = "IdentityCreated"
    public var identityId: IdentityID
    public var identityPoolId: IdentityPoolID
    public var logins: [IdentityLogin]
    public init(identityId: IdentityID, identityPoolId: IdentityPoolID, logins: [IdentityLogin]) {
        self.identityId = identityId
        self.identityPoolId = identityPoolId
        self.logins = logins
    }
}

/// Logins presented with an identity (or merged into it) were linked to it.
public struct IdentityLoginsLinked: EventPayload, Equatable {
    public static let eventType = "IdentityLoginsLinked"
    public var identityId: IdentityID
    public var identityPoolId: IdentityPoolID
    public var logins: [IdentityLogin]
    public init(identityId: IdentityID, identityPoolId: IdentityPoolID, logins: [IdentityLogin]) {
        self.identityId = identityId
        self.identityPoolId = identityPoolId
        self.logins = logins
    }
}

/// Logins left an identity: UnlinkIdentity, UnlinkDeveloperIdentity, or MergeDeveloperIdentities moving
/// a developer user to another identity (`mergedInto`).
public struct IdentityLoginsUnlinked: EventPayload, Equatable {
    public static let eventType = "IdentityLoginsUnlinked"
    public var identityId: IdentityID
    public var identityPoolId: IdentityPoolID
    public var logins: [LoginKey]
    public var mergedInto: IdentityID?
    public init(identityId: IdentityID, identityPoolId: IdentityPoolID, logins: [LoginKey], mergedInto: IdentityID? = nil) {
        self.identityId = identityId
        self.identityPoolId = identityPoolId
        self.logins = logins
        self.mergedInto = mergedInto
    }
}

/// DeleteIdentities removed the identity (its data key is destroyed with it).
public struct IdentityDeleted: EventPayload, Equatable {
    public static let eventType = "IdentityDeleted"
    public var identityId: IdentityID
    public var identityPoolId: IdentityPoolID
    public init(identityId: IdentityID, identityPoolId: IdentityPoolID) {
        self.identityId = identityId
        self.identityPoolId = identityPoolId
    }
}

/// A credential exchange: the identity was given an identity-pool OpenID token (GetOpenIdToken,
/// GetOpenIdTokenForDeveloperIdentity). `providers` are the logins that authenticated it, in canonical
/// names, none for a guest; `tokenId` is the token's `jti`, so an auditor can follow a token to its issue.
public struct IdentityTokenIssued: EventPayload, Equatable {
    public static let eventType = "IdentityTokenIssued"
    public var identityId: IdentityID
    public var identityPoolId: IdentityPoolID
    public var operation: String
    public var providers: [String]
    public var tokenId: String
    public var issuedAt: Int
    public var expiresAt: Int
    public init(
        identityId: IdentityID, identityPoolId: IdentityPoolID, operation: String, providers: [String], tokenId: String, issuedAt: Int,
        expiresAt: Int
    ) {
        self.identityId = identityId
        self.identityPoolId = identityPoolId
        self.operation = operation
        self.providers = providers
        self.tokenId = tokenId
        self.issuedAt = issuedAt
        self.expiresAt = expiresAt
    }
}

/// A credential exchange: temporary credentials for a role were issued to the identity
/// (GetCredentialsForIdentity, or STS AssumeRoleWithWebIdentity with its identity-pool token). The secret
/// is never recorded; `accessKeyId` lets an auditor follow the credentials to the requests they signed.
public struct IdentityCredentialsIssued: EventPayload, Equatable {
    public static let eventType = "IdentityCredentialsIssued"
    public var identityId: IdentityID
    public var identityPoolId: IdentityPoolID
    public var operation: String
    public var roleArn: String
    public var sessionName: String
    public var accessKeyId: String
    public var providers: [String]
    public var expiresAt: Int
    public init(
        identityId: IdentityID, identityPoolId: IdentityPoolID, operation: String, roleArn: String, sessionName: String, accessKeyId: String,
        providers: [String], expiresAt: Int
    ) {
        self.identityId = identityId
        self.identityPoolId = identityPoolId
        self.operation = operation
        self.roleArn = roleArn
        self.sessionName = sessionName
        self.accessKeyId = accessKeyId
        self.providers = providers
        self.expiresAt = expiresAt
    }
}

/// A credential exchange refused for a known identity (GetCredentialsForIdentity): a login that did not
/// verify or match, a role the pool cannot give or whose trust policy said no, a role mapping that
/// denies. `reason` is the error type the caller was answered with, `providers` the login providers it
/// presented; tokens are never recorded.
public struct IdentityCredentialsRefused: EventPayload, Equatable {
    public static let eventType = "IdentityCredentialsRefused"
    public var identityId: IdentityID
    public var identityPoolId: IdentityPoolID
    public var operation: String
    public var reason: String
    public var message: String
    public var providers: [String]
    public init(
        identityId: IdentityID, identityPoolId: IdentityPoolID, operation: String, reason: String, message: String, providers: [String]
    ) {
        self.identityId = identityId
        self.identityPoolId = identityPoolId
        self.operation = operation
        self.reason = reason
        self.message = message
        self.providers = providers
    }
}

/// The identity-pool token issuer's RSA key, made the first time a token was needed, sealed under the
/// master key (as user pools' signing keys are).
public struct IdentityTokenSigningKeyCreated: EventPayload, Equatable {
    public static let eventType = "IdentityTokenSigningKeyCreated"
    public var kid: String
    public var sealedPrivateKey: String
    public init(kid: String, sealedPrivateKey: String) {
        self.kid = kid
        self.sealedPrivateKey = sealedPrivateKey
    }
}
