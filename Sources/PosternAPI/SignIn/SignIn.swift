import Foundation
import PosternCore
import PosternCrypto
import PosternHooks
import PosternStore

/// The envelope of InitiateAuth / RespondToAuthChallenge and their admin variants.
struct AuthResponse: Encodable, Sendable {
    var ChallengeName: String?
    var Session: String?
    var ChallengeParameters: [String: String] = [:]
    var AuthenticationResult: AuthenticationResult?
    /// SELECT_CHALLENGE (USER_AUTH): the first factors the user may choose from.
    var AvailableChallenges: [String]?
}

extension [String: String] {
    /// A member of AuthParameters or ChallengeResponses the flow needs, or Cognito's InvalidParameterException.
    func required(_ name: String) throws -> String {
        guard let value = self[name] else { throw DomainError.invalidParameter("Missing required parameter \(name)") }
        return value
    }
}

extension SignInService {
    /// A password sign-in (USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH), spec/auth-flows.md §4–5. A user
    /// the pool does not know may be migrated from a legacy directory first (UserMigration).
    ///
    /// Unknown users cost the same modular exponentiation as known ones, and every attempt — success or
    /// failure with its reason — is an event.
    func passwordSignIn(
        pool: PoolRecord, client: ClientRecord, parameters: [String: String], flow: AuthFlow, clientMetadata: [String: String]?, call: Call
    ) async throws -> AuthResponse {
        guard let login = parameters["USERNAME"], let password = parameters["PASSWORD"] else {
            throw DomainError.invalidParameter("Missing required parameter USERNAME or PASSWORD")
        }
        try Validate.username(login)
        let limits = throttle.failedSignInLimits(pool: pool, login: login, sourceIp: call.sourceIp)
        try await throttle.requireOpen(limits.map(\.key), now: call.now)
        var found = try await directory.user(pool: pool, login: login)
        if found == nil {
            try checkSecretHash(parameters["SECRET_HASH"], client: client, usernames: [login])
            found = try await migrateUser(
                pool: pool, client: client, login: login, password: password, validationData: clientMetadata, clientMetadata: nil, call: call)
        }
        guard let user = found else {
            PasswordVerifier.simulateCheck(password: password, poolName: pool.id.poolName, userID: login)
            let hooks = try await unknownUserPreAuthentication(
                pool: pool, client: client, flow: flow, login: login, clientMetadata: clientMetadata, failureLimits: limits, call: call)
            try await recordAnonymousFailure(
                pool: pool, client: client, flow: flow, reason: "user_not_found", hooks: hooks.isEmpty ? nil : hooks, call: call)
            await throttle.count(limits, now: call.now)
            throw DomainError.notAuthorized("Incorrect username or password.")
        }
        try checkSecretHash(parameters["SECRET_HASH"], client: client, usernames: [login, user.username])
        let device = try await namedDevice(parameters["DEVICE_KEY"], of: user, pool: pool)
        return try await driveSignIn(
            .password(password), user: user, pool: pool, client: client, flow: flow.rawValue, secondFactor: secondFactor(pool: pool, user: user),
            device: device.map { .named($0) }, failureLimits: limits, clientMetadata: clientMetadata, call: call)
    }

    /// A sign-in for a user the pool does not know. Without PreventUserExistenceErrors the attempt is
    /// recorded, counted against `failureLimits` (if any) and the caller told; with it, PreAuthentication
    /// runs with `userNotFound` and its run is returned, so the flow can go on exactly as for a real user.
    func unknownUserPreAuthentication(
        pool: PoolRecord, client: ClientRecord, flow: AuthFlow, login: String, clientMetadata: [String: String]?,
        failureLimits: [Throttle.Limit]? = nil, call: Call
    ) async throws -> [HookInvocation] {
        guard client.settings.preventUserExistenceErrors else {
            try await recordAnonymousFailure(pool: pool, client: client, flow: flow, reason: "user_not_found", call: call)
            if let failureLimits { await throttle.count(failureLimits, now: call.now) }
            throw DomainError.userNotFound
        }
        let hook = try await triggers.preAuthenticationOfUnknownUser(
            pool: pool, login: login, clientId: client.id, validationData: clientMetadata)
        return hook.map { [$0] } ?? []
    }

    /// Records a failed attempt on no user's stream (the user does not exist); `before` are events of the
    /// attempt that precede the failure (the challenge answer it claims).
    func recordAnonymousFailure(
        pool: PoolRecord, client: ClientRecord?, flow: AuthFlow, reason: String, hooks: [HookInvocation]? = nil,
        before: [any EventPayload] = [], call: Call
    ) async throws {
        let stream = Stream.attempt(UUID())
        var failed = SignInFailed(flow: flow.rawValue, clientId: client?.id, poolId: pool.id, reason: reason)
        failed.hooks = hooks
        try await commit(
            .init(stream: stream, expected: .noStream, events: (before + [failed]).map { NewEvent(streamID: stream, $0) }),
            metadata: call.metadata(clientId: client?.id))
    }

    /// NEW_PASSWORD_REQUIRED for a user signing in with a temporary password.
    /// `extra` are events of the same answer that precede the challenge (the SRP answer it claims).
    func newPasswordChallenge(
        pool: PoolRecord, client: ClientRecord, user: UserRecord, call: Call, extra: [any EventPayload] = []
    ) async throws -> AuthResponse {
        let session = ChallengeSession(
            id: UUID().uuidString.lowercased(), poolId: pool.id.rawValue, clientId: client.id.rawValue, sub: user.sub.rawValue,
            challenge: "NEW_PASSWORD_REQUIRED", expiresAt: call.now.addingTimeInterval(client.settings.authSessionValidity))
        try await appendToUser(
            user, extra + [ChallengeIssued(challengeName: session.challenge, clientId: client.id, sessionId: session.id)], call: call,
            actor: user.sub.rawValue, clientId: client.id)
        let required = pool.settings.schema.filter { $0.required && $0.name != "sub" && (user.attributes[$0.name] ?? "").isEmpty }
            .map { "userAttributes.\($0.name)" }
        let current = client.settings.attributePermissions.readable(user.attributes).filter { !$0.key.hasSuffix("_verified") }
        return AuthResponse(
            ChallengeName: "NEW_PASSWORD_REQUIRED", Session: try sealSession(session),
            ChallengeParameters: [
                "USER_ID_FOR_SRP": user.username,
                "requiredAttributes": String(decoding: try JSONEncoder().encode(required), as: UTF8.self),
                "userAttributes": String(decoding: try JSONEncoder().encode(current), as: UTF8.self),
            ])
    }

    /// REFRESH_TOKEN_AUTH: new ID and access tokens for the same sign-in (same `origin_jti`, `auth_time`).
    func refreshSignIn(pool: PoolRecord, client: ClientRecord, parameters: [String: String], clientMetadata: [String: String]?, call: Call)
        async throws -> AuthResponse
    {
        guard let token = parameters["REFRESH_TOKEN"] else { throw DomainError.invalidParameter("Missing required parameter REFRESH_TOKEN") }
        // The rules are RefreshTokenGrant's (Core); the secret hash is checked once the token names a user of this pool.
        let stored = try RefreshTokenGrant.identify(
            try await directory.refreshToken(hash: master.codeHasher.hash(token, context: "refresh")), client: client.id)
        guard let user = try await directory.user(sub: stored.sub.rawValue), user.poolId == pool.id else { throw RefreshTokenGrant.invalid }
        if client.sealedSecret != nil {
            try checkSecretHash(
                parameters["SECRET_HASH"], client: client,
                usernames: [user.username, user.sub.rawValue] + (parameters["USERNAME"].map { [$0] } ?? []))
        }
        try RefreshTokenGrant.requireUsable(stored, account: user.account, pool: pool.id, now: call.now)
        // A refresh from a tracked device keeps naming it, as the sign-in's tokens did.
        let device = try await namedDevice(parameters["DEVICE_KEY"], of: user, pool: pool)
        let tokens = try await mintTokens(
            pool: pool, client: client, user: user, authTime: stored.authTime, originJti: stored.originJti, now: call.now,
            source: "TokenGeneration_RefreshTokens", clientMetadata: clientMetadata, deviceKey: device?.key)
        try await retrying {
            let current = try await directory.user(sub: user.sub.rawValue) ?? user
            let events = try RefreshTokenGrant.decideRefresh(
                stored, account: current.account, pool: pool.id, now: call.now, hooks: tokens.hook.map { [$0] })
            try await appendToUser(current, events, call: call, actor: user.sub.rawValue, clientId: client.id)
        }
        return AuthResponse(AuthenticationResult: AuthenticationResult(AccessToken: tokens.access, ExpiresIn: tokens.expiresIn, IdToken: tokens.id))
    }

    /// Answers a NEW_PASSWORD_REQUIRED challenge: the new password (and any required attributes).
    func answerNewPassword(
        pool: PoolRecord, client: ClientRecord, session sealed: String?, responses: [String: String], clientMetadata: [String: String]?,
        call: Call
    ) async throws -> AuthResponse {
        let session = try openChallengeSession(sealed, challenge: "NEW_PASSWORD_REQUIRED", pool: pool, client: client, now: call.now)
        guard let newPassword = responses["NEW_PASSWORD"] else {
            throw DomainError.invalidParameter("Missing required parameter NEW_PASSWORD")
        }
        // Another event on the user (a sign-in attempt, an admin change) moves the stream on: load and
        // decide again, so a conflict is never a 500.
        // The database claims the session inside the answer's transaction; this read only gives a
        // replay its precise message before any other check.
        if try await directory.isSessionUsed(session.id) {
            throw DomainError.notAuthorized("Invalid session for the user, session can only be used once.")
        }
        guard let user = try await directory.user(sub: session.sub) else { throw DomainError.notAuthorized("Invalid session for the user.") }
        if let given = responses["USERNAME"], try await !names(given, user: user, pool: pool) {
            throw DomainError.notAuthorized("Invalid session for the user.")
        }
        try checkSecretHash(responses["SECRET_HASH"], client: client, usernames: [user.username] + (responses["USERNAME"].map { [$0] } ?? []))
        guard user.status == .forceChangePassword else { throw DomainError.notAuthorized("Invalid session for the user.") }
        try pool.settings.passwordPolicy.validate(newPassword)
        let missing = pool.settings.schema.filter {
            $0.required && $0.name != "sub" && (user.attributes[$0.name] ?? "").isEmpty && (responses["userAttributes.\($0.name)"] ?? "").isEmpty
        }
        if let first = missing.first {
            throw DomainError.invalidParameter("Attributes did not conform to the schema: \(first.name): The attribute \(first.name) is required")
        }
        guard user.wrappedDataKey != nil else { throw DomainError.notAuthorized("Invalid session for the user.") }
        let changed = PasswordChanged(
            sealedVerifier: .plaintext(newVerifier(password: newPassword, pool: pool, username: user.username)), status: .confirmed,
            reason: "new_password_challenge", sessionId: session.id)
        var confirmed = user
        confirmed.status = .confirmed
        confirmed.passwordSetAt = call.now
        var events: [any EventPayload] = [changed]
        let given = responses.filter { $0.key.hasPrefix("userAttributes.") }
            .map { AttributeType(Name: String($0.key.dropFirst("userAttributes.".count)), Value: $0.value) }
        if !given.isEmpty {
            let schema = Dictionary(pool.settings.schema.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
            for attribute in given where schema[attribute.Name]?.mutable == false && user.attributes[attribute.Name] != nil {
                throw DomainError.notAuthorized("Cannot modify an already provided immutable attribute \(attribute.Name)")
            }
            let validated = try AttributeValidator(pool: pool).validate(
                given, writer: .client(client.settings.attributePermissions), requireAll: false)
            confirmed.attributes.merge(validated) { _, new in new }
            events.insert(
                UserProfileChanged(
                    sealedProfile: .plaintext(UserProfile(username: user.username, attributes: confirmed.attributes)),
                    changedAttributes: validated.keys.sorted()), at: 0)
        }
        // A second factor follows the new password as it follows any password.
        let step = secondFactor(pool: pool, user: confirmed)
        if step != .none {
            return try await secondFactorChallenge(
                step, pool: pool, client: client, user: confirmed, flow: "NEW_PASSWORD_REQUIRED", hooks: [], extra: events,
                clientMetadata: clientMetadata, call: call)
        }
        let result = try await completeSignIn(
            pool: pool, client: client, user: confirmed, flow: "NEW_PASSWORD_REQUIRED", call: call, extra: events, clientMetadata: clientMetadata)
        return AuthResponse(AuthenticationResult: result)
    }
}
