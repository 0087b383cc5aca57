import Foundation

/// What the write side must know of a user to decide a sign-in: status, whether the account is
/// enabled, the failure counter and lock, when the password was set and when tokens were last revoked.
///
/// Personal data (username, attributes) and the password verifier are not part of it: they are sealed
/// with the user's data key, and no decision here needs them in the clear. The server loads this from
/// the directory row (with the stream version); `evolve` is the same fold over the user's stream, so a
/// test can derive the state from events alone.
public struct UserAccount: Equatable, Sendable {
    public var sub: Sub
    public var poolId: UserPoolID
    public var status: UserStatus
    public var enabled: Bool
    public var hasPassword: Bool
    public var passwordSetAt: Date?
    public var failedAttempts: Int
    public var lockedUntil: Date?
    public var tokensValidAfter: Date?
    /// The version of the user's stream this state reflects (the expected version of the next append).
    public var version: Int

    public init(
        sub: Sub, poolId: UserPoolID, status: UserStatus, enabled: Bool = true, hasPassword: Bool, passwordSetAt: Date? = nil,
        failedAttempts: Int = 0, lockedUntil: Date? = nil, tokensValidAfter: Date? = nil, version: Int
    ) {
        self.sub = sub
        self.poolId = poolId
        self.status = status
        self.enabled = enabled
        self.hasPassword = hasPassword
        self.passwordSetAt = passwordSetAt
        self.failedAttempts = failedAttempts
        self.lockedUntil = lockedUntil
        self.tokensValidAfter = tokensValidAfter
        self.version = version
    }

    /// Folds one event of the user's stream, recorded at `recordedAt`, into the state. `nil` is the state
    /// before the stream exists and after the user was deleted; events that say nothing about the
    /// account (messages, codes, profile changes, challenges) only move the version on.
    public static func evolve(_ state: UserAccount?, with event: any EventPayload, recordedAt: Date) -> UserAccount? {
        if let registered = event as? UserRegistered {
            return UserAccount(
                sub: registered.sub, poolId: registered.poolId, status: registered.status, hasPassword: registered.sealedVerifier != nil,
                passwordSetAt: registered.sealedVerifier == nil ? nil : recordedAt, version: 1)
        }
        guard var account = state else { return nil }
        account.version += 1
        switch event {
        case is UserConfirmed:
            account.status = .confirmed
        case let changed as PasswordChanged:
            account.status = changed.status
            account.hasPassword = true
            account.passwordSetAt = recordedAt
            account.failedAttempts = 0
            account.lockedUntil = nil
        case is PasswordResetRequired:
            account.status = .resetRequired
        case is SignInSucceeded:
            account.failedAttempts = 0
            account.lockedUntil = nil
        case let failed as SignInFailed:
            if let attempts = failed.failedAttempts {
                account.failedAttempts = attempts
                account.lockedUntil = failed.lockedUntil
            }
        case let signedOut as UserSignedOutGlobally:
            account.tokensValidAfter = signedOut.tokensValidAfter
        case is UserDisabled:
            account.enabled = false
        case is UserEnabled:
            account.enabled = true
        case is UserDeleted:
            return nil
        default:
            break
        }
        return account
    }

    /// The state after a whole stream, oldest event first.
    public static func fold(_ events: [(event: any EventPayload, recordedAt: Date)]) -> UserAccount? {
        events.reduce(nil) { evolve($0, with: $1.event, recordedAt: $1.recordedAt) }
    }
}
