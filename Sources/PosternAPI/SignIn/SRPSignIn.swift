import Foundation
import PosternCore
import PosternCrypto
import PosternHooks
import PosternStore

/// The SECRET_BLOCK of PASSWORD_VERIFIER and DEVICE_PASSWORD_VERIFIER: a `PasswordVerifierChallenge` sealed
/// under the session key with this associated data, so it opens as nothing else.
enum SRPSecretBlock {
    static let purpose = "postern srp secret block v1"
    /// Every block's plaintext is padded to this size (the largest challenge — 128-character names of
    /// 4-byte characters — fits), so a decoy's block, which names no user, is as long as a real one's.
    static let paddedSize = 2048
}

/// SRP sign-in (spec/auth-flows.md §8): USER_SRP_AUTH issues a PASSWORD_VERIFIER challenge, whose answer
/// proves the password without sending it; CUSTOM_AUTH may start the same way (`CHALLENGE_NAME=SRP_A`).
///
/// PreAuthentication runs when the challenge is issued; the lock, the proof, the account's state and
/// PostAuthentication when it is answered, through ``PasswordSignInStateMachine``. Everything the answer
/// needs travels sealed in `SECRET_BLOCK` (``PasswordVerifierChallenge``), which is single-use. A user who
/// does not exist, under PreventUserExistenceErrors, gets a challenge made from a decoy verifier with the
/// same cost, and then "Incorrect username or password.".
extension SignInService {
    /// The associated data of sealed `SECRET_BLOCK`s: they open as nothing else.

    /// USER_SRP_AUTH through InitiateAuth or AdminInitiateAuth.
    func srpSignIn(
        pool: PoolRecord, client: ClientRecord, parameters: [String: String], flow: AuthFlow, clientMetadata: [String: String]?, call: Call
    ) async throws -> AuthResponse {
        guard let login = parameters["USERNAME"] else { throw DomainError.invalidParameter("Missing required parameter USERNAME") }
        guard let srpA = parameters["SRP_A"] else { throw DomainError.invalidParameter("Missing required parameter SRP_A") }
        try Validate.username(login)
        try Self.validateClientPublic(srpA)
        let limits = throttle.failedSignInLimits(pool: pool, login: login, sourceIp: call.sourceIp)
        try await throttle.requireOpen(limits.map(\.key), now: call.now)
        // SRP cannot carry the password, so a user the pool does not know is never migrated here
        // (UserMigration needs USER_PASSWORD_AUTH).
        guard let user = try await directory.user(pool: pool, login: login) else {
            try checkSecretHash(parameters["SECRET_HASH"], client: client, usernames: [login])
            let hooks = try await unknownUserPreAuthentication(
                pool: pool, client: client, flow: flow, login: login, clientMetadata: clientMetadata, failureLimits: limits, call: call)
            return try await passwordVerifierChallenge(
                pool: pool, client: client, user: nil, login: login, srpA: srpA, flow: flow, hooks: hooks, call: call)
        }
        try checkSecretHash(parameters["SECRET_HASH"], client: client, usernames: [login, user.username])
        // PreAuthentication sees InitiateAuth's ClientMetadata as validationData; a refusal appends nothing.
        let hooks = [try await triggers.preAuthentication(pool: pool, user: user, clientId: client.id, validationData: clientMetadata)]
            .compactMap { $0 }
        return try await passwordVerifierChallenge(
            pool: pool, client: client, user: user, login: login, srpA: srpA, flow: flow, hooks: hooks, call: call)
    }

    /// `SRP_A` as the maths can use it, or InvalidParameterException.
    static func validateClientPublic(_ srpA: String) throws {
        do {
            try SRPServerChallenge.validate(srpAHex: srpA)
        } catch {
            throw DomainError.invalidParameter("SRP_A is not a valid SRP value.")
        }
    }

    /// Issues PASSWORD_VERIFIER: picks `b`, derives the session key against the user's verifier (or a decoy
    /// for a user who does not exist or has no password), seals what the answer needs into `SECRET_BLOCK`,
    /// and records the challenge with the hooks that ran before it.
    func passwordVerifierChallenge(
        pool: PoolRecord, client: ClientRecord, user: UserRecord?, login: String, srpA: String, flow: AuthFlow, hooks: [HookInvocation],
        before: [any EventPayload] = [], call: Call
    ) async throws -> AuthResponse {
        var verifier = PasswordVerifier.decoy(seed: decoySeed(login: login, pool: pool, purpose: "srp decoy verifier"))
        if let user, let real = try await self.verifier(of: user) { verifier = real }
        let challenge: SRPServerChallenge
        do {
            challenge = try SRPServerChallenge(verifier: verifier, srpAHex: srpA)
        } catch SRPError.invalidClientPublicValue {
            throw DomainError.invalidParameter("SRP_A is not a valid SRP value.")
        }
        let userId =
            user?.username
            ?? PasswordVerifierChallenge.decoyUserID(
                login: login, usernamesAreAliases: !pool.settings.usernameAttributes.isEmpty,
                seed: decoySeed(login: login, pool: pool, purpose: "srp decoy user id"))
        let state = PasswordVerifierChallenge(
            id: UUID().uuidString.lowercased(), poolId: pool.id, clientId: client.id, flow: flow.rawValue, sub: user?.sub, login: login,
            userIdForSRP: userId, saltHex: verifier.saltHex, sessionKey: challenge.sessionKey,
            expiresAt: call.now.addingTimeInterval(client.settings.authSessionValidity))
        let secretBlock = Data(try master.sessions.sealedBytes(json: state, purpose: SRPSecretBlock.purpose, paddedTo: SRPSecretBlock.paddedSize))
            .base64EncodedString()
        let issued = ChallengeIssued(
            challengeName: "PASSWORD_VERIFIER", clientId: client.id, sessionId: state.id, hooks: hooks.isEmpty ? nil : hooks)
        try await appendToUserOrAttempt(user, before + [issued], client: client, call: call)
        // Cognito sends no Session with this challenge: the answer carries SECRET_BLOCK instead.
        return AuthResponse(
            ChallengeName: "PASSWORD_VERIFIER",
            ChallengeParameters: [
                "SALT": verifier.saltHex, "SRP_B": challenge.srpBHex, "SECRET_BLOCK": secretBlock, "USERNAME": userId,
                "USER_ID_FOR_SRP": userId,
            ])
    }

    /// RespondToAuthChallenge / AdminRespondToAuthChallenge with PASSWORD_VERIFIER.
    func answerPasswordVerifier(pool: PoolRecord, client: ClientRecord, responses: [String: String], clientMetadata: [String: String]?, call: Call)
        async throws -> AuthResponse
    {
        let given = try responses.required("USERNAME")
        let block = try responses.required("PASSWORD_CLAIM_SECRET_BLOCK")
        let signature = try responses.required("PASSWORD_CLAIM_SIGNATURE")
        let timestamp = try responses.required("TIMESTAMP")
        let incorrect = DomainError.notAuthorized("Incorrect username or password.")
        guard let blockBytes = Data(base64Encoded: block).map(Array.init),
            let challenge = try? master.sessions.open(bytes: blockBytes, as: PasswordVerifierChallenge.self, purpose: SRPSecretBlock.purpose)
        else {
            // A forged or damaged block names nobody for certain: count it against the name and the address.
            await throttle.count(throttle.failedSignInLimits(pool: pool, login: given, sourceIp: call.sourceIp), now: call.now)
            throw incorrect
        }
        try challenge.admits(poolId: pool.id, clientId: client.id, now: call.now)
        let limits = throttle.failedSignInLimits(pool: pool, login: challenge.login, sourceIp: call.sourceIp)
        try await throttle.requireOpen(limits.map(\.key), now: call.now)
        if try await directory.isSessionUsed(challenge.id) {
            throw DomainError.notAuthorized("Invalid session for the user, session can only be used once.")
        }
        var user: UserRecord?
        if let sub = challenge.sub, let found = try await directory.user(sub: sub.rawValue), found.poolId == pool.id { user = found }
        let namesSubject =
            [challenge.userIdForSRP, challenge.login].contains { pool.settings.usernameKey($0) == pool.settings.usernameKey(given) }
        if !namesSubject {
            guard let user, try await names(given, user: user, pool: pool) else { throw DomainError.notAuthorized("Invalid session for the user.") }
        }
        try checkSecretHash(responses["SECRET_HASH"], client: client, usernames: [given, challenge.userIdForSRP, challenge.login])
        // Cognito reads TIMESTAMP strictly (no zero-padded day, the right weekday); a stale or malformed one
        // is a claim that does not verify.
        let fresh = SRP.parseTimestamp(timestamp).map { PasswordVerifierChallenge.isFresh($0, now: call.now) } ?? false
        let signed = SRP.isValidPasswordClaim(
            sessionKey: challenge.sessionKeyBytes, poolName: pool.id.poolName, userID: challenge.userIdForSRP, secretBlock: blockBytes,
            timestamp: timestamp, signature: signature)
        let flow = AuthFlow(wire: challenge.flow) ?? .userSRP
        guard let user else {
            let answered = ChallengeAnswered(challengeName: "PASSWORD_VERIFIER", clientId: client.id, sessionId: challenge.id, correct: false)
            try await recordAnonymousFailure(pool: pool, client: client, flow: flow, reason: "user_not_found", before: [answered], call: call)
            await throttle.count(limits, now: call.now)
            throw incorrect
        }
        // A password set since the challenge was issued makes its key stale.
        let current = try await verifier(of: user)
        let matches = fresh && signed && current?.saltHex == challenge.saltHex
        // pycognito and Amplify send the device with the answer (and with InitiateAuth).
        let device = flow == .custom ? nil : try await namedDevice(responses["DEVICE_KEY"], of: user, pool: pool)
        // Whatever follows the proof comes after this record of it.
        let answered = ChallengeAnswered(challengeName: "PASSWORD_VERIFIER", clientId: client.id, sessionId: challenge.id, correct: matches)
        var customAuth: (() async throws -> AuthResponse)?
        if flow == .custom {
            customAuth = {
                try await self.continueCustomAuth(
                    pool: pool, client: client, user: user, login: challenge.login, afterPasswordVerifier: answered, clientMetadata: clientMetadata,
                    call: call)
            }
        }
        return try await driveSignIn(
            .proof(correct: matches), user: user, pool: pool, client: client, flow: flow.rawValue,
            // CUSTOM_AUTH's hooks decide every further step themselves.
            secondFactor: flow == .custom ? .none : secondFactor(pool: pool, user: user), device: device.map { .named($0) }, answered: [answered],
            failureLimits: limits, afterPassword: customAuth, clientMetadata: clientMetadata, call: call)
    }

    /// Bytes derived from the name typed and the pool under a server key: the same for every attempt on
    /// that name, unpredictable without the key.
    func decoySeed(login: String, pool: PoolRecord, purpose: String) -> [UInt8] {
        let hex = Array(master.codeHasher.hash(pool.settings.usernameKey(login), context: "\(purpose)|\(pool.id.rawValue)").utf8)
        return stride(from: 0, to: hex.count - 1, by: 2).compactMap { UInt8(String(decoding: hex[$0...$0 + 1], as: UTF8.self), radix: 16) }
    }

    /// Appends to the user's stream, or to a fresh attempt stream when there is no such user.
    func appendToUserOrAttempt(_ user: UserRecord?, _ events: [any EventPayload], client: ClientRecord, call: Call) async throws {
        if let user {
            try await appendToUser(user, events, call: call, actor: user.sub.rawValue, clientId: client.id)
            return
        }
        let stream = Stream.attempt(UUID())
        try await commit(
            .init(stream: stream, expected: .noStream, events: events.map { NewEvent(streamID: stream, $0) }),
            metadata: call.metadata(clientId: client.id))
    }
}
