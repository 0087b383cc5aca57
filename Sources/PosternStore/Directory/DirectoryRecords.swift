import Foundation
import PosternCore

/// A user pool as the directory projection holds it.
public struct PoolRecord: Sendable {
    public var id: UserPoolID
    public var name: String
    public var settings: UserPoolSettings
    public var signingKeys: [SealedSigningKey]
    public var createdAt: Date
    public var updatedAt: Date
}

/// An app client as the directory projection holds it.
public struct ClientRecord: Sendable {
    public var id: ClientID
    public var poolId: UserPoolID
    public var settings: ClientSettings
    public var sealedSecret: String?
    public var createdAt: Date
    public var updatedAt: Date
}

/// A user as the directory projection holds it; `version` is the user stream's version.
public struct UserRecord: Sendable {
    public var sub: Sub
    public var poolId: UserPoolID
    public var username: String
    public var attributes: [String: String]
    public var status: UserStatus
    public var enabled: Bool
    public var sealedVerifier: String?
    public var passwordSetAt: Date?
    public var failedAttempts: Int
    public var lockedUntil: Date?
    public var tokensValidAfter: Date?
    public var createdAt: Date
    public var updatedAt: Date
    public var version: Int
    /// The key the user is unique and listed by (`username_key`).
    public var usernameKey: String
    /// The user's data key, wrapped under the master key; nil once it was destroyed (crypto-shredding).
    public var wrappedDataKey: [UInt8]?
    /// Second factors, with the TOTP secrets still sealed under the data key.
    public var mfa: MFAColumn = MFAColumn()
}

extension UserRecord {
    /// The write model's view of this row: what sign-in decisions read.
    public var account: UserAccount {
        UserAccount(
            sub: sub, poolId: poolId, status: status, enabled: enabled, hasPassword: sealedVerifier != nil, passwordSetAt: passwordSetAt,
            failedAttempts: failedAttempts, lockedUntil: lockedUntil, tokensValidAfter: tokensValidAfter, version: version)
    }

    /// The contact attributes (`email`, `phone_number`) the user has a value for.
    public var contactsOnFile: Set<String> { Set(UserAccount.contactAttributes.filter { !(attributes[$0] ?? "").isEmpty }) }
}

extension UserRecord {
    /// The key that seals personal data appended to this user's stream, as loaded with the row (nil once
    /// destroyed: the store then refuses personal data for the user).
    public var sealingKey: AppendBatch.SealingKey? { wrappedDataKey.map { .wrapped($0) } }
}
