import Foundation

/// A refresh token as the directory keeps it, found by the keyed hash of the token (the token itself is
/// never stored): whose it is, which sign-in it continues, and whether it still works.
public struct StoredRefreshToken: Equatable, Sendable {
    public var sub: Sub
    public var clientId: ClientID
    /// The `jti` of the sign-in's first access token: every token refreshed from it carries it as `origin_jti`.
    public var originJti: String
    public var authTime: Date
    public var expiresAt: Date
    public var revokedAt: Date?

    public init(sub: Sub, clientId: ClientID, originJti: String, authTime: Date, expiresAt: Date, revokedAt: Date? = nil) {
        self.sub = sub
        self.clientId = clientId
        self.originJti = originJti
        self.authTime = authTime
        self.expiresAt = expiresAt
        self.revokedAt = revokedAt
    }
}

/// The rules of REFRESH_TOKEN_AUTH and RevokeToken (spec/tokens.md): a refresh token works only for the
/// client it was issued to, for a user still in the pool, until it expires or is revoked, and never for a
/// disabled user. Cognito's messages are kept: every token that does not identify a user is the same
/// "Invalid Refresh Token", so the answer tells nothing about tokens of other clients.
public enum RefreshTokenGrant {
    public static let invalid = DomainError.notAuthorized("Invalid Refresh Token")

    /// The token as presented by `client`: it must exist and be this client's.
    public static func identify(_ token: StoredRefreshToken?, client: ClientID) throws(DomainError) -> StoredRefreshToken {
        guard let token, token.clientId == client else { throw invalid }
        return token
    }

    /// The events of a refresh of `token` for `account` (nil when the user is gone), in `pool`: the refresh
    /// is recorded with the PreTokenGeneration run that shaped the new tokens.
    public static func decideRefresh(
        _ token: StoredRefreshToken, account: UserAccount?, pool: UserPoolID, now: Date, hooks: [HookInvocation]? = nil
    ) throws(DomainError) -> [any EventPayload] {
        try requireUsable(token, account: account, pool: pool, now: now)
        return [TokensRefreshed(clientId: token.clientId, originJti: token.originJti, hooks: hooks)]
    }

    /// Whether `token` may mint tokens now (checked before PreTokenGeneration runs, and again by `decideRefresh`).
    public static func requireUsable(_ token: StoredRefreshToken, account: UserAccount?, pool: UserPoolID, now: Date) throws(DomainError) {
        guard let account, account.sub == token.sub, account.poolId == pool else { throw invalid }
        if token.revokedAt != nil { throw .notAuthorized("Refresh Token has been revoked") }
        if token.expiresAt <= now { throw .notAuthorized("Refresh Token has expired") }
        if !account.enabled { throw .notAuthorized("User is disabled.") }
    }

    /// RevokeToken by `client`: unknown and already revoked tokens succeed with nothing to record (as
    /// /oauth2/revoke does); another client's token is refused.
    public static func decideRevoke(_ token: StoredRefreshToken?, client: ClientID) throws(DomainError) -> [any EventPayload] {
        guard let token, token.revokedAt == nil else { return [] }
        guard token.clientId == client else { throw .unauthorized("The token was not issued to this client.") }
        return [RefreshTokenRevoked(originJti: token.originJti)]
    }
}
