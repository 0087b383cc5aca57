import Foundation
import PosternCore
import PosternCrypto
import PosternHooks
import PosternStore

/// SMS and email codes of a sign-in (second factors and passwordless first factors).
enum SignInCodes {
    /// How long an SMS or email MFA code is good for (Cognito: three minutes).
    static let validity: TimeInterval = 180
}

/// The second factor of a sign-in (spec/auth-flows.md §6–7): after the password (USER_PASSWORD_AUTH,
/// ADMIN_USER_PASSWORD_AUTH, SRP, NEW_PASSWORD_REQUIRED) the pool's MfaConfiguration and the user's
/// factors decide between tokens, SOFTWARE_TOKEN_MFA, SELECT_MFA_TYPE and MFA_SETUP (`UserMFA.nextStep`).
///
/// Each challenge is a sealed, single-use session naming the user and the flow. A right answer resumes
/// ``PasswordSignInStateMachine`` after the second factor (PostAuthentication, then tokens). A wrong TOTP
/// code is recorded, counts toward the per-address wrong-code limit, and uses the session up; a wrong SMS
/// or email code is recorded and counted against that code (five guesses), as every one-time code is.
extension SignInService {
    /// What the pool and the user's factors call for after the password.
    func secondFactor(pool: PoolRecord, user: UserRecord) -> MFAStep {
        user.mfa.settings.nextStep(
            pool: PoolMFAConfiguration(settings: pool.settings), hasPhoneNumber: !(user.attributes["phone_number"] ?? "").isEmpty)
    }

    /// Answers a sign-in that proved the password with the MFA step it needs; `extra` are events of the
    /// same request that precede the challenge (the answer it claims), `hooks` the triggers that ran.
    func secondFactorChallenge(
        _ step: MFAStep, pool: PoolRecord, client: ClientRecord, user: UserRecord, flow: String, hooks: [HookInvocation],
        extra: [any EventPayload] = [], clientMetadata: [String: String]? = nil, device: SignInDevice? = nil, call: Call
    ) async throws -> AuthResponse {
        var session = ChallengeSession(
            id: UUID().uuidString.lowercased(), poolId: pool.id.rawValue, clientId: client.id.rawValue, sub: user.sub.rawValue,
            challenge: "", expiresAt: call.now.addingTimeInterval(client.settings.authSessionValidity), flow: flow, deviceKey: device?.key,
            deviceAuthenticated: device?.authenticated)
        var parameters: [String: String] = ["USER_ID_FOR_SRP": user.username]
        var codeEvents: [NewEvent] = []
        switch step {
        case .none:
            preconditionFailure("no second factor to challenge")
        case .challenge(.softwareToken):
            session.challenge = "SOFTWARE_TOKEN_MFA"
        case .challenge(let factor):
            // SMS_MFA, EMAIL_OTP: a one-time code through the outbox (CustomMessage_Authentication and the
            // custom senders apply), valid three minutes, limited in sends and guesses like every code.
            let attribute = factor == .sms ? "phone_number" : "email"
            let purpose = Self.codePurpose(factor)
            try await requireCodeIssueAllowed(user: user, purpose: purpose, now: call.now)
            let (events, delivery) = try await self.codeEvents(
                for: (user.sub, user.username, user.attributes), pool: pool, purpose: purpose, kind: "Authentication", template: "Authentication",
                now: call.now, preferred: [attribute], validity: SignInCodes.validity,
                context: MessageContext(clientId: client.id, clientMetadata: clientMetadata, userStatus: user.status))
            guard let delivery else {
                throw DomainError.invalidParameter("User does not have delivery config set to turn on \(factor.rawValue)")
            }
            session.challenge = factor.rawValue
            codeEvents = events
            parameters["CODE_DELIVERY_DELIVERY_MEDIUM"] = delivery.DeliveryMedium
            parameters["CODE_DELIVERY_DESTINATION"] = delivery.Destination
        case .selectType(let factors):
            session.challenge = "SELECT_MFA_TYPE"
            session.factors = factors.map(\.rawValue)
            parameters["MFAS_CAN_CHOOSE"] = String(decoding: try JSONEncoder().encode(factors.map(\.rawValue)), as: UTF8.self)
        case .setUp(let factors):
            session.challenge = "MFA_SETUP"
            parameters["MFAS_CAN_SETUP"] = String(decoding: try JSONEncoder().encode(factors.map(\.rawValue)), as: UTF8.self)
        }
        let issued = ChallengeIssued(challengeName: session.challenge, clientId: client.id, sessionId: session.id, hooks: hooks.isEmpty ? nil : hooks)
        let stream = Stream.user(user.sub)
        let events = extra.map { NewEvent(streamID: stream, $0) } + codeEvents + [NewEvent(streamID: stream, issued)]
        try await commit(
            .init(stream: stream, expected: .exact(user.version), events: events, sealingKey: user.sealingKey),
            metadata: call.metadata(actor: user.sub.rawValue, clientId: client.id))
        return AuthResponse(ChallengeName: session.challenge, Session: try sealSession(session), ChallengeParameters: parameters)
    }

    /// The purpose an MFA code is kept under in `confirmation_codes`.
    static func codePurpose(_ factor: MFAFactor) -> String { "MFA:\(factor.rawValue)" }

    /// RespondToAuthChallenge with SMS_MFA or EMAIL_OTP: the code sent when the challenge was issued. A
    /// wrong code is recorded and counted (five per code and hour); the session stays usable until then.
    func answerCodeMFA(
        _ factor: MFAFactor, pool: PoolRecord, client: ClientRecord, session sealed: String?, responses: [String: String],
        clientMetadata: [String: String]?, call: Call
    ) async throws -> AuthResponse {
        if let decoy = try? openChallengeSession(sealed, challenge: factor.rawValue, pool: pool, client: client, now: call.now),
            decoy.unknownUsername != nil
        {
            try await refuseDecoyOneTimeCode(decoy, pool: pool, client: client, responses: responses, call: call)
        }
        let (session, user) = try await secondFactorAnswerer(
            challenge: factor.rawValue, pool: pool, client: client, session: sealed, responses: responses, call: call)
        let member = factor == .sms ? "SMS_MFA_CODE" : "EMAIL_OTP_CODE"
        guard let code = responses[member] else { throw DomainError.invalidParameter("Missing required parameter \(member)") }
        // EMAIL_OTP is also a first factor of USER_AUTH: then the code is the sign-in.
        if session.stage == "firstFactor" {
            return try await completeOneTimeCodeSignIn(
                session: session, user: user, code: code, pool: pool, client: client, clientMetadata: clientMetadata, call: call)
        }
        do {
            try await checkCode(code, user: user, purpose: Self.codePurpose(factor), clientId: client.id, call: call)
        } catch DomainError.codeMismatch {
            throw AWSError.mfaCodeMismatch()
        }
        let answered = ChallengeAnswered(
            challengeName: session.challenge, clientId: client.id, sessionId: session.id, correct: true, consumedCode: Self.codePurpose(factor))
        // A code that reached the phone or the mailbox proves it, as Cognito records for SMS.
        let attribute = factor == .sms ? "phone_number" : "email"
        var verifying = user
        var proved: [any EventPayload] = []
        // (Not for a sign-in alias: verifying one moves it between users, which VerifyUserAttribute owns.)
        let isSignInName = pool.settings.aliasAttributes.contains(attribute) || pool.settings.usernameAttributes.contains(attribute)
        if user.attributes["\(attribute)_verified"] != "true", !isSignInName {
            proved.append(AttributeVerified(attribute: attribute))
            verifying.attributes["\(attribute)_verified"] = "true"
        }
        return try await completeAfterSecondFactor(
            pool: pool, client: client, user: verifying, flow: session.flow, answered: answered, also: proved, clientMetadata: clientMetadata,
            device: session.device, call: call)
    }

    /// The user a second-factor answer is about, checked as every challenge answer is: an unused session of
    /// this challenge, pool and client, whose user still exists and is the one named. (Passwordless first
    /// factors and ConfirmSignUp's session are answered the same way.)
    func secondFactorAnswerer(
        challenge: String, pool: PoolRecord, client: ClientRecord, session sealed: String?, responses: [String: String], call: Call
    ) async throws -> (ChallengeSession, UserRecord) {
        let session = try openChallengeSession(sealed, challenge: challenge, pool: pool, client: client, now: call.now)
        guard let given = responses["USERNAME"] else { throw DomainError.invalidParameter("Missing required parameter USERNAME") }
        if try await directory.isSessionUsed(session.id) {
            throw DomainError.notAuthorized("Invalid session for the user, session can only be used once.")
        }
        guard let user = try await directory.user(sub: session.sub), user.poolId == pool.id, try await names(given, user: user, pool: pool) else {
            throw DomainError.notAuthorized("Invalid session for the user.")
        }
        try checkSecretHash(responses["SECRET_HASH"], client: client, usernames: [given, user.username])
        return (session, user)
    }

    /// RespondToAuthChallenge with SOFTWARE_TOKEN_MFA: a code from the user's authenticator, once.
    func answerSoftwareTokenMFA(
        pool: PoolRecord, client: ClientRecord, session sealed: String?, responses: [String: String], clientMetadata: [String: String]?,
        call: Call
    ) async throws -> AuthResponse {
        let (session, user) = try await secondFactorAnswerer(
            challenge: "SOFTWARE_TOKEN_MFA", pool: pool, client: client, session: sealed, responses: responses, call: call)
        guard let code = responses["SOFTWARE_TOKEN_MFA_CODE"] else {
            throw DomainError.invalidParameter("Missing required parameter SOFTWARE_TOKEN_MFA_CODE")
        }
        let limits = throttle.wrongCodeLimits(sourceIp: call.sourceIp)
        try await throttle.requireOpen(limits.map(\.key), now: call.now)
        guard let sealedSecret = user.mfa.softwareToken, let secret = try softwareTokenSecret(sealedSecret, of: user) else {
            throw DomainError.notAuthorized("Invalid session for the user.")
        }
        let step = TOTP.matchingStep(code, secret: secret, now: call.now)
        guard let step, step > (user.mfa.lastSoftwareTokenStep ?? .min) else {
            let answered = ChallengeAnswered(challengeName: session.challenge, clientId: client.id, sessionId: session.id, correct: false)
            let rejected = SoftwareTokenCodeRejected(
                context: session.challenge, reason: step == nil ? "code_mismatch" : "code_reused", sessionId: session.id)
            try await appendToUser(user, [answered, rejected], call: call, actor: user.sub.rawValue, clientId: client.id)
            await throttle.count(limits, now: call.now)
            throw AWSError.mfaCodeMismatch()
        }
        let answered = ChallengeAnswered(
            challengeName: session.challenge, clientId: client.id, sessionId: session.id, correct: true, timeStep: step)
        return try await completeAfterSecondFactor(
            pool: pool, client: client, user: user, flow: session.flow, answered: answered, clientMetadata: clientMetadata,
            device: session.device, call: call)
    }

    /// RespondToAuthChallenge with SELECT_MFA_TYPE: the factor the user chose, then its challenge.
    func answerSelectMFAType(
        pool: PoolRecord, client: ClientRecord, session sealed: String?, responses: [String: String], clientMetadata: [String: String]?,
        call: Call
    ) async throws -> AuthResponse {
        let (session, user) = try await secondFactorAnswerer(
            challenge: "SELECT_MFA_TYPE", pool: pool, client: client, session: sealed, responses: responses, call: call)
        guard let answer = responses["ANSWER"] else { throw DomainError.invalidParameter("Missing required parameter ANSWER") }
        guard let factor = MFAFactor(rawValue: answer), (session.factors ?? []).contains(answer) else {
            throw DomainError.invalidParameter("The MFA type \(answer) is not one the user can choose.")
        }
        let answered = ChallengeAnswered(challengeName: session.challenge, clientId: client.id, sessionId: session.id, correct: true)
        return try await secondFactorChallenge(
            .challenge(factor), pool: pool, client: client, user: user, flow: session.flow ?? AuthFlow.userPassword.rawValue, hooks: [],
            extra: [answered], clientMetadata: clientMetadata, device: session.device, call: call)
    }

    /// RespondToAuthChallenge with MFA_SETUP, after AssociateSoftwareToken and VerifySoftwareToken carried
    /// the session to `verified`: the new authenticator is the second factor; sign-in goes on.
    func answerMFASetup(
        pool: PoolRecord, client: ClientRecord, session sealed: String?, responses: [String: String], clientMetadata: [String: String]?,
        call: Call
    ) async throws -> AuthResponse {
        let (session, user) = try await secondFactorAnswerer(
            challenge: "MFA_SETUP", pool: pool, client: client, session: sealed, responses: responses, call: call)
        guard session.stage == "verified", user.mfa.softwareToken != nil else {
            throw DomainError.invalidParameter("Set up an MFA factor first: AssociateSoftwareToken and VerifySoftwareToken with this session.")
        }
        let answered = ChallengeAnswered(challengeName: session.challenge, clientId: client.id, sessionId: session.id, correct: true)
        return try await completeAfterSecondFactor(
            pool: pool, client: client, user: user, flow: session.flow, answered: answered, clientMetadata: clientMetadata,
            device: session.device, call: call)
    }

    /// RespondToAuthChallenge with SMS_OTP: the code of a USER_AUTH sign-in by text message.
    func answerSMSOneTimeCode(
        pool: PoolRecord, client: ClientRecord, session sealed: String?, responses: [String: String], clientMetadata: [String: String]?,
        call: Call
    ) async throws -> AuthResponse {
        if let decoy = try? openChallengeSession(sealed, challenge: "SMS_OTP", pool: pool, client: client, now: call.now),
            decoy.unknownUsername != nil
        {
            try await refuseDecoyOneTimeCode(decoy, pool: pool, client: client, responses: responses, call: call)
        }
        let (session, user) = try await secondFactorAnswerer(
            challenge: "SMS_OTP", pool: pool, client: client, session: sealed, responses: responses, call: call)
        guard let code = responses["SMS_OTP_CODE"] else { throw DomainError.invalidParameter("Missing required parameter SMS_OTP_CODE") }
        return try await completeOneTimeCodeSignIn(
            session: session, user: user, code: code, pool: pool, client: client, clientMetadata: clientMetadata, call: call)
    }

    /// PostAuthentication and tokens once the second factor is proved, through the sign-in state machine;
    /// `also` are events of the answer recorded only with the tokens.
    func completeAfterSecondFactor(
        pool: PoolRecord, client: ClientRecord, user: UserRecord, flow: String?, answered: ChallengeAnswered, also: [any EventPayload] = [],
        clientMetadata: [String: String]?, device: SignInDevice? = nil, call: Call
    ) async throws -> AuthResponse {
        try await driveSignIn(
            .secondFactorProved, user: user, pool: pool, client: client, flow: flow ?? AuthFlow.userPassword.rawValue,
            device: device.map { .carried($0) }, answered: [answered], withTokens: also, clientMetadata: clientMetadata, call: call)
    }

}

extension KeyService {
    /// A TOTP secret sealed under the user's data key, as bytes; nil once the key is destroyed.
    func softwareTokenSecret(_ sealed: String, of user: UserRecord) throws -> [UInt8]? {
        guard let key = try dataKey(of: user) else { return nil }
        return Base32.decode(try key.open(sealed, as: String.self))
    }
}

extension AWSError {
    /// A wrong or reused TOTP code in a sign-in, as Cognito words it.
    static func mfaCodeMismatch() -> AWSError {
        AWSError(type: "CodeMismatchException", message: "Invalid code or auth state for the user.", status: 400)
    }

    /// The pool does not offer TOTP.
    static func softwareTokenMFANotFound() -> AWSError {
        AWSError(type: "SoftwareTokenMFANotFoundException", message: "Software Token MFA has not been enabled by the userPool", status: 400)
    }

    /// VerifySoftwareToken with a wrong code.
    static func enableSoftwareTokenMFA() -> AWSError {
        AWSError(type: "EnableSoftwareTokenMFAException", message: "Code mismatch", status: 400)
    }
}
