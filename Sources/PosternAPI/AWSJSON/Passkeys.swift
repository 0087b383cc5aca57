import Foundation
import PosternCore
import PosternCrypto
import PosternStore

/// StartWebAuthnRegistration: the options for `navigator.credentials.create()`. The challenge is sealed
/// (user, pool, expiry), so CompleteWebAuthnRegistration recognises its own challenge without storing it.
enum StartWebAuthnRegistration: AWSOperation {
    static let name = "StartWebAuthnRegistration"

    struct Request: Decodable, Sendable, CarriesAccessToken { var AccessToken: String }
    struct Response: Encodable, Sendable { var CredentialCreationOptions: JSONValue }

    typealias Services = any DirectoryService & KeyService
    static func services(_ postern: Postern) -> Services { postern }

    static func handle(_ request: Request, call: Call, services: Services) async throws -> Response {
        let identity = try call.signedIn()
        let party = try PasskeyPolicy(pool: identity.pool)
        let challenge = try services.master.sessions.sealedBytes(
            json: PasskeyChallenge(sub: identity.user.sub.rawValue, poolId: identity.pool.id.rawValue, expiresAt: call.now.addingTimeInterval(300)),
            purpose: PasskeyChallenge.registrationPurpose)
        let existing = try await services.directory.passkeys(of: identity.user.sub, limit: 20, after: nil)
        let options: JSONValue = .object([
            "challenge": .string(Base64URL.encode(challenge)),
            "rp": .object(["id": .string(party.relyingPartyId), "name": .string(party.relyingPartyId)]),
            "user": .object([
                "id": .string(Base64URL.encode(Array(identity.user.sub.rawValue.utf8))), "name": .string(identity.user.username),
                "displayName": .string(identity.user.username),
            ]),
            "pubKeyCredParams": .array([.object(["type": "public-key", "alg": .int(-7)])]),
            "timeout": .int(300_000),
            "excludeCredentials": .array(existing.map { .object(["type": "public-key", "id": .string($0.credentialId)]) }),
            "authenticatorSelection": .object(["residentKey": "required", "userVerification": .string(party.userVerification)]),
        ])
        return Response(CredentialCreationOptions: options)
    }
}

/// CompleteWebAuthnRegistration: verifies the new credential (attestation none or packed, ES256) and keeps it.
enum CompleteWebAuthnRegistration: AWSOperation {
    static let name = "CompleteWebAuthnRegistration"

    struct Request: Decodable, Sendable, CarriesAccessToken {
        var AccessToken: String
        var Credential: JSONValue
    }

    typealias Services = any EventLogService & KeyService
    static func services(_ postern: Postern) -> Services { postern }

    static func handle(_ request: Request, call: Call, services: Services) async throws -> EmptyResponse {
        let identity = try call.signedIn()
        let party = try PasskeyPolicy(pool: identity.pool)
        let response = request.Credential["response"]
        guard let clientData = response?["clientDataJSON"]?.stringValue.flatMap(Base64URL.decode).map(Array.init),
            let attestation = response?["attestationObject"]?.stringValue.flatMap(Base64URL.decode).map(Array.init)
        else { throw DomainError.invalidParameter("Credential needs response.clientDataJSON and response.attestationObject (base64url).") }
        let (challenge, origin) = try PasskeyPolicy.challengeAndOrigin(clientData)
        guard
            let sealed = try? services.master.sessions.open(
                bytes: challenge, as: PasskeyChallenge.self, purpose: PasskeyChallenge.registrationPurpose),
            sealed.sub == identity.user.sub.rawValue, sealed.poolId == identity.pool.id.rawValue, sealed.expiresAt > call.now
        else { throw AWSError(type: "WebAuthnChallengeNotFoundException", message: "The challenge was not found or has expired.", status: 400) }
        let relyingParty = try party.relyingParty(origin: origin)
        let registration: WebAuthnRelyingParty.Registration
        do {
            registration = try relyingParty.verifyRegistration(clientDataJSON: clientData, attestationObject: attestation, challenge: challenge)
        } catch {
            throw PasskeyPolicy.wireError(error)
        }
        let id = Base64URL.encode(registration.credentialId)
        let transports = response?["transports"]?.arrayValue?.compactMap(\.stringValue) ?? []
        try await services.appendToUser(
            identity.user,
            [
                WebAuthnCredentialRegistered(
                    credentialId: id, publicKey: Data(registration.publicKey).base64EncodedString(), signCount: Int(registration.signCount),
                    relyingPartyId: party.relyingPartyId, sealedName: nil, attachment: request.Credential["authenticatorAttachment"]?.stringValue,
                    transports: transports, attestationFormat: registration.attestationFormat)
            ], call: call, actor: identity.user.sub.rawValue, clientId: identity.client.id)
        return EmptyResponse()
    }
}

/// ListWebAuthnCredentials: the signed-in user's passkeys.
enum ListWebAuthnCredentials: AWSOperation {
    static let name = "ListWebAuthnCredentials"

    struct Request: Decodable, Sendable, CarriesAccessToken {
        var AccessToken: String
        var NextToken: String?
        var MaxResults: Int?
    }

    struct Description: Encodable, Sendable {
        var CredentialId: String
        var FriendlyCredentialName: String
        var RelyingPartyId: String
        var AuthenticatorAttachment: String?
        var AuthenticatorTransports: [String]
        var CreatedAt: Date
    }

    struct Response: Encodable, Sendable {
        var Credentials: [Description]
        var NextToken: String?
    }

    typealias Services = any DirectoryService
    static func services(_ postern: Postern) -> Services { postern }

    static func handle(_ request: Request, call: Call, services: Services) async throws -> Response {
        let identity = try call.signedIn()
        let limit = request.MaxResults ?? 20
        guard (0...20).contains(limit) else { throw DomainError.validation("maxResults", "Member must have value less than or equal to 20") }
        let page = limit == 0 ? [] : try await services.directory.passkeys(of: identity.user.sub, limit: limit, after: request.NextToken)
        return Response(
            Credentials: page.map {
                Description(
                    CredentialId: $0.credentialId, FriendlyCredentialName: "Passkey \($0.credentialId.prefix(8))", RelyingPartyId: $0.relyingPartyId,
                    AuthenticatorAttachment: $0.attachment, AuthenticatorTransports: $0.transports, CreatedAt: $0.createdAt)
            }, NextToken: page.count == limit && limit > 0 ? page.last?.credentialId : nil)
    }
}

/// DeleteWebAuthnCredential: one of the signed-in user's passkeys, gone.
enum DeleteWebAuthnCredential: AWSOperation {
    static let name = "DeleteWebAuthnCredential"

    struct Request: Decodable, Sendable, CarriesAccessToken {
        var AccessToken: String
        var CredentialId: String
    }

    typealias Services = any EventLogService
    static func services(_ postern: Postern) -> Services { postern }

    static func handle(_ request: Request, call: Call, services: Services) async throws -> EmptyResponse {
        let identity = try call.signedIn()
        guard try await services.directory.passkey(request.CredentialId, of: identity.user.sub) != nil else {
            throw DomainError.resourceNotFound("The passkey credential does not exist.")
        }
        try await services.appendToUser(
            identity.user, [WebAuthnCredentialDeleted(credentialId: request.CredentialId)], call: call, actor: identity.user.sub.rawValue,
            clientId: identity.client.id)
        return EmptyResponse()
    }
}

/// A sealed WebAuthn challenge: whose it is and until when.
struct PasskeyChallenge: Codable, Sendable {
    var sub: String
    var poolId: String
    var expiresAt: Date

    static let registrationPurpose = "postern webauthn registration v1"
}

/// The pool's passkey settings: WEB_AUTHN among its first factors and `WebAuthnConfiguration`.
struct PasskeyPolicy: Sendable {
    var relyingPartyId: String
    var userVerification: String

    init(pool: PoolRecord) throws {
        guard pool.settings.allowedFirstAuthFactors.contains("WEB_AUTHN") else {
            throw AWSError(type: "WebAuthnNotEnabledException", message: "Passkey authentication is not enabled for the user pool.", status: 400)
        }
        guard let id = pool.settings.json[UserPoolSettings.webAuthnMember]?["RelyingPartyId"]?.stringValue, !id.isEmpty else {
            throw AWSError(
                type: "WebAuthnConfigurationMissingException", message: "The user pool has no WebAuthn relying party id (SetUserPoolMfaConfig).",
                status: 400)
        }
        relyingPartyId = id
        userVerification = pool.settings.json[UserPoolSettings.webAuthnMember]?["UserVerification"]?.stringValue ?? "preferred"
    }

    /// Origins on the relying party's domain: `https://{id}` and its subdomains, and `http://localhost[:port]`
    /// for a `localhost` relying party (development, as browsers allow).
    func allows(origin: String) -> Bool {
        if origin == "https://\(relyingPartyId)" { return true }
        if origin.hasPrefix("https://"), origin.hasSuffix(".\(relyingPartyId)") { return true }
        if relyingPartyId == "localhost" { return origin == "http://localhost" || origin.hasPrefix("http://localhost:") }
        return false
    }

    func relyingParty(origin: String) throws -> WebAuthnRelyingParty {
        guard allows(origin: origin) else {
            throw AWSError(type: "WebAuthnOriginNotAllowedException", message: "The origin \(origin) is not allowed.", status: 400)
        }
        return WebAuthnRelyingParty(id: relyingPartyId, allowedOrigins: [origin], requiresUserVerification: userVerification == "required")
    }

    /// The challenge and origin a clientDataJSON names.
    static func challengeAndOrigin(_ clientData: [UInt8]) throws -> ([UInt8], String) {
        guard let object = try? JSONValue.parse(String(decoding: clientData, as: UTF8.self)),
            let challenge = object["challenge"]?.stringValue.flatMap(Base64URL.decode), let origin = object["origin"]?.stringValue
        else { throw DomainError.invalidParameter("clientDataJSON must name a challenge and an origin.") }
        return (Array(challenge), origin)
    }

    static func wireError(_ error: WebAuthnError) -> AWSError {
        switch error {
        case .relyingPartyMismatch:
            AWSError(type: "WebAuthnRelyingPartyMismatchException", message: "The relying party does not match.", status: 400)
        case .originNotAllowed(let origin):
            AWSError(type: "WebAuthnOriginNotAllowedException", message: "The origin \(origin) is not allowed.", status: 400)
        case .wrongType:
            AWSError(type: "WebAuthnClientMismatchException", message: "The client data is not a registration.", status: 400)
        case .challengeMismatch:
            AWSError(type: "WebAuthnChallengeNotFoundException", message: "The challenge was not found or has expired.", status: 400)
        case .unsupportedAlgorithm, .unsupportedAttestation:
            AWSError(type: "WebAuthnCredentialNotSupportedException", message: "The credential is not supported.", status: 400)
        default:
            AWSError(type: "InvalidParameterException", message: "The credential could not be verified.", status: 400)
        }
    }
}

extension SignInService {
    /// WEB_AUTHN as the first factor of USER_AUTH: the options for `navigator.credentials.get()`, the
    /// challenge kept in the sealed session.
    func passkeySignIn(pool: PoolRecord, client: ClientRecord, user: UserRecord, clientMetadata: [String: String]?, call: Call) async throws
        -> AuthResponse
    {
        let party = try PasskeyPolicy(pool: pool)
        let credentials = try await directory.passkeys(of: user.sub, limit: 20, after: nil)
        guard !credentials.isEmpty else { throw DomainError.notAuthorized("Incorrect username or password.") }
        let hooks = [try await triggers.preAuthentication(pool: pool, user: user, clientId: client.id, validationData: clientMetadata)]
            .compactMap { $0 }
        let challenge = Random.bytes(32)
        let session = ChallengeSession(
            id: UUID().uuidString.lowercased(), poolId: pool.id.rawValue, clientId: client.id.rawValue, sub: user.sub.rawValue,
            challenge: "WEB_AUTHN", expiresAt: call.now.addingTimeInterval(client.settings.authSessionValidity),
            privateParameters: ["challenge": Base64URL.encode(challenge)], flow: AuthFlow.userAuth.rawValue, stage: "firstFactor")
        let options: JSONValue = .object([
            "challenge": .string(Base64URL.encode(challenge)), "rpId": .string(party.relyingPartyId), "timeout": .int(180_000),
            "userVerification": .string(party.userVerification),
            "allowCredentials": .array(credentials.map { .object(["type": "public-key", "id": .string($0.credentialId)]) }),
        ])
        try await appendToUser(
            user, [ChallengeIssued(challengeName: "WEB_AUTHN", clientId: client.id, sessionId: session.id, hooks: hooks.isEmpty ? nil : hooks)],
            call: call, actor: user.sub.rawValue, clientId: client.id)
        return AuthResponse(
            ChallengeName: "WEB_AUTHN", Session: try sealSession(session),
            ChallengeParameters: ["CREDENTIAL_REQUEST_OPTIONS": String(decoding: try WireJSON.encode(options), as: UTF8.self)])
    }

    /// RespondToAuthChallenge with WEB_AUTHN: `CREDENTIAL` is the assertion (JSON, base64url fields).
    func answerPasskey(
        pool: PoolRecord, client: ClientRecord, session sealed: String?, responses: [String: String], clientMetadata: [String: String]?,
        call: Call
    ) async throws -> AuthResponse {
        let (session, user) = try await secondFactorAnswerer(
            challenge: "WEB_AUTHN", pool: pool, client: client, session: sealed, responses: responses, call: call)
        guard let text = responses["CREDENTIAL"], let credential = try? JSONValue.parse(text) else {
            throw DomainError.invalidParameter("Missing required parameter CREDENTIAL")
        }
        let party = try PasskeyPolicy(pool: pool)
        let response = credential["response"]
        guard let id = credential["id"]?.stringValue ?? credential["rawId"]?.stringValue,
            let clientData = response?["clientDataJSON"]?.stringValue.flatMap(Base64URL.decode).map(Array.init),
            let authenticatorData = response?["authenticatorData"]?.stringValue.flatMap(Base64URL.decode).map(Array.init),
            let signature = response?["signature"]?.stringValue.flatMap(Base64URL.decode).map(Array.init),
            let challenge = session.privateParameters?["challenge"].flatMap(Base64URL.decode).map(Array.init)
        else { throw DomainError.invalidParameter("CREDENTIAL must be a WebAuthn assertion with base64url fields.") }
        let normalized = Base64URL.decode(id).map { Base64URL.encode($0) } ?? id
        let limits = throttle.failedSignInLimits(pool: pool, login: user.username, sourceIp: call.sourceIp)
        try await throttle.requireOpen(limits.map(\.key), now: call.now)
        func refuse(_ reason: String) async throws -> Never {
            let answered = ChallengeAnswered(challengeName: "WEB_AUTHN", clientId: client.id, sessionId: session.id, correct: false)
            let failed = SignInFailed(flow: AuthFlow.userAuth.rawValue, clientId: client.id, poolId: pool.id, reason: reason)
            try await appendToUser(user, [answered, failed], call: call, actor: user.sub.rawValue, clientId: client.id)
            await throttle.count(limits, now: call.now)
            throw DomainError.notAuthorized("Incorrect username or password.")
        }
        guard let passkey = try await directory.passkey(normalized, of: user.sub), let publicKey = Data(base64Encoded: passkey.publicKey) else {
            try await refuse("unknown_passkey")
        }
        let (_, origin) = try PasskeyPolicy.challengeAndOrigin(clientData)
        let count: UInt32
        do {
            count = try party.relyingParty(origin: origin).verifyAssertion(
                clientDataJSON: clientData, authenticatorData: authenticatorData, signature: signature, challenge: challenge,
                publicKey: Array(publicKey), storedSignCount: UInt32(clamping: passkey.signCount))
        } catch {
            try await refuse("passkey_assertion_failed")
        }
        let answered = ChallengeAnswered(
            challengeName: "WEB_AUTHN", clientId: client.id, sessionId: session.id, correct: true, passkey: passkey.credentialId,
            signCount: Int(count))
        return try await finishFirstFactor(answered: answered, user: user, pool: pool, client: client, clientMetadata: clientMetadata, call: call)
    }
}
