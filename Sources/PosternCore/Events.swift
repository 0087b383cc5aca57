import Foundation

/// An event about to be appended: its stream, persisted type name and payload.
///
/// Type names and schema versions are explicit constants, never derived from Swift type names, so a
/// rename in code never changes stored data. A payload stays a value until the store writes it: the store
/// encodes it then, sealing its `Sealed` values with the stream's subject key.
public struct NewEvent: Sendable {
    public var streamID: String
    public var type: String
    public var schemaVersion: Int
    let body: Body

    enum Body: Sendable {
        case json(JSONValue)
        case payload(any EventPayload)
    }

    /// An event given as JSON (tools, tests, foreign writers): it must hold no unsealed personal datum.
    public init(streamID: String, type: String, schemaVersion: Int = 1, data: JSONValue) {
        self.streamID = streamID
        self.type = type
        self.schemaVersion = schemaVersion
        body = .json(data)
    }

    public init<Payload: EventPayload>(streamID: String, _ payload: Payload) {
        self.streamID = streamID
        type = Payload.eventType
        schemaVersion = Payload.schemaVersion
        body = .payload(payload)
    }

    /// The payload, when the event was built from one.
    public var payload: (any EventPayload)? {
        if case .payload(let payload) = body { return payload }
        return nil
    }

    /// The JSON text the log stores, with every `Sealed` value sealed by `sealer`. Without a sealer, a
    /// plaintext `Sealed` value makes this throw instead of leaving the process unsealed.
    public func storedText(sealer: (any PersonalDataSealer)?) throws -> String {
        switch body {
        case .json(let value):
            return String(decoding: try JSONValue.encoder.encode(value), as: UTF8.self)
        case .payload(let payload):
            let encoder = JSONValue.encoder
            if let sealer { encoder.userInfo[.personalDataSealer] = sealer }
            return String(decoding: try encoder.encode(payload), as: UTF8.self)
        }
    }

    /// The payload as JSON (sealing with `sealer`), as `storedText` writes it.
    public func data(sealer: (any PersonalDataSealer)? = nil) throws -> JSONValue {
        if case .json(let value) = body { return value }
        return try JSONValue.parse(Data(try storedText(sealer: sealer).utf8))
    }
}

/// A payload type with its persisted name and version.
public protocol EventPayload: Codable, Sendable {
    static var eventType: String { get }
    static var schemaVersion: Int { get }
}

extension EventPayload {
    public static var schemaVersion: Int { 1 }
}

/// Who did it, from where, and why: carried by every event.
public struct EventMetadata: Codable, Sendable, Equatable {
    public var requestId: String
    public var actor: String
    public var clientId: String?
    public var sourceIp: String?
    public var userAgent: String?
    public var correlationId: String?
    public var causationId: String?
    public var operation: String?

    public init(
        requestId: String, actor: String, clientId: String? = nil, sourceIp: String? = nil, userAgent: String? = nil,
        correlationId: String? = nil, causationId: String? = nil, operation: String? = nil
    ) {
        self.requestId = requestId
        self.actor = actor
        self.clientId = clientId
        self.sourceIp = sourceIp
        self.userAgent = userAgent
        self.correlationId = correlationId ?? requestId
        self.causationId = causationId
        self.operation = operation
    }
}

/// Stream names: `category-id`; the category is the text before the first `-`.
public enum Stream {
    public static func userPool(_ id: UserPoolID) -> String { "userpool-\(id.rawValue)" }
    public static func client(_ id: ClientID) -> String { "client-\(id.rawValue)" }
    public static func user(_ sub: Sub) -> String { "user-\(sub.rawValue)" }
    public static func adminKey(_ accessKeyID: String) -> String { "adminkey-\(accessKeyID)" }
    /// A one-event stream for a sign-in attempt that matched no user.
    public static func attempt(_ id: UUID) -> String { "attempt-\(id.uuidString.lowercased())" }

    /// The subject whose data key seals the personal data of `stream`'s events: the user of a user
    /// stream, the identity of an identity stream (its logins' subjects); nil for streams that hold none
    /// (pools, clients, keys, attempts).
    public static func subject(of stream: String) -> String? {
        if stream.hasPrefix("user-") { return String(stream.dropFirst(5)) }
        if stream.hasPrefix("identity-") { return String(stream.dropFirst(9)) }
        return nil
    }
}

/// A signing key sealed under the master key, as stored in events.
public struct SealedSigningKey: Codable, Sendable, Equatable {
    public var kid: String
    /// `id` or `access`: Cognito signs ID and access tokens with different keys.
    public var use: String
    public var sealedPrivateKey: String

    public init(kid: String, use: String, sealedPrivateKey: String) {
        self.kid = kid
        self.use = use
        self.sealedPrivateKey = sealedPrivateKey
    }
}

public struct UserPoolCreated: EventPayload {
    public static let eventType = "UserPoolCreated"
    public var poolId: UserPoolID
    public var name: String
    public var settings: JSONValue
    public var signingKeys: [SealedSigningKey]
    public init(poolId: UserPoolID, name: String, settings: JSONValue, signingKeys: [SealedSigningKey]) {
        self.poolId = poolId
        self.name = name
        self.settings = settings
        self.signingKeys = signingKeys
    }
}

public struct UserPoolUpdated: EventPayload {
    public static let eventType = "UserPoolUpdated"
    public var poolId: UserPoolID
    public var settings: JSONValue
    public init(poolId: UserPoolID, settings: JSONValue) {
        self.poolId = poolId
        self.settings = settings
    }
}

public struct UserPoolDeleted: EventPayload {
    public static let eventType = "UserPoolDeleted"
    public var poolId: UserPoolID
    public init(poolId: UserPoolID) { self.poolId = poolId }
}

public struct UserPoolClientCreated: EventPayload {
    public static let eventType = "UserPoolClientCreated"
    public var poolId: UserPoolID
    public var clientId: ClientID
    public var settings: JSONValue
    /// The client secret sealed under the master key; absent for public clients.
    public var sealedSecret: String?
    public init(poolId: UserPoolID, clientId: ClientID, settings: JSONValue, sealedSecret: String?) {
        self.poolId = poolId
        self.clientId = clientId
        self.settings = settings
        self.sealedSecret = sealedSecret
    }
}

public struct UserPoolClientUpdated: EventPayload {
    public static let eventType = "UserPoolClientUpdated"
    public var poolId: UserPoolID
    public var clientId: ClientID
    public var settings: JSONValue
    public init(poolId: UserPoolID, clientId: ClientID, settings: JSONValue) {
        self.poolId = poolId
        self.clientId = clientId
        self.settings = settings
    }
}

public struct UserPoolClientDeleted: EventPayload {
    public static let eventType = "UserPoolClientDeleted"
    public var poolId: UserPoolID
    public var clientId: ClientID
    public init(poolId: UserPoolID, clientId: ClientID) {
        self.poolId = poolId
        self.clientId = clientId
    }
}

/// The personal part of a user, sealed with the user's data key inside events.
public struct UserProfile: Codable, Sendable, Equatable {
    public var username: String
    public var attributes: [String: String]
    public init(username: String, attributes: [String: String]) {
        self.username = username
        self.attributes = attributes
    }
}

/// A user registered: by SignUp (`origin` = "SignUp") or by an administrator ("AdminCreateUser").
/// Username and attributes travel only inside `sealedProfile`, the password verifier inside `sealedVerifier`.
public struct UserRegistered: EventPayload {
    public static let eventType = "UserSignedUp"
    public var poolId: UserPoolID
    public var sub: Sub
    public var origin: String
    public var sealedProfile: Sealed<UserProfile>
    public var sealedVerifier: Sealed<PasswordVerifier>?
    public var status: UserStatus
    public var clientId: ClientID?
    /// The PreSignUp hook's run and decision, so replay and audit never run it again.
    public var preSignUp: HookInvocation?
    /// The UserMigration hook that brought the user over from a legacy directory.
    public var migration: HookInvocation?
    public init(
        poolId: UserPoolID, sub: Sub, origin: String, sealedProfile: Sealed<UserProfile>, sealedVerifier: Sealed<PasswordVerifier>?,
        status: UserStatus,
        clientId: ClientID?, preSignUp: HookInvocation? = nil, migration: HookInvocation? = nil
    ) {
        self.migration = migration
        self.poolId = poolId
        self.sub = sub
        self.origin = origin
        self.sealedProfile = sealedProfile
        self.sealedVerifier = sealedVerifier
        self.status = status
        self.clientId = clientId
        self.preSignUp = preSignUp
    }
}

/// A user's attributes changed; the whole new profile is sealed with the user's data key.
public struct UserProfileChanged: EventPayload {
    public static let eventType = "UserProfileChanged"
    public var sealedProfile: Sealed<UserProfile>
    /// Names of the attributes that changed (names only: values stay sealed).
    public var changedAttributes: [String]
    public init(sealedProfile: Sealed<UserProfile>, changedAttributes: [String]) {
        self.sealedProfile = sealedProfile
        self.changedAttributes = changedAttributes
    }
}

public struct ConfirmationCodeIssued: EventPayload {
    public static let eventType = "ConfirmationCodeIssued"
    public var purpose: String
    /// HMAC of the code under a server key; the code itself travels only inside the sealed message.
    public var codeHash: String
    public var expiresAt: Date
    public var messageId: String
    /// The contact attribute the code went to (`email`, `phone_number`); the hash covers its value, so the
    /// code proves only that value. Absent on codes issued before codes were bound to values.
    public var attribute: String?
    public init(purpose: String, codeHash: String, expiresAt: Date, messageId: String, attribute: String? = nil) {
        self.purpose = purpose
        self.codeHash = codeHash
        self.expiresAt = expiresAt
        self.messageId = messageId
        self.attribute = attribute
    }
}

public struct ConfirmationCodeRejected: EventPayload {
    public static let eventType = "ConfirmationCodeRejected"
    public var purpose: String
    public var reason: String
    public init(purpose: String, reason: String) {
        self.purpose = purpose
        self.reason = reason
    }
}

public struct UserConfirmed: EventPayload {
    public static let eventType = "UserConfirmed"
    /// `code` (ConfirmSignUp) or `admin` (AdminConfirmSignUp).
    public var by: String
    /// The contact attribute the code was sent to, now verified (`email` or `phone_number`).
    public var verifiedAttribute: String?
    public init(by: String, verifiedAttribute: String? = nil) {
        self.by = by
        self.verifiedAttribute = verifiedAttribute
    }
}

public struct PasswordChanged: EventPayload {
    public static let eventType = "PasswordChanged"
    public var sealedVerifier: Sealed<PasswordVerifier>
    public var status: UserStatus
    public var reason: String
    /// The challenge session this change answered, claimed once in `used_sessions`.
    public var sessionId: String?
    /// The purpose of the one-time code this change used up (`ForgotPassword`), deleted with it.
    public var consumedCode: String?
    public init(sealedVerifier: Sealed<PasswordVerifier>, status: UserStatus, reason: String, sessionId: String? = nil, consumedCode: String? = nil) {
        self.sealedVerifier = sealedVerifier
        self.status = status
        self.reason = reason
        self.sessionId = sessionId
        self.consumedCode = consumedCode
    }
}

/// The user proved a code sent to a contact attribute (VerifyUserAttribute): `<attribute>_verified` is true.
public struct AttributeVerified: EventPayload {
    public static let eventType = "AttributeVerified"
    /// `email` or `phone_number`.
    public var attribute: String
    public init(attribute: String) { self.attribute = attribute }
}

/// An administrator invalidated the user's password (AdminResetUserPassword): the user must reset it.
public struct PasswordResetRequired: EventPayload {
    public static let eventType = "PasswordResetRequired"
    public var by: String
    public init(by: String) { self.by = by }
}

public struct SignInSucceeded: EventPayload {
    public static let eventType = "SignInSucceeded"
    public var flow: String
    public var clientId: ClientID
    public var originJti: String
    public var refreshTokenHash: String
    public var authTime: Date
    public var refreshExpiresAt: Date
    /// The hooks that ran for this sign-in (PreAuthentication, PostAuthentication, PreTokenGeneration …).
    public var hooks: [HookInvocation]?
    /// The tracked device the sign-in came from (its `device_key` claim), when the pool tracks devices.
    public var deviceKey: String?
    /// Whether the device proved itself with device SRP in this sign-in (it was last authenticated now).
    public var deviceAuthenticated: Bool?
    public init(
        flow: String, clientId: ClientID, originJti: String, refreshTokenHash: String, authTime: Date, refreshExpiresAt: Date,
        hooks: [HookInvocation]? = nil, deviceKey: String? = nil, deviceAuthenticated: Bool? = nil
    ) {
        self.deviceKey = deviceKey
        self.deviceAuthenticated = deviceAuthenticated
        self.flow = flow
        self.clientId = clientId
        self.originJti = originJti
        self.refreshTokenHash = refreshTokenHash
        self.authTime = authTime
        self.refreshExpiresAt = refreshExpiresAt
        self.hooks = hooks
    }
}

public struct SignInFailed: EventPayload {
    public static let eventType = "SignInFailed"
    public var flow: String
    public var clientId: ClientID?
    public var poolId: UserPoolID
    /// `incorrect_password`, `user_not_found`, `locked_out`, `user_disabled`, `user_not_confirmed`, …
    public var reason: String
    public var failedAttempts: Int?
    public var lockedUntil: Date?
    /// The hooks that ran before the attempt failed (e.g. DefineAuthChallenge deciding to fail it).
    public var hooks: [HookInvocation]?
    public init(flow: String, clientId: ClientID?, poolId: UserPoolID, reason: String, failedAttempts: Int? = nil, lockedUntil: Date? = nil) {
        self.flow = flow
        self.clientId = clientId
        self.poolId = poolId
        self.reason = reason
        self.failedAttempts = failedAttempts
        self.lockedUntil = lockedUntil
    }
}

public struct ChallengeIssued: EventPayload {
    public static let eventType = "ChallengeIssued"
    public var challengeName: String
    public var clientId: ClientID
    public var sessionId: String
    /// The hooks that chose and made the challenge (DefineAuthChallenge, CreateAuthChallenge).
    public var hooks: [HookInvocation]?
    /// DEVICE_SRP_AUTH: the device asked to prove itself, and until when (clients may answer it without
    /// the session, naming the device; the directory keeps the challenge on the device for that).
    public var deviceKey: String?
    public var expiresAt: Date?
    public init(
        challengeName: String, clientId: ClientID, sessionId: String, hooks: [HookInvocation]? = nil, deviceKey: String? = nil,
        expiresAt: Date? = nil
    ) {
        self.challengeName = challengeName
        self.clientId = clientId
        self.sessionId = sessionId
        self.hooks = hooks
        self.deviceKey = deviceKey
        self.expiresAt = expiresAt
    }
}

/// A challenge session was answered; it can never be answered again.
public struct ChallengeAnswered: EventPayload {
    public static let eventType = "ChallengeAnswered"
    public var challengeName: String
    public var clientId: ClientID
    public var sessionId: String
    public var correct: Bool
    /// The hooks that judged the answer and decided what follows (VerifyAuthChallengeResponse, DefineAuthChallenge).
    public var hooks: [HookInvocation]?
    /// SOFTWARE_TOKEN_MFA: the TOTP step of the code accepted, which may not be used again.
    public var timeStep: Int64?
    /// SMS_MFA, EMAIL_OTP: the purpose of the one-time code this answer used up, deleted with it.
    public var consumedCode: String?
    /// WEB_AUTHN: the passkey that answered, and its signature counter now.
    public var passkey: String?
    public var signCount: Int?
    public init(
        challengeName: String, clientId: ClientID, sessionId: String, correct: Bool, hooks: [HookInvocation]? = nil, timeStep: Int64? = nil,
        consumedCode: String? = nil, passkey: String? = nil, signCount: Int? = nil
    ) {
        self.passkey = passkey
        self.signCount = signCount
        self.challengeName = challengeName
        self.clientId = clientId
        self.sessionId = sessionId
        self.correct = correct
        self.hooks = hooks
        self.timeStep = timeStep
        self.consumedCode = consumedCode
    }
}

public struct TokensRefreshed: EventPayload {
    public static let eventType = "TokensRefreshed"
    public var clientId: ClientID
    public var originJti: String
    /// The PreTokenGeneration run for these tokens, if the pool has one.
    public var hooks: [HookInvocation]?
    public init(clientId: ClientID, originJti: String, hooks: [HookInvocation]? = nil) {
        self.clientId = clientId
        self.originJti = originJti
        self.hooks = hooks
    }
}

public struct RefreshTokenRevoked: EventPayload {
    public static let eventType = "RefreshTokenRevoked"
    public var originJti: String
    public init(originJti: String) { self.originJti = originJti }
}

public struct UserSignedOutGlobally: EventPayload {
    public static let eventType = "UserSignedOutGlobally"
    /// Tokens issued at or before this instant are no longer accepted.
    public var tokensValidAfter: Date
    public init(tokensValidAfter: Date) { self.tokensValidAfter = tokensValidAfter }
}

/// An administrator deactivated the user (AdminDisableUser): no sign-in, refresh or access token is accepted
/// until AdminEnableUser. The tokens issued before are revoked by the `UserSignedOutGlobally` that follows it.
public struct UserDisabled: EventPayload {
    public static let eventType = "UserDisabled"
    public var by: String
    public init(by: String) { self.by = by }
}

/// An administrator activated a disabled user again (AdminEnableUser).
public struct UserEnabled: EventPayload {
    public static let eventType = "UserEnabled"
    public var by: String
    public init(by: String) { self.by = by }
}

public struct UserDeleted: EventPayload {
    public static let eventType = "UserDeleted"
    public var poolId: UserPoolID
    public var by: String
    public init(poolId: UserPoolID, by: String) {
        self.poolId = poolId
        self.by = by
    }
}

/// A message for the delivery worker (the outbox). Destination, text and code are sealed with the
/// recipient's data key, so they vanish with the user.
public struct MessageQueued: EventPayload {
    public static let eventType = "MessageQueued"
    public var messageId: String
    public var poolId: UserPoolID
    public var kind: String
    public var deliveryMedium: String
    public var sealedMessage: Sealed<OutboundMessage>
    /// The CustomMessage hook that wrote the text, if the pool has one.
    public var hooks: [HookInvocation]?
    public init(
        messageId: String, poolId: UserPoolID, kind: String, deliveryMedium: String, sealedMessage: Sealed<OutboundMessage>,
        hooks: [HookInvocation]? = nil
    ) {
        self.messageId = messageId
        self.poolId = poolId
        self.kind = kind
        self.deliveryMedium = deliveryMedium
        self.sealedMessage = sealedMessage
        self.hooks = hooks
    }
}

/// The plaintext of a queued message, only ever held in memory or inside `MessageQueued.sealedMessage`.
public struct OutboundMessage: Codable, Sendable {
    public var username: String
    public var destination: String
    public var subject: String?
    public var message: String
    public var code: String?
    /// The ClientMetadata of the call that queued the message, for custom sender hooks.
    public var clientMetadata: [String: String]?
    public init(username: String, destination: String, subject: String?, message: String, code: String?, clientMetadata: [String: String]? = nil) {
        self.username = username
        self.destination = destination
        self.subject = subject
        self.message = message
        self.code = code
        self.clientMetadata = clientMetadata
    }
}

public struct AdminKeyCreated: EventPayload {
    public static let eventType = "AdminKeyCreated"
    public var accessKeyId: String
    public var sealedSecret: String
    public var description: String
    public init(accessKeyId: String, sealedSecret: String, description: String) {
        self.accessKeyId = accessKeyId
        self.sealedSecret = sealedSecret
        self.description = description
    }
}

public struct AdminKeyRevoked: EventPayload {
    public static let eventType = "AdminKeyRevoked"
    public var accessKeyId: String
    public init(accessKeyId: String) { self.accessKeyId = accessKeyId }
}

/// One run of a Lambda-style hook as events record it: which function, for which trigger source, how long
/// it took, and what it decided (only the response fields Postern acted on; never personal data).
public struct HookInvocation: Codable, Sendable, Equatable {
    public var function: String
    public var triggerSource: String
    public var durationMilliseconds: Int
    public var outcome: String
    /// What the hook decided, readable by auditors; personal values stay out of it.
    public var decision: [String: JSONValue]
    /// The decision's values (added claims, migrated attributes …), sealed with the user's data key.
    public var sealedDecision: Sealed<JSONValue>?
    /// Why the hook ran again within one operation (`input_changed`: the command was decided again after
    /// a conflict and the reloaded state changed what the hook reads); nil for a first run.
    public var rerun: String?
    public init(
        function: String, triggerSource: String, durationMilliseconds: Int, outcome: String, decision: [String: JSONValue],
        sealedDecision: Sealed<JSONValue>? = nil
    ) {
        self.function = function
        self.triggerSource = triggerSource
        self.durationMilliseconds = durationMilliseconds
        self.outcome = outcome
        self.decision = decision
        self.sealedDecision = sealedDecision
    }
}

/// A hook that runs after its operation committed (PostConfirmation, …): its run and outcome, recorded
/// so audits see it and replays never run it again.
public struct HookInvoked: EventPayload {
    public static let eventType = "HookInvoked"
    public var invocation: HookInvocation
    public init(invocation: HookInvocation) { self.invocation = invocation }
}

/// Cognito's `UserStatusType` values that Postern emits.
public enum UserStatus: String, Codable, Sendable {
    case unconfirmed = "UNCONFIRMED"
    case confirmed = "CONFIRMED"
    case forceChangePassword = "FORCE_CHANGE_PASSWORD"
    case resetRequired = "RESET_REQUIRED"
    case externalProvider = "EXTERNAL_PROVIDER"
}

/// A request answered as if it concerned a real user who could receive a code, because the app client
/// hides user existence (`PreventUserExistenceErrors`): no such user, a disabled one, one with no
/// verified contact or one already confirmed. Recorded so auditors see enumeration attempts, and so the
/// answer costs a write, as the real one does.
public struct UserExistenceHidden: EventPayload {
    public static let eventType = "UserExistenceHidden"
    public var poolId: UserPoolID
    public var clientId: ClientID
    /// The real user, when there is one.
    public var sub: Sub?
    /// `user_not_found`, `user_disabled`, `no_verified_contact`, `already_confirmed`, `migration_failed`.
    public var reason: String
    public init(poolId: UserPoolID, clientId: ClientID, sub: Sub?, reason: String) {
        self.poolId = poolId
        self.clientId = clientId
        self.sub = sub
        self.reason = reason
    }
}

/// Another user proved the same email or phone number and took it as a sign-in alias
/// (`ForceAliasCreation`): this user's copy is no longer verified, so it no longer signs them in.
public struct AliasReleased: EventPayload {
    public static let eventType = "AliasReleased"
    /// `email` or `phone_number`.
    public var attribute: String
    /// The user who holds the alias now.
    public var takenBy: Sub
    public init(attribute: String, takenBy: Sub) {
        self.attribute = attribute
        self.takenBy = takenBy
    }
}

/// The outbox gave up on a message: the relay refused it for good (an SMTP 5xx), or it kept failing
/// for the bounded number of attempts. Later messages are delivered regardless. Holds no address and
/// no text, only which message, why (`smtp_550`, `transient_exhausted`, …) and how often it was tried.
public struct MessageDeadLettered: EventPayload {
    public static let eventType = "MessageDeadLettered"
    public var messageId: String
    /// Why delivery stopped: `smtp_<code>` for a permanent refusal, `transient_exhausted`, `unsafe_header`, …
    public var reason: String
    public var attempts: Int
    /// `smtp`, `file` or `hook`.
    public var transport: String
    /// The last transient failure, when the attempts ran out (`smtp_451`, `connection`, `timeout`, …).
    public var lastFailure: String?
    public init(messageId: String, reason: String, attempts: Int, transport: String, lastFailure: String? = nil) {
        self.messageId = messageId
        self.reason = reason
        self.attempts = attempts
        self.transport = transport
        self.lastFailure = lastFailure
    }
}
