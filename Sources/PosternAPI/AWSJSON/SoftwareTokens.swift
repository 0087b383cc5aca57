import Foundation
import PosternCore
import PosternCrypto
import PosternStore

/// AssociateSoftwareToken: a new TOTP secret for the signed-in user (AccessToken) or for a user setting
/// up MFA while signing in (the MFA_SETUP Session), to be proved with VerifySoftwareToken.
enum AssociateSoftwareToken: AWSOperation {
    static let name = "AssociateSoftwareToken"

    struct Request: Decodable, Sendable {
        var AccessToken: String?
        var Session: String?
    }

    struct Response: Encodable, Sendable {
        var SecretCode: String
        var Session: String?
    }

    typealias Services = any ChallengeSessionService & TokenService
    static func services(_ postern: Postern) -> Services { postern }

    static func handle(_ request: Request, call: Call, services: Services) async throws -> Response {
        let caller = try await services.softwareTokenCaller(accessToken: request.AccessToken, session: request.Session, call: call)
        let secret = Base32.encode(TOTP.newSecret())
        let associated: SoftwareTokenAssociated
        do {
            associated = try SoftwareTokenSetup.associate(
                secret: secret, poolFactors: PoolMFAConfiguration(settings: caller.pool.settings).factors,
                sessionId: caller.session?.id)
        } catch {
            throw AWSError.softwareTokenMFANotFound()
        }
        try await services.appendToUser(caller.user, [associated], call: call, actor: caller.user.sub.rawValue, clientId: caller.client?.id)
        var next = caller.session
        next?.stage = "associated"
        return Response(SecretCode: secret, Session: try next.map { try services.sealSession($0) })
    }
}

/// VerifySoftwareToken: a code from the authenticator proves the associated secret, which becomes the
/// user's TOTP factor. Through an MFA_SETUP session it also turns TOTP MFA on for the sign-in to finish.
enum VerifySoftwareToken: AWSOperation {
    static let name = "VerifySoftwareToken"

    struct Request: Decodable, Sendable {
        var AccessToken: String?
        var Session: String?
        var UserCode: String
        var FriendlyDeviceName: String?
    }

    struct Response: Encodable, Sendable {
        var Status: String
        var Session: String?
    }

    typealias Services = any ChallengeSessionService & ThrottleService & TokenService
    static func services(_ postern: Postern) -> Services { postern }

    static func handle(_ request: Request, call: Call, services: Services) async throws -> Response {
        guard request.UserCode.count == 6, request.UserCode.allSatisfy(\.isASCIIDigitCharacter) else {
            throw DomainError.validation("userCode", "Member must satisfy regular expression pattern: [0-9]+")
        }
        let caller = try await services.softwareTokenCaller(accessToken: request.AccessToken, session: request.Session, call: call)
        let user = caller.user
        let secret = try user.mfa.pendingSoftwareToken.flatMap { try services.softwareTokenSecret($0, of: user) }
        let limits = services.throttle.wrongCodeLimits(sourceIp: call.sourceIp)
        try await services.throttle.requireOpen(limits.map(\.key), now: call.now)
        let verification: SoftwareTokenSetup.Verification
        do {
            verification = try SoftwareTokenSetup.verify(
                pendingSecret: secret.map(Base32.encode),
                matchedStep: secret.flatMap { TOTP.matchingStep(request.UserCode, secret: $0, now: call.now) },
                friendlyDeviceName: request.FriendlyDeviceName, sessionId: caller.session?.id)
        } catch {
            throw DomainError.invalidParameter("No software token is associated with the user: call AssociateSoftwareToken first.")
        }
        switch verification {
        case .rejected(let rejected):
            try await services.appendToUser(user, [rejected], call: call, actor: user.sub.rawValue, clientId: caller.client?.id)
            await services.throttle.count(limits, now: call.now)
            throw AWSError.enableSoftwareTokenMFA()
        case .verified(let verified):
            try await services.appendToUser(user, [verified], call: call, actor: user.sub.rawValue, clientId: caller.client?.id)
        }
        var next = caller.session
        next?.stage = "verified"
        return Response(Status: "SUCCESS", Session: try next.map { try services.sealSession($0) })
    }
}

extension Character {
    fileprivate var isASCIIDigitCharacter: Bool { isASCII && isNumber }
}

extension TokenService where Self: ChallengeSessionService {
    /// The user of AssociateSoftwareToken / VerifySoftwareToken: the access token's, or the one signing in
    /// through an unused MFA_SETUP session (which then names the app client).
    func softwareTokenCaller(accessToken: String?, session sealed: String?, call: Call) async throws
        -> (pool: PoolRecord, client: ClientRecord?, user: UserRecord, session: ChallengeSession?)
    {
        if let accessToken {
            let identity = try await authenticate(accessToken: accessToken, now: call.now)
            return (identity.pool, identity.client, identity.user, nil)
        }
        guard let sealed else { throw DomainError.invalidParameter("Missing required parameter AccessToken or Session") }
        let session = try openSession(sealed, now: call.now)
        guard session.challenge == "MFA_SETUP" else { throw DomainError.notAuthorized("Invalid session for the user.") }
        if try await directory.isSessionUsed(session.id) {
            throw DomainError.notAuthorized("Invalid session for the user, session can only be used once.")
        }
        guard let client = try await directory.clientIfExists(session.clientId), let pool = try await directory.poolIfExists(session.poolId),
            let user = try await directory.user(sub: session.sub), user.poolId == pool.id
        else { throw DomainError.notAuthorized("Invalid session for the user.") }
        return (pool, client, user, session)
    }
}
