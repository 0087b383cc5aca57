import Foundation
import PosternCore
import PosternCrypto
import PosternStore

/// The STS actions Postern serves: AssumeRoleWithWebIdentity (unsigned; the token is the credential)
/// for identity-pool tokens, and GetCallerIdentity for any credentials.
enum STSActions {
    static let all: [QueryDispatcher.Action] = [
        .init(service: .sts, name: "AssumeRoleWithWebIdentity", access: .unsigned, handle: assumeRoleWithWebIdentity),
        .init(service: .sts, name: "GetCallerIdentity", access: .anyCredentials, handle: getCallerIdentity),
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
        let duration = try query.integer("DurationSeconds")
        if let duration, !(900...43200).contains(duration) {
            throw IAMError.validation(
                "1 validation error detected: Value '\(duration)' at 'durationSeconds' failed to satisfy constraint: Member must have value \(duration < 900 ? "greater than or equal to 900" : "less than or equal to 43200")"
            )
        }
        let token = query["WebIdentityToken"] ?? ""
        let sessionName = query["RoleSessionName"] ?? ""
        // Identity-pool tokens of this server are the web identities it verifies; external OIDC providers
        // (IAM OIDC providers) are not served yet.
        guard let jwt = CompactJWT(token) else { throw IAMError("InvalidIdentityToken", "Couldn't verify signed token.", status: 400) }
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
                duration: duration, now: call.now)
        } catch RoleAssumptionError.durationTooLong {
            throw IAMError.validation("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
        } catch is RoleAssumptionError {
            throw IAMError("AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity", status: 403)
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
        ]
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
