import Foundation
import Logging
import PosternCore
import PosternCrypto
import PosternStore

/// The STS actions Postern serves: AssumeRoleWithWebIdentity (unsigned; the token is the credential)
/// for identity-pool tokens, AssumeRole for the account's admin keys, and GetCallerIdentity for any
/// credentials.
enum STSActions {
    static let all: [QueryDispatcher.Action] = [
        .init(service: .sts, name: "AssumeRoleWithWebIdentity", access: .unsigned, handle: assumeRoleWithWebIdentity),
        .init(service: .sts, name: "GetCallerIdentity", access: .anyCredentials, handle: getCallerIdentity),
        .init(service: .sts, name: "AssumeRole", access: .admin, handle: assumeRole),
        .init(service: .sts, name: "DecodeAuthorizationMessage", access: .admin, handle: decodeAuthorizationMessage),
    ]

    /// The provider identity-pool tokens are known by in trust policies and STS answers.
    static let identityProvider = IdentityAPI.identityPoolTokenProvider

    static func validation(_ value: String?, member: String, length: ClosedRange<Int>, pattern: String? = nil) throws {
        var check = ModelValidation()
        check.required(value.map { .string($0) }, member)
        check.string(value, member, length: length, pattern: pattern, sensitive: member == "webIdentityToken")
        let count = check.violations.count
        guard count == 0 else {
            throw IAMError.validation("\(count) validation error\(count == 1 ? "" : "s") detected: " + check.violations.joined(separator: "; "))
        }
    }

    @Sendable static func assumeRoleWithWebIdentity(_ query: QueryRequest, _: QueryCaller, call: Call, postern: Postern) async throws
        -> [QueryXML]
    {
        try validation(query["RoleArn"], member: "roleArn", length: 20...2048)
        try validation(query["RoleSessionName"], member: "roleSessionName", length: 2...64, pattern: #"[\w+=,.@-]*"#)
        try validation(query["WebIdentityToken"], member: "webIdentityToken", length: 4...20000)
        let duration = try durationSeconds(query)
        let sessionPolicies = try await SessionPolicies.read(query, postern: postern)
        let token = query["WebIdentityToken"] ?? ""
        let sessionName = query["RoleSessionName"] ?? ""
        guard let jwt = CompactJWT(token), let iss = jwt.claims["iss"]?.stringValue else {
            throw IAMError("InvalidIdentityToken", "Couldn't verify signed token.", status: 400)
        }
        // This server's identity-pool tokens, or an external provider's (routed by the unverified `iss`;
        // each path verifies the signature with that issuer's keys only).
        guard iss == postern.identityTokenIssuer else {
            return try await assumeRoleWithExternalToken(
                token, iss: iss, roleArn: query["RoleArn"] ?? "", sessionName: sessionName, duration: duration, sessionPolicies: sessionPolicies,
                call: call, postern: postern)
        }
        let claims: TokenClaims
        do {
            claims = try await postern.identityTokenSigner(call: call).verifySignature(jwt)
        } catch {
            throw IAMError("InvalidIdentityToken", "Couldn't verify signed token.", status: 400)
        }
        guard claims.string("iss") == postern.identityTokenIssuer, let sub = claims.string("sub"), let aud = claims.string("aud"),
            let exp = claims.int("exp")
        else { throw IAMError("InvalidIdentityToken", "The token is missing a required claim.", status: 400) }
        let now = Int(call.now.timeIntervalSince1970)
        guard exp > now else {
            throw IAMError(
                "ExpiredTokenException", "Token expired: current date/time \(now) must be before the expiration date/time \(exp)", status: 400)
        }
        let amr = (claims["amr"]?.arrayValue ?? []).compactMap(\.stringValue)
        let assumed: (credentials: SessionCredentials, role: IAMRole)
        do {
            assumed = try await postern.assumeRoleWithWebIdentity(
                roleArn: query["RoleArn"] ?? "", provider: identityProvider, subject: sub, audience: aud, amr: amr, sessionName: sessionName,
                duration: duration, sessionPolicies: sessionPolicies, now: call.now)
        } catch let error as RoleAssumptionError {
            let refusal = refusal(error, denied: IAMError("AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity", status: 403))
            let identity = IdentityID(sub)
            await record(
                IdentityCredentialsRefused(
                    identityId: identity, identityPoolId: IdentityPoolID(aud), operation: "AssumeRoleWithWebIdentity", reason: refusal.code,
                    message: refusal.message, providers: Array(amr.dropFirst())),
                on: Stream.identity(identity), call: call, postern: postern)
            throw refusal
        }
        let credentials = assumed.credentials
        // Every credential exchange is an event, on the identity's stream.
        let identity = IdentityID(sub)
        let stream = Stream.identity(identity)
        try await postern.commit(
            AppendBatch(
                stream: stream, expected: .any,
                events: [
                    NewEvent(
                        streamID: stream,
                        IdentityCredentialsIssued(
                            identityId: identity, identityPoolId: IdentityPoolID(aud), operation: "AssumeRoleWithWebIdentity",
                            roleArn: assumed.role.arn(account: postern.configuration.accountId), sessionName: sessionName,
                            accessKeyId: credentials.accessKeyId, providers: Array(amr.dropFirst()),
                            expiresAt: Int(credentials.expiration.timeIntervalSince1970)))
                ]), metadata: call.metadata(actor: sub))
        return [
            .element(
                "Credentials",
                [
                    .text("AccessKeyId", credentials.accessKeyId), .text("SecretAccessKey", credentials.secretAccessKey),
                    .text("SessionToken", credentials.sessionToken), .text("Expiration", QueryXML.timestamp(credentials.expiration)),
                ]),
            .text("SubjectFromWebIdentityToken", sub),
            .element(
                "AssumedRoleUser",
                [
                    .text("Arn", "arn:aws:sts::\(postern.configuration.accountId):assumed-role/\(assumed.role.name)/\(sessionName)"),
                    .text("AssumedRoleId", "\(assumed.role.id):\(sessionName)"),
                ]),
            .text("Provider", identityProvider),
            .text("Audience", aud),
        ] + packedPolicySize(sessionPolicies, tags: [:])
    }

    /// STS's `PackedPolicySize` member, present when session policies or tags were passed.
    static func packedPolicySize(_ policies: SessionPolicies, tags: [String: String]) -> [QueryXML] {
        policies.packedPercent(tags: tags).map { [.text("PackedPolicySize", String($0))] } ?? []
    }

    /// AssumeRoleWithWebIdentity for an external ID token: an IAM OpenID Connect provider of the account
    /// must be registered for its `iss` (or `iss` be a social provider's) and, for an IAM provider, one of
    /// its client ids be the token's audience. Refusals are STS's: InvalidIdentityToken, ExpiredTokenException,
    /// IDPCommunicationError when the issuer's keys cannot be fetched, AccessDenied when the trust policy says no.
    static func assumeRoleWithExternalToken(
        _ token: String, iss: String, roleArn: String, sessionName: String, duration: Int?, sessionPolicies: SessionPolicies, call: Call,
        postern: Postern
    ) async throws -> [QueryXML] {
        guard let issuer = try await postern.externalIssuer(for: iss) else {
            throw IAMError("InvalidIdentityToken", "No OpenIDConnect provider found in your account for \(iss)", status: 400)
        }
        let verified: ExternalIDToken
        do {
            verified = try await postern.verifyExternalIDToken(token, issuer: issuer, now: call.now)
        } catch ExternalTokenRefusal.expired(let exp, let now) {
            throw IAMError(
                "ExpiredTokenException", "Token expired: current date/time \(now) must be before the expiration date/time \(exp)", status: 400)
        } catch ExternalTokenRefusal.unreachable {
            throw IAMError(
                "IDPCommunicationError",
                "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements",
                status: 400)
        } catch ExternalTokenRefusal.invalid(let reason) {
            throw IAMError("InvalidIdentityToken", reason, status: 400)
        }
        if case .iam(let provider) = issuer, !provider.acceptsAudience(aud: verified.audiences, azp: verified.claims.string("azp")) {
            throw IAMError("InvalidIdentityToken", "Incorrect token audience", status: 400)
        }
        let audience = verified.audience
        let assumed: (credentials: SessionCredentials, role: IAMRole)
        do {
            assumed = try await postern.assumeRoleWithExternalIdentity(
                roleArn: roleArn, token: verified, sessionName: sessionName, duration: duration, sessionPolicies: sessionPolicies, now: call.now)
        } catch let error as RoleAssumptionError {
            let refusal = refusal(error, denied: IAMError("AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity", status: 403))
            await record(
                RoleSessionRefused(
                    operation: "AssumeRoleWithWebIdentity", roleArn: roleArn, reason: refusal.code, provider: issuer.name,
                    subjectKey: postern.master.codeHasher.hash("\(issuer.name)\u{1f}\(verified.subject)", context: "web identity subject")),
                on: Stream.stsRefusal(call.requestId), call: call, postern: postern)
            throw refusal
        }
        let credentials = assumed.credentials
        let account = postern.configuration.accountId
        let stream = Stream.stsSession(credentials.accessKeyId)
        try await postern.commit(
            AppendBatch(
                stream: stream, expected: .noStream,
                events: [
                    NewEvent(
                        streamID: stream,
                        RoleSessionIssued(
                            operation: "AssumeRoleWithWebIdentity", roleArn: assumed.role.arn(account: account), roleId: assumed.role.id,
                            sessionName: sessionName, accessKeyId: credentials.accessKeyId, callerAccessKeyId: nil, provider: issuer.name,
                            audience: audience,
                            subjectKey: postern.master.codeHasher.hash("\(issuer.name)\u{1f}\(verified.subject)", context: "web identity subject"),
                            tagKeys: [], sessionPolicy: !sessionPolicies.isEmpty, sourceIdentity: nil,
                            expiresAt: Int(credentials.expiration.timeIntervalSince1970)))
                ]), metadata: call.metadata(actor: issuer.name))
        return [
            .element(
                "Credentials",
                [
                    .text("AccessKeyId", credentials.accessKeyId), .text("SecretAccessKey", credentials.secretAccessKey),
                    .text("SessionToken", credentials.sessionToken), .text("Expiration", QueryXML.timestamp(credentials.expiration)),
                ]),
            .text("SubjectFromWebIdentityToken", verified.subject),
            .element(
                "AssumedRoleUser",
                [
                    .text("Arn", "arn:aws:sts::\(account):assumed-role/\(assumed.role.name)/\(sessionName)"),
                    .text("AssumedRoleId", "\(assumed.role.id):\(sessionName)"),
                ]),
            .text("Provider", issuer.name),
            .text("Audience", audience),
        ] + packedPolicySize(sessionPolicies, tags: [:])
    }

    /// STS's answer to a role that could not be assumed: `denied` (never saying which check failed), or
    /// ValidationError for a duration over the role's maximum.
    static func refusal(_ error: RoleAssumptionError, denied: IAMError) -> IAMError {
        if error == .durationTooLong {
            return IAMError.validation("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
        }
        return denied
    }

    /// Appends the event of a refused exchange; a refusal that cannot be recorded is still answered as a
    /// refusal (logged), never turned into a 500.
    static func record(_ event: some EventPayload, on stream: String, call: Call, postern: Postern) async {
        do {
            try await postern.commit(
                AppendBatch(stream: stream, expected: .any, events: [NewEvent(streamID: stream, event)]), metadata: call.metadata())
        } catch {
            postern.logger.warning("refusal not recorded", metadata: ["request_id": "\(call.requestId)", "error": "\(error)"])
        }
    }

    static func durationSeconds(_ query: QueryRequest) throws -> Int? {
        let duration = try query.integer("DurationSeconds")
        if let duration, !(900...43200).contains(duration) {
            throw IAMError.validation(
                "1 validation error detected: Value '\(duration)' at 'durationSeconds' failed to satisfy constraint: Member must have value \(duration < 900 ? "greater than or equal to 900" : "less than or equal to 43200")"
            )
        }
        return duration
    }

    /// Session tags as STS takes them: at most 50, keys 1–128 and values 0–256 characters of IAM's tag
    /// alphabet, keys distinct regardless of case.
    static func sessionTags(_ query: QueryRequest) throws -> [String: String] {
        let tags = query.tags()
        guard tags.count <= 50 else {
            throw IAMError.validation(
                "1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50")
        }
        let alphabet = #"[\p{L}\p{Z}\p{N}_.:/=+\-@]*"#
        for (key, value) in tags {
            try validation(key, member: "tags.member.key", length: 1...128, pattern: alphabet)
            if !value.isEmpty { try validation(value, member: "tags.member.value", length: 0...256, pattern: alphabet) }
        }
        guard Set(tags.keys.map { $0.lowercased() }).count == tags.count else {
            throw IAMError.validation("Duplicate tag keys found. Please note that Tag keys are case insensitive.")
        }
        return tags
    }

    @Sendable static func assumeRole(_ query: QueryRequest, caller: QueryCaller, call: Call, postern: Postern) async throws -> [QueryXML] {
        try validation(query["RoleArn"], member: "roleArn", length: 20...2048)
        try validation(query["RoleSessionName"], member: "roleSessionName", length: 2...64, pattern: #"[\w+=,.@-]*"#)
        if let externalId = query["ExternalId"] {
            try validation(externalId, member: "externalId", length: 2...1224, pattern: #"[\w+=,.@:\/-]*"#)
        }
        if let sourceIdentity = query["SourceIdentity"] {
            try validation(sourceIdentity, member: "sourceIdentity", length: 2...64, pattern: #"[\w+=,.@-]*"#)
        }
        let duration = try durationSeconds(query)
        let tags = try sessionTags(query)
        let sessionPolicies = try await SessionPolicies.read(query, postern: postern)
        guard query["SerialNumber"] == nil, query["TokenCode"] == nil else {
            throw IAMError("AccessDenied", "MultiFactorAuthentication is not supported for this account's keys.", status: 403)
        }
        let sessionName = query["RoleSessionName"] ?? ""
        let roleArn = query["RoleArn"] ?? ""
        let root = "arn:aws:iam::\(postern.configuration.accountId):root"
        guard case .admin(let callerKey) = caller else { throw IAMError("AccessDenied", "AssumeRole needs the account's keys.", status: 403) }
        let assumed: (credentials: SessionCredentials, role: IAMRole)
        do {
            assumed = try await postern.assumeRoleAsAccount(
                roleArn: roleArn, sessionName: sessionName, duration: duration, tags: tags, sessionPolicies: sessionPolicies,
                externalId: query["ExternalId"],
                sourceIdentity: query["SourceIdentity"], now: call.now)
        } catch let error as RoleAssumptionError {
            let refusal = refusal(
                error,
                denied: IAMError("AccessDenied", "User: \(root) is not authorized to perform: sts:AssumeRole on resource: \(roleArn)", status: 403))
            await record(
                RoleSessionRefused(operation: "AssumeRole", roleArn: roleArn, reason: refusal.code, callerAccessKeyId: callerKey),
                on: Stream.stsRefusal(call.requestId), call: call, postern: postern)
            throw refusal
        }
        let credentials = assumed.credentials
        let stream = Stream.stsSession(credentials.accessKeyId)
        try await postern.commit(
            AppendBatch(
                stream: stream, expected: .noStream,
                events: [
                    NewEvent(
                        streamID: stream,
                        RoleSessionIssued(
                            operation: "AssumeRole", roleArn: assumed.role.arn(account: postern.configuration.accountId), roleId: assumed.role.id,
                            sessionName: sessionName, accessKeyId: credentials.accessKeyId, callerAccessKeyId: callerKey, tagKeys: tags.keys.sorted(),
                            sessionPolicy: !sessionPolicies.isEmpty, sourceIdentity: query["SourceIdentity"],
                            expiresAt: Int(credentials.expiration.timeIntervalSince1970)))
                ]), metadata: call.metadata(actor: callerKey))
        var answer: [QueryXML] = [
            .element(
                "Credentials",
                [
                    .text("AccessKeyId", credentials.accessKeyId), .text("SecretAccessKey", credentials.secretAccessKey),
                    .text("SessionToken", credentials.sessionToken), .text("Expiration", QueryXML.timestamp(credentials.expiration)),
                ]),
            .element(
                "AssumedRoleUser",
                [
                    .text("AssumedRoleId", "\(assumed.role.id):\(sessionName)"),
                    .text("Arn", "arn:aws:sts::\(postern.configuration.accountId):assumed-role/\(assumed.role.name)/\(sessionName)"),
                ]),
        ]
        answer += packedPolicySize(sessionPolicies, tags: tags)
        if let sourceIdentity = query["SourceIdentity"] { answer.append(.text("SourceIdentity", sourceIdentity)) }
        return answer
    }

    /// Opens an encoded authorization message (the gateway's `X-Postern-Authorization-Message`) for the
    /// account's keys: the decision, the statements behind it and the request context, as JSON.
    @Sendable static func decodeAuthorizationMessage(_ query: QueryRequest, caller _: QueryCaller, call _: Call, postern: Postern) async throws
        -> [QueryXML]
    {
        try validation(query["EncodedMessage"], member: "encodedMessage", length: 1...AuthorizationMessage.maximumEncodedLength)
        guard let message = AuthorizationMessage.decode(query["EncodedMessage"] ?? "", sealer: postern.master.sessions) else {
            throw IAMError("InvalidAuthorizationMessageException", "The encoded message is not valid.", status: 400)
        }
        return [.text("DecodedMessage", String(decoding: try WireJSON.encode(message.decodedDocument), as: UTF8.self))]
    }

    @Sendable static func getCallerIdentity(_: QueryRequest, caller: QueryCaller, call: Call, postern: Postern) async throws -> [QueryXML] {
        let account = postern.configuration.accountId
        switch caller {
        case .temporary(let session):
            return [.text("UserId", "\(session.roleId):\(session.sessionName)"), .text("Account", account), .text("Arn", session.assumedRoleArn)]
        case .admin, .anonymous:
            // Admin keys are the account's own keys: the account root, as AWS answers for root access keys.
            return [.text("UserId", account), .text("Account", account), .text("Arn", "arn:aws:iam::\(account):root")]
        }
    }
}
