import Foundation
import PosternCore
import PosternCrypto
import PosternStore

/// A challenge in progress (NEW_PASSWORD_REQUIRED, CUSTOM_CHALLENGE, the MFA challenges), sealed under the
/// server key into the `Session` string.
struct ChallengeSession: Codable, Sendable {
    var id: String
    var poolId: String
    var clientId: String
    var sub: String
    var challenge: String
    var expiresAt: Date
    /// CUSTOM_AUTH: the rounds so far, what the current challenge keeps from the client, and the name
    /// typed in when no such user exists (PreventUserExistenceErrors plays the flow out).
    var rounds: [ChallengeRound]?
    var privateParameters: [String: String]?
    var challengeMetadata: String?
    var unknownUsername: String?
    /// The second-factor challenges: the sign-in's flow (for its `SignInSucceeded` and token source), the
    /// factors a SELECT_MFA_TYPE offered, and how far MFA_SETUP got (`associated`, `verified`).
    var flow: String?
    var factors: [String]?
    var stage: String?
    /// The sign-in's tracked device (DEVICE_SRP_AUTH: the one asked to prove itself; MFA challenges: the one
    /// the tokens will name), and whether it proved itself already.
    var deviceKey: String?
    var deviceAuthenticated: Bool?

    /// The device the tokens of this sign-in will name.
    var device: SignInDevice? { deviceKey.map { SignInDevice(key: $0, authenticated: deviceAuthenticated == true) } }

    /// The associated data of challenge sessions: a sealed session opens as nothing else.
    static let purpose = "postern challenge session v1"
}

/// One answered round of CUSTOM_AUTH, as DefineAuthChallenge sees it in `request.session`.
struct ChallengeRound: Codable, Sendable {
    var challengeName: String
    var challengeResult: Bool
    var challengeMetadata: String?

    var json: JSONValue {
        .object([
            "challengeName": .string(challengeName), "challengeResult": .bool(challengeResult),
            "challengeMetadata": challengeMetadata.map(JSONValue.string) ?? .null,
        ])
    }
}

/// Sealing and opening challenge sessions (the `Session` string of a challenge answer), and telling
/// whether an answer names the user the session is for.
extension ChallengeSessionService {
    func sealSession(_ session: ChallengeSession) throws -> String { try master.sessions.seal(json: session, purpose: ChallengeSession.purpose) }

    /// Opens the session of a challenge answer: it must be this challenge's, for this client and pool.
    func openChallengeSession(_ sealed: String?, challenge: String, pool: PoolRecord, client: ClientRecord, now: Date) throws -> ChallengeSession {
        guard let sealed else { throw DomainError.invalidParameter("Missing required parameter Session") }
        let session = try openSession(sealed, now: now)
        guard session.challenge == challenge, session.clientId == client.id.rawValue, session.poolId == pool.id.rawValue else {
            throw DomainError.notAuthorized("Invalid session for the user.")
        }
        return session
    }

    /// Opens a challenge session; expired or forged sessions are Cognito's NotAuthorized.
    func openSession(_ sealed: String, now: Date) throws -> ChallengeSession {
        guard let session = try? master.sessions.open(sealed, as: ChallengeSession.self, purpose: ChallengeSession.purpose) else {
            throw DomainError.notAuthorized("Invalid session for the user.")
        }
        guard session.expiresAt > now else { throw DomainError.notAuthorized("Invalid session for the user, session is expired.") }
        return session
    }

    /// Whether the USERNAME of a challenge answer names `user` (its username, or an alias that leads to it).
    func names(_ given: String, user: UserRecord, pool: PoolRecord) async throws -> Bool {
        if pool.settings.usernameKey(given) == pool.settings.usernameKey(user.username) { return true }
        return try await directory.user(pool: pool, login: given)?.sub == user.sub
    }
}
