import Foundation
import PosternCore
import PosternCrypto
import PosternHooks
import PosternStore

/// Choice-based sign-in (USER_AUTH): the user starts with a first factor the pool allows and they can use
/// (`FirstFactors`) — named up front with `PREFERRED_CHALLENGE`, or picked from SELECT_CHALLENGE's
/// `AvailableChallenges`. PASSWORD and PASSWORD_SRP run the password and SRP sign-ins (MFA applies after
/// them); EMAIL_OTP and SMS_OTP send a one-time code that is itself the sign-in (no MFA follows).
///
/// Under PreventUserExistenceErrors an unknown user is offered what the pool allows, and every answer
/// fails as a wrong one would.
extension SignInService {
    /// InitiateAuth / AdminInitiateAuth with USER_AUTH.
    func choiceSignIn(
        pool: PoolRecord, client: ClientRecord, parameters: [String: String], clientMetadata: [String: String]?, call: Call
    ) async throws -> AuthResponse {
        guard let login = parameters["USERNAME"] else { throw DomainError.invalidParameter("Missing required parameter USERNAME") }
        try Validate.username(login)
        let allowed = pool.settings.allowedFirstAuthFactors
        guard let user = try await directory.user(pool: pool, login: login) else {
            try checkSecretHash(parameters["SECRET_HASH"], client: client, usernames: [login])
            guard client.settings.preventUserExistenceErrors else {
                try await recordAnonymousFailure(pool: pool, client: client, flow: .userAuth, reason: "user_not_found", call: call)
                throw DomainError.userNotFound
            }
            let offered = FirstFactors.available(
                allowed: allowed, hasPassword: true, hasPasskey: false, hasVerifiedEmail: allowed.contains("EMAIL_OTP"),
                hasVerifiedPhoneNumber: allowed.contains("SMS_OTP"))
            if let preferred = parameters["PREFERRED_CHALLENGE"], offered.contains(preferred) {
                return try await startFirstFactor(
                    preferred, pool: pool, client: client, login: login, user: nil, given: parameters, clientMetadata: clientMetadata, call: call)
            }
            return try selectChallenge(offered, pool: pool, client: client, user: nil, login: login, call: call)
        }
        try checkSecretHash(parameters["SECRET_HASH"], client: client, usernames: [login, user.username])
        let offered = try await availableFirstFactors(for: user, pool: pool)
        if let preferred = parameters["PREFERRED_CHALLENGE"], offered.contains(preferred) {
            return try await startFirstFactor(
                preferred, pool: pool, client: client, login: login, user: user, given: parameters, clientMetadata: clientMetadata, call: call)
        }
        return try selectChallenge(offered, pool: pool, client: client, user: user, login: login, call: call)
    }

    /// The session SignUp (`SIGN_UP`) and ConfirmSignUp (`SIGN_UP_CONFIRMED`) hand to a USER_AUTH client.
    func signUpSession(pool: PoolRecord, client: ClientRecord, sub: Sub, stage: String, call: Call) throws -> String {
        try sealSession(
            ChallengeSession(
                id: UUID().uuidString.lowercased(), poolId: pool.id.rawValue, clientId: client.id.rawValue, sub: sub.rawValue, challenge: stage,
                expiresAt: call.now.addingTimeInterval(client.settings.authSessionValidity), flow: AuthFlow.userAuth.rawValue))
    }

    /// InitiateAuth USER_AUTH with ConfirmSignUp's session: the confirmation code was the first factor, so
    /// the user is signed in (once, within the session's validity).
    func signInAfterSignUp(
        pool: PoolRecord, client: ClientRecord, parameters: [String: String], session sealed: String, clientMetadata: [String: String]?,
        call: Call
    ) async throws -> AuthResponse {
        let (session, user) = try await secondFactorAnswerer(
            challenge: "SIGN_UP_CONFIRMED", pool: pool, client: client, session: sealed, responses: parameters, call: call)
        let pre = [try await triggers.preAuthentication(pool: pool, user: user, clientId: client.id, validationData: clientMetadata)].compactMap {
            $0
        }
        let answered = ChallengeAnswered(challengeName: "SIGN_UP_CONFIRMED", clientId: client.id, sessionId: session.id, correct: true)
        return try await finishFirstFactor(
            answered: answered, user: user, pool: pool, client: client, clientMetadata: clientMetadata, hooks: pre, call: call)
    }

    /// What USER_AUTH offers this user.
    func availableFirstFactors(for user: UserRecord, pool: PoolRecord) async throws -> [String] {
        var hasPasskey = false
        if pool.settings.allowedFirstAuthFactors.contains("WEB_AUTHN") {
            hasPasskey = !(try await directory.passkeys(of: user.sub, limit: 1, after: nil).isEmpty)
        }
        return FirstFactors.available(
            allowed: pool.settings.allowedFirstAuthFactors, hasPassword: user.sealedVerifier != nil, hasPasskey: hasPasskey,
            hasVerifiedEmail: user.attributes["email_verified"] == "true" && !(user.attributes["email"] ?? "").isEmpty,
            hasVerifiedPhoneNumber: user.attributes["phone_number_verified"] == "true" && !(user.attributes["phone_number"] ?? "").isEmpty)
    }

    /// SELECT_CHALLENGE: the first factors to choose from, with a session naming the user. It proves
    /// nothing, so it is not claimed when answered: choosing again is starting again.
    func selectChallenge(_ offered: [String], pool: PoolRecord, client: ClientRecord, user: UserRecord?, login: String, call: Call) throws
        -> AuthResponse
    {
        guard !offered.isEmpty else { throw DomainError.notAuthorized("Incorrect username or password.") }
        let session = ChallengeSession(
            id: UUID().uuidString.lowercased(), poolId: pool.id.rawValue, clientId: client.id.rawValue, sub: user?.sub.rawValue ?? "",
            challenge: "SELECT_CHALLENGE", expiresAt: call.now.addingTimeInterval(client.settings.authSessionValidity),
            unknownUsername: user == nil ? login : nil, flow: AuthFlow.userAuth.rawValue, factors: offered)
        return AuthResponse(ChallengeName: "SELECT_CHALLENGE", Session: try sealSession(session), AvailableChallenges: offered)
    }

    /// RespondToAuthChallenge with SELECT_CHALLENGE: `ANSWER` names the factor, with what it needs
    /// (`PASSWORD`, or `SRP_A`).
    func answerSelectChallenge(
        pool: PoolRecord, client: ClientRecord, session sealed: String?, responses: [String: String], clientMetadata: [String: String]?,
        call: Call
    ) async throws -> AuthResponse {
        let session = try openChallengeSession(sealed, challenge: "SELECT_CHALLENGE", pool: pool, client: client, now: call.now)
        guard let given = responses["USERNAME"] else { throw DomainError.invalidParameter("Missing required parameter USERNAME") }
        guard let answer = responses["ANSWER"] else { throw DomainError.invalidParameter("Missing required parameter ANSWER") }
        guard (session.factors ?? []).contains(answer) else {
            throw DomainError.invalidParameter("\(answer) is not one of the challenges available to the user.")
        }
        var user: UserRecord?
        if session.unknownUsername == nil {
            guard let found = try await directory.user(sub: session.sub), found.poolId == pool.id, try await names(given, user: found, pool: pool)
            else { throw DomainError.notAuthorized("Invalid session for the user.") }
            user = found
        } else if pool.settings.usernameKey(given) != pool.settings.usernameKey(session.unknownUsername ?? "") {
            throw DomainError.notAuthorized("Invalid session for the user.")
        }
        var parameters = responses
        parameters["USERNAME"] = session.unknownUsername ?? given
        return try await startFirstFactor(
            answer, pool: pool, client: client, login: parameters["USERNAME"] ?? given, user: user, given: parameters,
            clientMetadata: clientMetadata, call: call)
    }

    /// Starts the chosen first factor.
    func startFirstFactor(
        _ factor: String, pool: PoolRecord, client: ClientRecord, login: String, user: UserRecord?, given: [String: String],
        clientMetadata: [String: String]?, call: Call
    ) async throws -> AuthResponse {
        var parameters = given
        parameters["USERNAME"] = login
        switch factor {
        case "PASSWORD":
            guard parameters["PASSWORD"] != nil else { throw DomainError.invalidParameter("Missing required parameter PASSWORD") }
            return try await passwordSignIn(
                pool: pool, client: client, parameters: parameters, flow: .userAuth, clientMetadata: clientMetadata, call: call)
        case "PASSWORD_SRP":
            return try await srpSignIn(
                pool: pool, client: client, parameters: parameters, flow: .userAuth, clientMetadata: clientMetadata, call: call)
        case "EMAIL_OTP", "SMS_OTP":
            guard let user else { return try await decoyOneTimeCode(factor, pool: pool, client: client, login: login, call: call) }
            return try await oneTimeCodeSignIn(
                factor == "EMAIL_OTP" ? .email : .sms, pool: pool, client: client, user: user, clientMetadata: clientMetadata, call: call)
        case "WEB_AUTHN":
            guard let user else { throw DomainError.notAuthorized("Incorrect username or password.") }
            return try await passkeySignIn(pool: pool, client: client, user: user, clientMetadata: clientMetadata, call: call)
        default:
            throw DomainError.invalidParameter("\(factor) is not supported by this server yet.")
        }
    }

    /// EMAIL_OTP or SMS_OTP as the first factor: PreAuthentication, then a code to the verified contact.
    func oneTimeCodeSignIn(
        _ medium: MFAFactor, pool: PoolRecord, client: ClientRecord, user: UserRecord, clientMetadata: [String: String]?, call: Call
    ) async throws -> AuthResponse {
        let limits = throttle.failedSignInLimits(pool: pool, login: user.username, sourceIp: call.sourceIp)
        try await throttle.requireOpen(limits.map(\.key), now: call.now)
        let hooks = [try await triggers.preAuthentication(pool: pool, user: user, clientId: client.id, validationData: clientMetadata)]
            .compactMap { $0 }
        let challenge = medium == .email ? "EMAIL_OTP" : "SMS_OTP"
        let attribute = medium == .email ? "email" : "phone_number"
        let purpose = Self.firstFactorCodePurpose(challenge)
        try await requireCodeIssueAllowed(user: user, purpose: purpose, now: call.now)
        let (codeEvents, delivery) = try await self.codeEvents(
            for: (user.sub, user.username, user.attributes), pool: pool, purpose: purpose, kind: "Authentication", template: "Authentication",
            now: call.now, preferred: [attribute], validity: SignInCodes.validity,
            context: MessageContext(clientId: client.id, clientMetadata: clientMetadata, userStatus: user.status))
        guard let delivery else { throw DomainError.notAuthorized("Incorrect username or password.") }
        let session = ChallengeSession(
            id: UUID().uuidString.lowercased(), poolId: pool.id.rawValue, clientId: client.id.rawValue, sub: user.sub.rawValue,
            challenge: challenge, expiresAt: call.now.addingTimeInterval(client.settings.authSessionValidity), flow: AuthFlow.userAuth.rawValue,
            stage: "firstFactor")
        let stream = Stream.user(user.sub)
        let issued = ChallengeIssued(challengeName: challenge, clientId: client.id, sessionId: session.id, hooks: hooks.isEmpty ? nil : hooks)
        try await commit(
            .init(
                stream: stream, expected: .exact(user.version), events: codeEvents + [NewEvent(streamID: stream, issued)], sealingKey: user.sealingKey
            ),
            metadata: call.metadata(actor: user.sub.rawValue, clientId: client.id))
        return AuthResponse(
            ChallengeName: challenge, Session: try sealSession(session),
            ChallengeParameters: [
                "CODE_DELIVERY_DELIVERY_MEDIUM": delivery.DeliveryMedium, "CODE_DELIVERY_DESTINATION": delivery.Destination,
                "USERNAME": user.username,
            ])
    }

    /// EMAIL_OTP / SMS_OTP for a name no user has (PreventUserExistenceErrors): a decoy delivery of the
    /// chosen medium, recorded and limited like a real one, and a session no code opens.
    func decoyOneTimeCode(_ challenge: String, pool: PoolRecord, client: ClientRecord, login: String, call: Call) async throws
        -> AuthResponse
    {
        let purpose = Self.firstFactorCodePurpose(challenge)
        let delivery = try await hiddenCodeDelivery(
            login: login, pool: pool, client: client, user: nil, purpose: purpose, reason: "user_not_found",
            medium: challenge == "SMS_OTP" ? "SMS" : "EMAIL", call: call)
        let session = ChallengeSession(
            id: UUID().uuidString.lowercased(), poolId: pool.id.rawValue, clientId: client.id.rawValue, sub: "", challenge: challenge,
            expiresAt: call.now.addingTimeInterval(client.settings.authSessionValidity), unknownUsername: login, flow: AuthFlow.userAuth.rawValue,
            stage: "firstFactor")
        return AuthResponse(
            ChallengeName: challenge, Session: try sealSession(session),
            ChallengeParameters: [
                "CODE_DELIVERY_DELIVERY_MEDIUM": delivery.DeliveryMedium, "CODE_DELIVERY_DESTINATION": delivery.Destination, "USERNAME": login,
            ])
    }

    /// The answer to a decoy code challenge: recorded and counted as a wrong code, whatever it is.
    func refuseDecoyOneTimeCode(_ session: ChallengeSession, pool: PoolRecord, client: ClientRecord, responses: [String: String], call: Call)
        async throws -> Never
    {
        guard let given = responses["USERNAME"], let login = session.unknownUsername,
            pool.settings.usernameKey(given) == pool.settings.usernameKey(login)
        else { throw DomainError.notAuthorized("Invalid session for the user.") }
        let limits = throttle.wrongCodeLimits(sourceIp: call.sourceIp)
        try await throttle.requireOpen(limits.map(\.key), now: call.now)
        try await recordAnonymousFailure(pool: pool, client: client, flow: .userAuth, reason: "user_not_found", call: call)
        await throttle.count(limits, now: call.now)
        throw AWSError.mfaCodeMismatch()
    }

    /// The purpose a first-factor code is kept under (apart from MFA codes of the same medium).
    static func firstFactorCodePurpose(_ challenge: String) -> String { "SignIn:\(challenge)" }

    /// The answer to an EMAIL_OTP or SMS_OTP first factor: the code is the sign-in; the account's state,
    /// PostAuthentication and tokens follow as after a password, without MFA.
    func completeOneTimeCodeSignIn(
        session: ChallengeSession, user: UserRecord, code: String, pool: PoolRecord, client: ClientRecord, clientMetadata: [String: String]?,
        call: Call
    ) async throws -> AuthResponse {
        let purpose = Self.firstFactorCodePurpose(session.challenge)
        do {
            try await checkCode(code, user: user, purpose: purpose, clientId: client.id, call: call)
        } catch DomainError.codeMismatch {
            throw AWSError.mfaCodeMismatch()
        }
        let answered = ChallengeAnswered(
            challengeName: session.challenge, clientId: client.id, sessionId: session.id, correct: true, consumedCode: purpose)
        return try await finishFirstFactor(answered: answered, user: user, pool: pool, client: client, clientMetadata: clientMetadata, call: call)
    }

    /// After a passwordless first factor (a code, a passkey): the lock and the account's state, then
    /// PostAuthentication and tokens, without MFA. PreAuthentication ran before the answer (`hooks`, if in this request).
    func finishFirstFactor(
        answered: ChallengeAnswered, user: UserRecord, pool: PoolRecord, client: ClientRecord, clientMetadata: [String: String]?,
        hooks ran: [HookInvocation] = [], call: Call
    ) async throws -> AuthResponse {
        try await driveSignIn(
            .proof(correct: true), user: user, pool: pool, client: client, flow: AuthFlow.userAuth.rawValue, answered: [answered], hooks: ran,
            clientMetadata: clientMetadata, call: call)
    }
}
