import Foundation
import PosternCore
import PosternCrypto
import PosternHooks
import PosternStore

/// Remembered devices in sign-in (spec/auth-flows.md §6, §8): after the password, a sign-in that names a
/// confirmed device of the user (`DEVICE_KEY`) proves the device with SRP over its random password —
/// DEVICE_SRP_AUTH, then DEVICE_PASSWORD_VERIFIER — and a remembered device then stands in for MFA.
///
/// The DEVICE_SRP_AUTH challenge is kept on the device (`devices.pending_challenge`) as well as in its
/// session, because pycognito and AWS's own examples answer it without the session: the answer must
/// still follow a password proved for this user and device within the session's validity, and it claims
/// the challenge once. The device's verifier is sealed with the user's data key.
extension DeviceService {
    /// The user's device a sign-in names, in a pool that tracks devices; nil for none or another's.
    func namedDevice(_ key: String?, of user: UserRecord, pool: PoolRecord) async throws -> DeviceRecord? {
        guard let key, !key.isEmpty, DeviceTrackingPolicy(settings: pool.settings) != nil,
            let device = try await directory.device(key: key), device.sub == user.sub, device.poolId == pool.id
        else { return nil }
        return device
    }
}

extension SignInService {
    /// Asks the named device to prove itself (DEVICE_SRP_AUTH); `extra` are events of the same request.
    func deviceChallenge(
        _ device: DeviceRecord, pool: PoolRecord, client: ClientRecord, user: UserRecord, flow: String, hooks: [HookInvocation],
        extra: [any EventPayload] = [], call: Call
    ) async throws -> AuthResponse {
        let expiresAt = call.now.addingTimeInterval(client.settings.authSessionValidity)
        let session = ChallengeSession(
            id: UUID().uuidString.lowercased(), poolId: pool.id.rawValue, clientId: client.id.rawValue, sub: user.sub.rawValue,
            challenge: "DEVICE_SRP_AUTH", expiresAt: expiresAt, flow: flow, deviceKey: device.key)
        let issued = ChallengeIssued(
            challengeName: session.challenge, clientId: client.id, sessionId: session.id, hooks: hooks.isEmpty ? nil : hooks,
            deviceKey: device.key, expiresAt: expiresAt)
        try await appendToUser(user, extra + [issued], call: call, actor: user.sub.rawValue, clientId: client.id)
        return AuthResponse(ChallengeName: session.challenge, Session: try sealSession(session), ChallengeParameters: ["USERNAME": user.username])
    }

    /// RespondToAuthChallenge with DEVICE_SRP_AUTH (`USERNAME`, `DEVICE_KEY`, `SRP_A`): the device's
    /// PASSWORD_VERIFIER, its `SECRET_BLOCK` carrying what the proof needs.
    func answerDeviceSRPAuth(
        pool: PoolRecord, client: ClientRecord, session sealed: String?, responses: [String: String], call: Call
    ) async throws -> AuthResponse {
        let given = try responses.required("USERNAME")
        let deviceKey = try responses.required("DEVICE_KEY")
        let srpA = try responses.required("SRP_A")
        try Self.validateClientPublic(srpA)
        let invalid = DomainError.notAuthorized("Invalid session for the user.")
        guard DeviceTrackingPolicy(settings: pool.settings) != nil, let device = try await directory.device(key: deviceKey),
            device.poolId == pool.id
        else { throw DomainError.resourceNotFound("Device does not exist.") }
        // The challenge this answers: the session's, or the one waiting on the device.
        let challengeId: String
        var flow = "DEVICE_SRP_AUTH"
        if let sealed {
            let session = try openChallengeSession(sealed, challenge: "DEVICE_SRP_AUTH", pool: pool, client: client, now: call.now)
            guard session.deviceKey == deviceKey, session.sub == device.sub.rawValue else { throw invalid }
            challengeId = session.id
            flow = session.flow ?? flow
        } else {
            guard let pending = device.pendingChallenge, let expires = device.pendingExpiresAt, expires > call.now else { throw invalid }
            challengeId = pending
        }
        if try await directory.isSessionUsed(challengeId) {
            throw DomainError.notAuthorized("Invalid session for the user, session can only be used once.")
        }
        guard let user = try await directory.user(sub: device.sub.rawValue), user.poolId == pool.id, try await names(given, user: user, pool: pool)
        else { throw invalid }
        try checkSecretHash(responses["SECRET_HASH"], client: client, usernames: [given, user.username])
        guard let sealedVerifier = device.sealedVerifier, let key = try dataKey(of: user) else {
            throw DomainError.notAuthorized("Device is not confirmed.")
        }
        let verifier = try key.open(sealedVerifier, as: PasswordVerifier.self)
        let challenge: SRPServerChallenge
        do {
            challenge = try SRPServerChallenge(verifier: verifier, srpAHex: srpA)
        } catch SRPError.invalidClientPublicValue {
            throw DomainError.invalidParameter("SRP_A is not a valid SRP value.")
        }
        let state = PasswordVerifierChallenge(
            id: UUID().uuidString.lowercased(), poolId: pool.id, clientId: client.id, flow: flow, sub: user.sub, login: given,
            userIdForSRP: device.key, saltHex: verifier.saltHex, sessionKey: challenge.sessionKey,
            expiresAt: call.now.addingTimeInterval(client.settings.authSessionValidity), deviceKey: device.key)
        let secretBlock = Data(try master.sessions.sealedBytes(json: state, purpose: SRPSecretBlock.purpose, paddedTo: SRPSecretBlock.paddedSize))
            .base64EncodedString()
        try await appendToUser(
            user,
            [
                ChallengeAnswered(challengeName: "DEVICE_SRP_AUTH", clientId: client.id, sessionId: challengeId, correct: true),
                ChallengeIssued(challengeName: "DEVICE_PASSWORD_VERIFIER", clientId: client.id, sessionId: state.id),
            ], call: call, actor: user.sub.rawValue, clientId: client.id)
        return AuthResponse(
            ChallengeName: "DEVICE_PASSWORD_VERIFIER",
            ChallengeParameters: [
                "SALT": verifier.saltHex, "SRP_B": challenge.srpBHex, "SECRET_BLOCK": secretBlock, "USERNAME": user.username,
                "DEVICE_KEY": device.key,
            ])
    }

    /// RespondToAuthChallenge with DEVICE_PASSWORD_VERIFIER: the device's proof. Then a remembered device
    /// skips MFA; PostAuthentication and tokens follow (PreTokenGeneration's TokenGeneration_AuthenticateDevice).
    func answerDevicePasswordVerifier(
        pool: PoolRecord, client: ClientRecord, responses: [String: String], clientMetadata: [String: String]?, call: Call
    ) async throws -> AuthResponse {
        let given = try responses.required("USERNAME")
        let deviceKey = try responses.required("DEVICE_KEY")
        let block = try responses.required("PASSWORD_CLAIM_SECRET_BLOCK")
        let signature = try responses.required("PASSWORD_CLAIM_SIGNATURE")
        let timestamp = try responses.required("TIMESTAMP")
        let incorrect = DomainError.notAuthorized("Incorrect username or password.")
        let limits = throttle.failedSignInLimits(pool: pool, login: given, sourceIp: call.sourceIp)
        try await throttle.requireOpen(limits.map(\.key), now: call.now)
        guard let blockBytes = Data(base64Encoded: block).map(Array.init),
            let challenge = try? master.sessions.open(bytes: blockBytes, as: PasswordVerifierChallenge.self, purpose: SRPSecretBlock.purpose),
            challenge.deviceKey == deviceKey, let sub = challenge.sub
        else {
            await throttle.count(limits, now: call.now)
            throw incorrect
        }
        try challenge.admits(poolId: pool.id, clientId: client.id, now: call.now)
        if try await directory.isSessionUsed(challenge.id) {
            throw DomainError.notAuthorized("Invalid session for the user, session can only be used once.")
        }
        guard let user = try await directory.user(sub: sub.rawValue), user.poolId == pool.id, try await names(given, user: user, pool: pool),
            let device = try await namedDevice(deviceKey, of: user, pool: pool), let policy = DeviceTrackingPolicy(settings: pool.settings)
        else { throw DomainError.notAuthorized("Invalid session for the user.") }
        try checkSecretHash(responses["SECRET_HASH"], client: client, usernames: [given, user.username])
        let fresh = SRP.parseTimestamp(timestamp).map { PasswordVerifierChallenge.isFresh($0, now: call.now) } ?? false
        let signed = SRP.isValidPasswordClaim(
            sessionKey: challenge.sessionKeyBytes, poolName: device.groupKey, userID: device.key, secretBlock: blockBytes,
            timestamp: timestamp, signature: signature)
        let current = try device.sealedVerifier.flatMap { sealed in try dataKey(of: user).map { try $0.open(sealed, as: PasswordVerifier.self) } }
        func answered(_ correct: Bool) -> ChallengeAnswered {
            ChallengeAnswered(challengeName: "DEVICE_PASSWORD_VERIFIER", clientId: client.id, sessionId: challenge.id, correct: correct)
        }
        guard fresh, signed, current?.saltHex == challenge.saltHex else {
            let failed = SignInFailed(flow: challenge.flow, clientId: client.id, poolId: pool.id, reason: "device_proof_failed")
            try await appendToUser(user, [answered(false), failed], call: call, actor: user.sub.rawValue, clientId: client.id)
            await throttle.count(limits, now: call.now)
            throw incorrect
        }
        return try await driveSignIn(
            .deviceProved(remembered: policy.skipsSecondFactor(device.tracked)), user: user, pool: pool, client: client, flow: challenge.flow,
            secondFactor: secondFactor(pool: pool, user: user), device: .carried(SignInDevice(key: device.key, authenticated: true)),
            answered: [answered(true)], failureLimits: limits, clientMetadata: clientMetadata, call: call)
    }
}
