import Foundation
import PosternCore
import PosternCrypto
import PosternHooks
import PosternStore

/// The user (or, for an unknown user, the typed name) a CUSTOM_AUTH flow is about.
struct CustomAuthSubject {
    /// More rounds than any sane challenge needs; a Define hook that never decides ends here.
    static let maximumRounds = 8

    var user: UserRecord?
    var login: String
    var username: String { user?.username ?? login }
}

/// CUSTOM_AUTH (spec/auth-flows.md §9): DefineAuthChallenge decides each step from the rounds so far,
/// CreateAuthChallenge makes a CUSTOM_CHALLENGE, VerifyAuthChallengeResponse judges the answer.
///
/// The rounds, the challenge's private parameters and its metadata travel in the sealed session, which
/// is single-use: answering it appends `ChallengeAnswered`, whose projection claims the session id.
/// Under PreventUserExistenceErrors an unknown user plays the same loop with `userNotFound: true`
/// and can never receive tokens.
extension SignInService {

    /// InitiateAuth / AdminInitiateAuth with CUSTOM_AUTH.
    func customSignIn(
        pool: PoolRecord, client: ClientRecord, parameters: [String: String], flow: AuthFlow, clientMetadata: [String: String]?, call: Call
    ) async throws -> AuthResponse {
        guard Triggers.arn("DefineAuthChallenge", pool: pool) != nil else {
            throw DomainError.invalidParameter("Custom auth lambda trigger is not configured for the user pool.")
        }
        guard let login = parameters["USERNAME"] else { throw DomainError.invalidParameter("Missing required parameter USERNAME") }
        try Validate.username(login)
        // CUSTOM_AUTH may start with SRP (`CHALLENGE_NAME=SRP_A`): Define then sees an SRP_A round and may ask
        // for PASSWORD_VERIFIER, whose answer counts toward the lockout like any password.
        var rounds: [ChallengeRound] = []
        let srpA = parameters["SRP_A"]
        if let srpA {
            guard parameters["CHALLENGE_NAME"] == "SRP_A" else {
                throw DomainError.invalidParameter("CHALLENGE_NAME must be SRP_A when SRP_A is given.")
            }
            try Self.validateClientPublic(srpA)
            rounds = [ChallengeRound(challengeName: "SRP_A", challengeResult: true, challengeMetadata: nil)]
            let limits = throttle.failedSignInLimits(pool: pool, login: login, sourceIp: call.sourceIp)
            try await throttle.requireOpen(limits.map(\.key), now: call.now)
        } else if let name = parameters["CHALLENGE_NAME"] {
            throw DomainError.invalidParameter(
                name == "SRP_A" ? "Missing required parameter SRP_A" : "CHALLENGE_NAME \(name) cannot start CUSTOM_AUTH.")
        }
        guard let user = try await directory.user(pool: pool, login: login) else {
            try checkSecretHash(parameters["SECRET_HASH"], client: client, usernames: [login])
            let hooks = try await unknownUserPreAuthentication(
                pool: pool, client: client, flow: flow, login: login, clientMetadata: clientMetadata, call: call)
            return try await customAuthStep(
                pool: pool, client: client, subject: CustomAuthSubject(login: login), rounds: rounds, answered: nil, hooks: hooks,
                srpA: srpA, clientMetadata: clientMetadata, call: call)
        }
        try checkSecretHash(parameters["SECRET_HASH"], client: client, usernames: [login, user.username])
        let hooks = [
            try await triggers.preAuthentication(pool: pool, user: user, clientId: client.id, validationData: clientMetadata)
        ]
        .compactMap { $0 }
        if !user.enabled {
            try await customAuthFailed(pool: pool, client: client, user: user, reason: "user_disabled", events: [], hooks: hooks, call: call)
            throw DomainError.notAuthorized("User is disabled.")
        }
        switch user.status {
        case .unconfirmed:
            try await customAuthFailed(pool: pool, client: client, user: user, reason: "user_not_confirmed", events: [], hooks: hooks, call: call)
            throw DomainError.userNotConfirmed
        case .resetRequired:
            try await customAuthFailed(
                pool: pool, client: client, user: user, reason: "password_reset_required", events: [], hooks: hooks, call: call)
            throw DomainError.passwordResetRequired
        case .confirmed, .forceChangePassword, .externalProvider:
            return try await customAuthStep(
                pool: pool, client: client, subject: CustomAuthSubject(user: user, login: login), rounds: rounds, answered: nil, hooks: hooks,
                srpA: srpA, clientMetadata: clientMetadata, call: call)
        }
    }

    /// RespondToAuthChallenge / AdminRespondToAuthChallenge with CUSTOM_CHALLENGE.
    func answerCustomChallenge(
        pool: PoolRecord, client: ClientRecord, session sealed: String?, responses: [String: String], clientMetadata: [String: String]?,
        call: Call
    ) async throws -> AuthResponse {
        let session = try openChallengeSession(sealed, challenge: "CUSTOM_CHALLENGE", pool: pool, client: client, now: call.now)
        guard let answer = responses["ANSWER"] else { throw DomainError.invalidParameter("Missing required parameter ANSWER") }
        guard let given = responses["USERNAME"] else { throw DomainError.invalidParameter("Missing required parameter USERNAME") }
        if try await directory.isSessionUsed(session.id) {
            throw DomainError.notAuthorized("Invalid session for the user, session can only be used once.")
        }
        let subject: CustomAuthSubject
        if let unknown = session.unknownUsername {
            guard pool.settings.usernameKey(given) == pool.settings.usernameKey(unknown) else {
                throw DomainError.notAuthorized("Invalid session for the user.")
            }
            subject = CustomAuthSubject(login: unknown)
        } else {
            guard let user = try await directory.user(sub: session.sub), user.poolId == pool.id else {
                throw DomainError.notAuthorized("Invalid session for the user.")
            }
            guard try await names(given, user: user, pool: pool) else { throw DomainError.notAuthorized("Invalid session for the user.") }
            if !user.enabled { throw DomainError.notAuthorized("User is disabled.") }
            subject = CustomAuthSubject(user: user, login: given)
        }
        try checkSecretHash(responses["SECRET_HASH"], client: client, usernames: [subject.username, given])
        let verified = try await triggers.verifyAuthChallenge(
            pool: pool, subject: subject, clientId: client.id, privateParameters: session.privateParameters ?? [:], answer: answer,
            clientMetadata: clientMetadata)
        let rounds =
            (session.rounds ?? []) + [
                ChallengeRound(challengeName: "CUSTOM_CHALLENGE", challengeResult: verified.correct, challengeMetadata: session.challengeMetadata)
            ]
        let answered = ChallengeAnswered(
            challengeName: "CUSTOM_CHALLENGE", clientId: client.id, sessionId: session.id, correct: verified.correct, hooks: [verified.record])
        return try await customAuthStep(
            pool: pool, client: client, subject: subject, rounds: rounds, answered: answered, hooks: [], clientMetadata: clientMetadata,
            call: call)
    }

    /// CUSTOM_AUTH after a correct PASSWORD_VERIFIER answer: Define sees the SRP_A and PASSWORD_VERIFIER rounds.
    func continueCustomAuth(
        pool: PoolRecord, client: ClientRecord, user: UserRecord, login: String, afterPasswordVerifier answered: ChallengeAnswered,
        clientMetadata: [String: String]?, call: Call
    ) async throws -> AuthResponse {
        let rounds = [
            ChallengeRound(challengeName: "SRP_A", challengeResult: true, challengeMetadata: nil),
            ChallengeRound(challengeName: "PASSWORD_VERIFIER", challengeResult: true, challengeMetadata: nil),
        ]
        return try await customAuthStep(
            pool: pool, client: client, subject: CustomAuthSubject(user: user, login: login), rounds: rounds, answered: answered, hooks: [],
            clientMetadata: clientMetadata, call: call)
    }

    /// Asks DefineAuthChallenge what follows `rounds` and carries it out: tokens, a failure, or a new
    /// challenge. `answered` (the round just judged) is appended with whatever follows. `srpA` is the
    /// client's SRP value when the flow started with it, for a PASSWORD_VERIFIER challenge.
    private func customAuthStep(
        pool: PoolRecord, client: ClientRecord, subject: CustomAuthSubject, rounds: [ChallengeRound], answered: ChallengeAnswered?,
        hooks: [HookInvocation], srpA: String? = nil, clientMetadata: [String: String]?, call: Call
    ) async throws -> AuthResponse {
        let decision = try await triggers.defineAuthChallenge(
            pool: pool, subject: subject, clientId: client.id, rounds: rounds, clientMetadata: clientMetadata)
        var hooks = hooks + [decision.record]
        let before: [any EventPayload] = answered.map { [$0] } ?? []
        func fail(_ reason: String) async throws -> Never {
            try await customAuthFailed(pool: pool, client: client, user: subject.user, reason: reason, events: before, hooks: hooks, call: call)
            throw DomainError.notAuthorized("Incorrect username or password.")
        }
        if decision.failAuthentication { try await fail("custom_auth_failed") }
        if decision.issueTokens {
            guard let user = subject.user else { try await fail("user_not_found") }
            if let post = try await triggers.postAuthentication(pool: pool, user: user, clientId: client.id, clientMetadata: clientMetadata) {
                hooks.append(post)
            }
            let result = try await completeSignIn(
                pool: pool, client: client, user: user, flow: AuthFlow.custom.rawValue, call: call, extra: before, hooks: hooks,
                clientMetadata: clientMetadata)
            return AuthResponse(AuthenticationResult: result)
        }
        switch decision.challengeName {
        case "CUSTOM_CHALLENGE"?:
            break
        case "PASSWORD_VERIFIER"?:
            // Only straight after SRP_A: the client's A is what the challenge is made from.
            guard let srpA, rounds.last?.challengeName == "SRP_A" else {
                throw AWSError.invalidLambdaResponse("PASSWORD_VERIFIER can only follow SRP_A.")
            }
            return try await passwordVerifierChallenge(
                pool: pool, client: client, user: subject.user, login: subject.login, srpA: srpA, flow: .custom, hooks: hooks, before: before,
                call: call)
        case let name?:
            throw DomainError.invalidParameter("\(name) is not supported in CUSTOM_AUTH by this server yet.")
        case nil:
            throw AWSError.invalidLambdaResponse()
        }
        if rounds.count >= CustomAuthSubject.maximumRounds { try await fail("custom_auth_round_limit") }
        let made = try await triggers.createAuthChallenge(
            pool: pool, subject: subject, clientId: client.id, rounds: rounds, clientMetadata: clientMetadata)
        var created = made.record
        if let metadata = made.challengeMetadata, subject.user?.wrappedDataKey != nil {
            created.sealedDecision = .plaintext(.object(["challengeMetadata": .string(metadata)]))
        }
        hooks.append(created)
        let session = ChallengeSession(
            id: UUID().uuidString.lowercased(), poolId: pool.id.rawValue, clientId: client.id.rawValue, sub: subject.user?.sub.rawValue ?? "",
            challenge: "CUSTOM_CHALLENGE", expiresAt: call.now.addingTimeInterval(client.settings.authSessionValidity), rounds: rounds,
            privateParameters: made.privateParameters, challengeMetadata: made.challengeMetadata,
            unknownUsername: subject.user == nil ? subject.login : nil)
        let sealed = try sealSession(session)
        // The SDKs refuse a Session longer than 2048 characters.
        guard sealed.count <= 2048 else {
            throw AWSError.invalidLambdaResponse("Challenge parameters are too large for the session.")
        }
        let issued = ChallengeIssued(challengeName: "CUSTOM_CHALLENGE", clientId: client.id, sessionId: session.id, hooks: hooks)
        try await appendToUserOrAttempt(subject.user, before + [issued], client: client, call: call)
        var parameters = made.publicParameters
        parameters["USERNAME"] = subject.username
        return AuthResponse(ChallengeName: "CUSTOM_CHALLENGE", Session: sealed, ChallengeParameters: parameters)
    }

    private func customAuthFailed(
        pool: PoolRecord, client: ClientRecord, user: UserRecord?, reason: String, events: [any EventPayload], hooks: [HookInvocation], call: Call
    ) async throws {
        var failed = SignInFailed(flow: AuthFlow.custom.rawValue, clientId: client.id, poolId: pool.id, reason: reason)
        failed.hooks = hooks.isEmpty ? nil : hooks
        try await appendToUserOrAttempt(user, events + [failed], client: client, call: call)
    }
}

extension Triggers {
    private static func request(_ subject: CustomAuthSubject, clientMetadata: [String: String]?) -> [String: JSONValue] {
        CustomChallengeTriggers.commonRequest(userAttributes: subject.user.map(userAttributes(of:)), clientMetadata: clientMetadata)
    }

    func defineAuthChallenge(
        pool: PoolRecord, subject: CustomAuthSubject, clientId: ClientID, rounds: [ChallengeRound], clientMetadata: [String: String]?
    ) async throws -> (challengeName: String?, issueTokens: Bool, failAuthentication: Bool, record: HookInvocation) {
        guard let arn = Self.arn("DefineAuthChallenge", pool: pool) else {
            throw DomainError.invalidParameter("Custom auth lambda trigger is not configured for the user pool.")
        }
        var request = Self.request(subject, clientMetadata: clientMetadata)
        request["session"] = .array(rounds.map(\.json))
        let (answer, record) = try await invoke(
            "DefineAuthChallenge", arn: arn, source: "DefineAuthChallenge_Authentication", pool: pool, userName: subject.username,
            clientId: clientId, request: request, response: CustomChallengeTriggers.defineNeutralResponse)
        let definition = try Self.reading { () throws(InvalidTriggerAnswer) in try CustomChallengeTriggers.definition(answer) }
        var decided = record
        decided.decision = definition.summary
        return (definition.challengeName, definition.issueTokens, definition.failAuthentication, decided)
    }

    func createAuthChallenge(
        pool: PoolRecord, subject: CustomAuthSubject, clientId: ClientID, rounds: [ChallengeRound], clientMetadata: [String: String]?
    ) async throws -> (publicParameters: [String: String], privateParameters: [String: String], challengeMetadata: String?, record: HookInvocation) {
        guard let arn = Self.arn("CreateAuthChallenge", pool: pool) else {
            throw DomainError.invalidParameter("Create auth challenge lambda trigger is not configured for the user pool.")
        }
        var request = Self.request(subject, clientMetadata: clientMetadata)
        request["challengeName"] = "CUSTOM_CHALLENGE"
        request["session"] = .array(rounds.map(\.json))
        let (answer, record) = try await invoke(
            "CreateAuthChallenge", arn: arn, source: "CreateAuthChallenge_Authentication", pool: pool, userName: subject.username,
            clientId: clientId, request: request, response: CustomChallengeTriggers.createNeutralResponse)
        let challenge = try Self.reading { () throws(InvalidTriggerAnswer) in try CustomChallengeTriggers.challenge(answer) }
        var decided = record
        // The metadata may name the user or the answer: the caller seals it with the user's key.
        decided.decision = challenge.summary
        return (challenge.publicParameters, challenge.privateParameters, challenge.challengeMetadata, decided)
    }

    func verifyAuthChallenge(
        pool: PoolRecord, subject: CustomAuthSubject, clientId: ClientID, privateParameters: [String: String], answer: String,
        clientMetadata: [String: String]?
    ) async throws -> (correct: Bool, record: HookInvocation) {
        guard let arn = Self.arn("VerifyAuthChallengeResponse", pool: pool) else {
            throw DomainError.invalidParameter("Verify auth challenge lambda trigger is not configured for the user pool.")
        }
        var request = Self.request(subject, clientMetadata: clientMetadata)
        request["privateChallengeParameters"] = .object(privateParameters.mapValues(JSONValue.string))
        request["challengeAnswer"] = .string(answer)
        let (answered, record) = try await invoke(
            "VerifyAuthChallengeResponse", arn: arn, source: "VerifyAuthChallengeResponse_Authentication", pool: pool,
            userName: subject.username, clientId: clientId, request: request, response: CustomChallengeTriggers.verifyNeutralResponse)
        let correct = try Self.reading { () throws(InvalidTriggerAnswer) in try CustomChallengeTriggers.answerCorrect(answered) }
        var decided = record
        decided.decision = ["answerCorrect": .bool(correct)]
        return (correct, decided)
    }
}
