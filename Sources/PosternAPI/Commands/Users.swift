import Foundation
import PosternCore
import PosternCrypto
import PosternStore

/// A challenge in progress (NEW_PASSWORD_REQUIRED, CUSTOM_CHALLENGE, the MFA challenges), sealed under the
/// server key into the `Session` string.
struct ChallengeSession: Codable, Sendable {
    var id: String
    var poolId: String
    var clientId: String
    var sub: String
    var challenge: String
    var expiresAt: Date
    /// CUSTOM_AUTH: the rounds so far, what the current challenge keeps from the client, and the name
    /// typed in when no such user exists (PreventUserExistenceErrors plays the flow out).
    var rounds: [ChallengeRound]?
    var privateParameters: [String: String]?
    var challengeMetadata: String?
    var unknownUsername: String?
    /// The second-factor challenges: the sign-in's flow (for its `SignInSucceeded` and token source), the
    /// factors a SELECT_MFA_TYPE offered, and how far MFA_SETUP got (`associated`, `verified`).
    var flow: String?
    var factors: [String]?
    var stage: String?
    /// The sign-in's tracked device (DEVICE_SRP_AUTH: the one asked to prove itself; MFA challenges: the one
    /// the tokens will name), and whether it proved itself already.
    var deviceKey: String?
    var deviceAuthenticated: Bool?

    /// The device the tokens of this sign-in will name.
    var device: SignInDevice? { deviceKey.map { SignInDevice(key: $0, authenticated: deviceAuthenticated == true) } }
}

/// One answered round of CUSTOM_AUTH, as DefineAuthChallenge sees it in `request.session`.
struct ChallengeRound: Codable, Sendable {
    var challengeName: String
    var challengeResult: Bool
    var challengeMetadata: String?

    var json: JSONValue {
        .object([
            "challengeName": .string(challengeName), "challengeResult": .bool(challengeResult),
            "challengeMetadata": challengeMetadata.map(JSONValue.string) ?? .null,
        ])
    }
}

extension Postern {
    /// Loads the client of a public call and its pool.
    func publicClient(_ clientId: String) async throws -> (ClientRecord, PoolRecord) {
        try Validate.clientId(clientId)
        let client = try await directory.client(clientId)
        let pool = try await directory.pool(client.poolId.rawValue)
        return (client, pool)
    }

    /// The client's secret, if it has one.
    func secret(of client: ClientRecord) throws -> String? {
        try client.sealedSecret.map { String(decoding: try master.secrets.open($0), as: UTF8.self) }
    }

    /// Checks `SECRET_HASH` for clients with a secret; any of `usernames` may be the one hashed.
    func checkSecretHash(_ provided: String?, client: ClientRecord, usernames: [String]) throws {
        guard let secret = try secret(of: client) else { return }
        let valid = usernames.contains { SecretHash.isValid(provided, username: $0, clientID: client.id.rawValue, clientSecret: secret) }
        if !valid { throw DomainError.notAuthorized("Unable to verify secret hash for client \(client.id.rawValue)") }
    }

    /// The user, or Cognito's "does not exist" error (NotAuthorized when the client hides user existence).
    func requireUser(pool: PoolRecord, login: String, client: ClientRecord?) async throws -> UserRecord {
        if let user = try await directory.user(pool: pool, login: login) { return user }
        if client?.settings.preventUserExistenceErrors == true { throw DomainError.notAuthorized("Incorrect username or password.") }
        throw DomainError.userNotFound
    }

    /// Events that send a one-time code to the user's contact attribute and record its keyed hash, and
    /// the masked delivery details. `purpose` names the code, `kind` the message (as CustomMessage's trigger
    /// sources do: SignUp, ResendCode, AdminCreateUser, ForgotPassword …).
    func codeEvents(
        for user: (sub: Sub, username: String, attributes: [String: String]), pool: PoolRecord, purpose: String, kind: String? = nil,
        template: String? = nil, now: Date, preferred: [String]? = nil, validity: TimeInterval = 86_400,
        context: MessageContext = MessageContext()
    ) async throws -> ([NewEvent], CodeDeliveryDetails?) {
        let code = Random.code()
        guard
            let message = try await messageEvent(
                for: user, pool: pool, template: template ?? purpose, kind: kind ?? purpose, preferred: preferred, code: code, context: context)
        else { return ([], nil) }
        let attribute = message.delivery.AttributeName
        let issued = ConfirmationCodeIssued(
            purpose: purpose, codeHash: codeHash(code, sub: user.sub, purpose: purpose, boundTo: (attribute, user.attributes[attribute] ?? "")),
            expiresAt: now.addingTimeInterval(validity), messageId: message.messageId, attribute: attribute)
        return ([NewEvent(streamID: Stream.user(user.sub), issued), message.event], message.delivery)
    }

    /// The outbox event of a message carrying `code` (a one-time code or a temporary password; the store
    /// seals it with the user's data key), or nil when the user has no contact for any of the `preferred` attributes
    /// (default: the pool's auto-verified ones). When both contacts qualify, Cognito sends to the phone.
    /// The pool's CustomMessage hook, if any, writes the text (`CustomMessage_<kind>`).
    func messageEvent(
        for user: (sub: Sub, username: String, attributes: [String: String]), pool: PoolRecord, template: String, kind: String,
        preferred: [String]?, code: String, context: MessageContext = MessageContext()
    ) async throws -> (event: NewEvent, messageId: String, delivery: CodeDeliveryDetails)? {
        let candidates = preferred ?? pool.settings.autoVerifiedAttributes
        let order = ["phone_number", "email"].filter { candidates.contains($0) }
        guard let attribute = order.first(where: { !(user.attributes[$0] ?? "").isEmpty }), let destination = user.attributes[attribute]
        else { return nil }
        let medium = attribute == "email" ? "EMAIL" : "SMS"
        var text = MessageTemplates.template(purpose: template, pool: pool, medium: medium)
        var hooks: [HookInvocation]?
        if let custom = try await triggers.customMessage(
            source: "CustomMessage_\(kind)", pool: pool, user: user, medium: medium, withUsername: template == "AdminCreateUser", context: context)
        {
            text = (custom.subject ?? text.subject, custom.body ?? text.body)
            hooks = [custom.record]
        }
        let message = OutboundMessage(
            username: user.username, destination: destination, subject: text.subject,
            message: MessageTemplates.render(text.body, username: user.username, code: code), code: code,
            clientMetadata: context.clientMetadata)
        let messageId = UUID().uuidString.lowercased()
        let queued = MessageQueued(
            messageId: messageId, poolId: pool.id, kind: kind, deliveryMedium: medium, sealedMessage: .plaintext(message), hooks: hooks)
        return (
            NewEvent(streamID: Stream.user(user.sub), queued), messageId,
            CodeDeliveryDetails(medium: medium, attribute: attribute, destination: destination)
        )
    }

    /// Counts a request for a code against its source address (`ThrottlePolicy.codeRequestsPerAddress`).
    func countCodeRequest(call: Call) async throws {
        if await throttle.count(throttle.codeRequestLimits(sourceIp: call.sourceIp), now: call.now) { throw DomainError.rateExceeded }
    }

    /// Refuses to send another code of `purpose` once the user had `CodeLimits.maximumIssues` this hour.
    func requireCodeIssueAllowed(user: UserRecord, purpose: String, now: Date) async throws {
        let pending = try await directory.confirmationCode(sub: user.sub, purpose: purpose)
        if !CodeLimits.mayIssue(pending?.counters, now: now) { throw CodeLimits.exceeded }
    }

    /// Checks a one-time code of `purpose` (SignUp, ForgotPassword …) against the value the code was sent
    /// to (`OneTimeCodeCheck`: the rules; here, the constant-time comparison of keyed hashes) and returns
    /// the contact attribute it proves. A wrong code is recorded and counts toward
    /// `CodeLimits.maximumFailures`, across re-issues, and toward the per-address limit.
    @discardableResult
    func checkCode(_ given: String, user: UserRecord, purpose: String, clientId: ClientID?, call: Call) async throws -> String? {
        let limits = throttle.wrongCodeLimits(sourceIp: call.sourceIp)
        try await throttle.requireOpen(limits.map(\.key), now: call.now)
        let pending = try await directory.confirmationCode(sub: user.sub, purpose: purpose)
        let outcome = OneTimeCodeCheck.decide(
            pending: pending,
            matches: { code in
                let boundTo = code.attribute.map { ($0, user.attributes[$0] ?? "") }
                return constantTimeEquals(codeHash(given, sub: user.sub, purpose: purpose, boundTo: boundTo), code.codeHash)
            }, now: call.now)
        switch outcome {
        case .proved(let attribute):
            return attribute
        case .refused(let error, let recordsRejection):
            if recordsRejection {
                try await appendToUser(
                    user, [OneTimeCodeCheck.rejection(purpose: purpose)], call: call, actor: user.sub.rawValue, clientId: clientId)
                await throttle.count(limits, now: call.now)
            }
            throw error
        }
    }

    /// Appends the events `command` decides for `user` (`UserAccount.decide`) at the version loaded.
    func apply(
        _ command: AccountCommand, to user: UserRecord, context: AccountCommandContext, call: Call, actor: String? = nil,
        clientId: ClientID? = nil
    ) async throws {
        try await appendToUser(user, try user.account.decide(command, context: context), call: call, actor: actor, clientId: clientId)
    }

    /// The keyed hash of a code; a code sent to a contact covers that attribute's value, so it proves
    /// nothing once the value changed.
    func codeHash(_ code: String, sub: Sub, purpose: String, boundTo contact: (attribute: String, value: String)?) -> String {
        guard let contact else { return master.codeHasher.hash(code, context: "\(sub.rawValue)|\(purpose)") }
        return master.codeHasher.hash(code, context: "\(sub.rawValue)|\(purpose)|\(contact.attribute)=\(contact.value)")
    }

    /// The user's password verifier, opened with the user's data key.
    func verifier(of user: UserRecord) async throws -> PasswordVerifier? {
        guard let sealed = user.sealedVerifier, let key = try dataKey(of: user) else { return nil }
        return try key.open(sealed, as: PasswordVerifier.self)
    }

    /// A new verifier for `password`, bound to the pool and the internal username as SRP needs.
    func newVerifier(password: String, pool: PoolRecord, username: String) -> PasswordVerifier {
        PasswordVerifier.make(password: password, poolName: pool.id.poolName, userID: username)
    }

    /// Appends events to a user's stream at the version the caller loaded.
    func appendToUser(_ user: UserRecord, _ payloads: [any EventPayload], call: Call, actor: String? = nil, clientId: ClientID? = nil)
        async throws
    {
        let stream = Stream.user(user.sub)
        try await commit(
            .init(
                stream: stream, expected: .exact(user.version), events: payloads.map { NewEvent(streamID: stream, $0) }, sealingKey: user.sealingKey),
            metadata: call.metadata(actor: actor, clientId: clientId))
    }

    /// The associated data of challenge sessions: a sealed session opens as nothing else.
    static let sessionPurpose = "postern challenge session v1"

    func sealSession(_ session: ChallengeSession) throws -> String { try master.sessions.seal(json: session, purpose: Self.sessionPurpose) }

    /// Opens the session of a challenge answer: it must be this challenge's, for this client and pool.
    func openChallengeSession(_ sealed: String?, challenge: String, pool: PoolRecord, client: ClientRecord, now: Date) throws -> ChallengeSession {
        guard let sealed else { throw DomainError.invalidParameter("Missing required parameter Session") }
        let session = try openSession(sealed, now: now)
        guard session.challenge == challenge, session.clientId == client.id.rawValue, session.poolId == pool.id.rawValue else {
            throw DomainError.notAuthorized("Invalid session for the user.")
        }
        return session
    }

    /// Whether the USERNAME of a challenge answer names `user` (its username, or an alias that leads to it).
    func names(_ given: String, user: UserRecord, pool: PoolRecord) async throws -> Bool {
        if pool.settings.usernameKey(given) == pool.settings.usernameKey(user.username) { return true }
        return try await directory.user(pool: pool, login: given)?.sub == user.sub
    }

    /// Opens a challenge session; expired or forged sessions are Cognito's NotAuthorized.
    func openSession(_ sealed: String, now: Date) throws -> ChallengeSession {
        guard let session = try? master.sessions.open(sealed, as: ChallengeSession.self, purpose: Self.sessionPurpose) else {
            throw DomainError.notAuthorized("Invalid session for the user.")
        }
        guard session.expiresAt > now else { throw DomainError.notAuthorized("Invalid session for the user, session is expired.") }
        return session
    }
}

/// Who asked for a message and what they passed along, for the CustomMessage hook.
struct MessageContext: Sendable {
    var clientId: ClientID?
    var clientMetadata: [String: String]?
    var userStatus: UserStatus?
}

/// Default message texts (the pool's templates when set), with `{####}` for the code and `{username}`.
enum MessageTemplates {
    static func template(purpose: String, pool: PoolRecord, medium: String) -> (subject: String?, body: String) {
        let settings = pool.settings.json
        switch purpose {
        case "Authentication":
            // MFA codes: SetUserPoolMfaConfig's SMS and email messages, else Cognito's defaults.
            if medium == "EMAIL" {
                let email = settings[UserPoolSettings.emailMFAMember]
                return (
                    email?["Subject"]?.stringValue ?? "Your authentication code",
                    email?["Message"]?.stringValue ?? "Your authentication code is {####}."
                )
            }
            return (nil, settings["SmsAuthenticationMessage"]?.stringValue ?? "Your authentication code is {####}.")
        case "AdminCreateUser":
            let invite = settings["AdminCreateUserConfig"]?["InviteMessageTemplate"]
            let body =
                (medium == "EMAIL" ? invite?["EmailMessage"] : invite?["SMSMessage"])?.stringValue
                ?? "Your username is {username} and temporary password is {####}."
            return (medium == "EMAIL" ? invite?["EmailSubject"]?.stringValue ?? "Your temporary password" : nil, body)
        default:
            let verification = settings["VerificationMessageTemplate"]
            guard medium == "EMAIL" else {
                return (
                    nil,
                    verification?["SmsMessage"]?.stringValue ?? settings["SmsVerificationMessage"]?.stringValue
                        ?? "Your verification code is {####}."
                )
            }
            let body =
                verification?["EmailMessage"]?.stringValue ?? settings["EmailVerificationMessage"]?.stringValue
                ?? "Your verification code is {####}."
            let subject =
                verification?["EmailSubject"]?.stringValue ?? settings["EmailVerificationSubject"]?.stringValue
                ?? "Your verification code"
            return (subject, body)
        }
    }

    static func render(_ template: String, username: String, code: String) -> String {
        template.replacingOccurrences(of: "{####}", with: code).replacingOccurrences(of: "{username}", with: username)
    }
}

/// Cognito's `UserType` (ListUsers, AdminCreateUser).
struct UserType: Encodable, Sendable {
    var Username: String
    var Attributes: [AttributeType]
    var UserCreateDate: Date
    var UserLastModifiedDate: Date
    var Enabled: Bool
    var UserStatus: String

    init(_ user: UserRecord, attributesToGet: [String]? = nil) {
        Username = user.username
        var attributes = user.attributes
        attributes["sub"] = user.sub.rawValue
        if let wanted = attributesToGet { attributes = attributes.filter { wanted.contains($0.key) } }
        Attributes = attributes.wireAttributes
        UserCreateDate = user.createdAt
        UserLastModifiedDate = user.updatedAt
        Enabled = user.enabled
        UserStatus = user.status.rawValue
    }
}
