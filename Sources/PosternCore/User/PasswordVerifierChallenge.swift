import Foundation

/// One PASSWORD_VERIFIER challenge of an SRP sign-in (USER_SRP_AUTH, or CUSTOM_AUTH that started with
/// `SRP_A`), as the server keeps it between InitiateAuth and the answer: sealed into the `SECRET_BLOCK` the
/// client echoes, because Cognito returns no `Session` with this challenge and clients (pycognito) answer
/// without one (spec/auth-flows.md §1).
///
/// It holds the session key `K` derived when the challenge was issued, so the answer is one HMAC; the key
/// answers only this challenge, is bound to the pool, the app client, the user, the verifier's salt (a new
/// password invalidates it) and to `B` (K is derived from it), and the block is single-use: answering it
/// claims `id` in the directory.
public struct PasswordVerifierChallenge: Codable, Sendable, Equatable {
    /// The challenge's id, claimed once when it is answered (`ChallengeAnswered.sessionId`).
    public var id: String
    public var poolId: UserPoolID
    public var clientId: ClientID
    /// `USER_SRP_AUTH` or `CUSTOM_AUTH`.
    public var flow: String
    /// The user, or nil when no such user exists (PreventUserExistenceErrors plays the challenge out).
    public var sub: Sub?
    /// The name typed at InitiateAuth (an alias, a username in another case), for throttling and for an
    /// answer's `USERNAME`.
    public var login: String
    /// `USER_ID_FOR_SRP`: the internal username the client hashed the password with.
    public var userIdForSRP: String
    /// The salt of the verifier `K` was derived from; a password changed since leaves it stale.
    public var saltHex: String
    /// `K`, base64.
    public var sessionKey: String
    public var expiresAt: Date
    /// DEVICE_PASSWORD_VERIFIER: the device proving itself (its key is then `userIdForSRP`, its group key
    /// the "pool name" of the maths).
    public var deviceKey: String?

    /// How far a client's `TIMESTAMP` may be from the server's clock.
    public static let timestampTolerance: TimeInterval = 300

    public init(
        id: String, poolId: UserPoolID, clientId: ClientID, flow: String, sub: Sub?, login: String, userIdForSRP: String, saltHex: String,
        sessionKey: [UInt8], expiresAt: Date, deviceKey: String? = nil
    ) {
        self.deviceKey = deviceKey
        self.id = id
        self.poolId = poolId
        self.clientId = clientId
        self.flow = flow
        self.sub = sub
        self.login = login
        self.userIdForSRP = userIdForSRP
        self.saltHex = saltHex
        self.sessionKey = Data(sessionKey).base64EncodedString()
        self.expiresAt = expiresAt
    }

    /// `K` as bytes (empty if the stored value is damaged, which then matches no signature).
    public var sessionKeyBytes: [UInt8] { Data(base64Encoded: sessionKey).map { Array($0) } ?? [] }

    /// Whether an answer arriving at `now` through `clientId` of `poolId` may be checked at all; the error
    /// says why not. Mismatches read as a forged session, as Cognito words it.
    public func admits(poolId: UserPoolID, clientId: ClientID, now: Date) throws(DomainError) {
        guard poolId == self.poolId, clientId == self.clientId else { throw .notAuthorized("Invalid session for the user.") }
        guard expiresAt > now else { throw .notAuthorized("Invalid session for the user, session is expired.") }
    }

    /// Whether a client's `TIMESTAMP` (already read strictly) is close enough to `now` to be signed fresh.
    public static func isFresh(_ timestamp: Date, now: Date) -> Bool {
        abs(timestamp.timeIntervalSince(now)) <= timestampTolerance
    }

    /// `USER_ID_FOR_SRP` for a name no user has: in pools whose usernames are emails or phone numbers the
    /// internal username is a UUID, so the decoy is one too, drawn from `seed` (stable per name); elsewhere
    /// it is the name as typed, as a real user's would be.
    public static func decoyUserID(login: String, usernamesAreAliases: Bool, seed: [UInt8]) -> String {
        guard usernamesAreAliases else { return login }
        var bytes = Array(seed.prefix(16))
        while bytes.count < 16 { bytes.append(0) }
        bytes[6] = (bytes[6] & 0x0F) | 0x40
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        let hex = bytes.map { String(format: "%02x", $0) }.joined()
        let parts = [hex.prefix(8), hex.dropFirst(8).prefix(4), hex.dropFirst(12).prefix(4), hex.dropFirst(16).prefix(4), hex.dropFirst(20)]
        return parts.joined(separator: "-")
    }
}
