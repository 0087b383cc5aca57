import Foundation
import Logging
import PosternCore
import PosternCrypto
import PosternStore

// The narrow services an operation names (`AWSOperation.Services`), in the spirit of cognito-local's
// `Pick<Services, …>` per target: a handler sees only the services in its signature, so what an operation
// can read, write, run or sign is visible where it is declared. Each service is a protocol that names the
// parts of the server it depends on, and its behaviour lives in the protocol's extension (files named
// after the service). `Postern` is only the composition root that provides them all.

/// Reads the directory projection: pools, clients, users, codes, devices.
protocol DirectoryService: Sendable {
    var directory: DirectoryQueries { get }
}

/// Appends commands' events with their inline projections (`EventStore.append`), and tells configuration
/// caches when a pool, client or admin key changed.
protocol EventLogService: DirectoryService {
    var store: EventStore { get }
    var logger: Logger { get }
}

/// The server's master key: users' data keys, client secrets, challenge sessions, keyed code hashes.
protocol KeyService: Sendable {
    var master: MasterKey { get }
}

/// Request and failure limits (`Throttle`).
protocol ThrottleService: Sendable {
    var throttle: Throttle { get }
}

/// The pool's Lambda-style triggers.
protocol TriggerService: Sendable {
    var triggers: Triggers { get }
}

/// The app client a call names, its secret, and the users it names.
protocol ClientAccessService: DirectoryService, KeyService {}

/// Users' password verifiers: made for a new password, opened to check one.
protocol PasswordService: DirectoryService, KeyService {}

/// Messages (codes, temporary passwords): their text, CustomMessage, the outbox event.
protocol MessageService: TriggerService {}

/// One-time codes: issued with their message, limited, proved (`OneTimeCodeCheck`).
protocol OneTimeCodeService: MessageService, EventLogService, KeyService, ThrottleService {}

/// The answers of clients that hide user existence: decoy deliveries, recorded.
protocol UserExistenceService: EventLogService, KeyService, ThrottleService {}

/// Sign-in aliases a change would claim.
protocol AliasService: DirectoryService {}

/// Attribute changes and contact verification.
protocol AttributeService: OneTimeCodeService, AliasService {}

/// Challenge sessions (the sealed `Session` of a challenge answer).
protocol ChallengeSessionService: DirectoryService, KeyService {}

/// The server's settings (issuer, region, account id, limits).
protocol SettingsService: Sendable {
    var configuration: ServerConfiguration { get }
}

/// Signing and checking tokens, and recording completed sign-ins.
protocol TokenService: EventLogService, KeyService, TriggerService, SettingsService {
    var signingKeys: SigningKeyCache { get }
}

/// UserMigration: users created from a legacy directory's answer.
protocol UserMigrationService: EventLogService, TriggerService, PasswordService {}

/// Tracked devices and their status.
protocol DeviceService: EventLogService, KeyService, ChallengeSessionService {}

/// The sign-in flows (InitiateAuth, RespondToAuthChallenge and their admin variants): they use every service.
protocol SignInService: TokenService, OneTimeCodeService, UserExistenceService, ClientAccessService, PasswordService, ChallengeSessionService,
    UserMigrationService, DeviceService, AttributeService
{}

extension Postern: SignInService {}

/// What an operation names when it reads nothing beyond the caller the pipeline authenticated (GetUser).
struct NoServices: Sendable {}

extension EventLogService {
    /// Appends a command's events (with the inline projections, in one transaction). The one way the
    /// API writes: it marks the operation's attempt committed, so `CommandPipeline` never runs a
    /// command again once it has taken effect.
    @discardableResult
    func commit(_ batch: AppendBatch, metadata: EventMetadata) async throws(StoreError) -> [RecordedEvent] {
        let recorded = try await store.append(batch, metadata: metadata)
        CommandAttempt.current?.markCommitted()
        let configuration = batch.appends.map(\.stream).filter(EventStore.isConfigurationStream)
        if !configuration.isEmpty {
            // This server reads its own writes at once; the others hear of them from the log.
            directory.configuration.invalidate(streams: configuration)
            await store.notifyConfigurationChanged()
        }
        return recorded
    }

    /// Loads and appends again when another command appended to the same stream first — for appends
    /// that follow a committed command (a post-hook's record) and for background work. Before the
    /// operation's first commit the conflict is left to `CommandPipeline`, which decides the whole
    /// command again.
    func retrying<T: Sendable>(_ attempts: Int = 5, _ body: () async throws -> T) async throws -> T {
        if let attempt = CommandAttempt.current, !attempt.hasCommitted { return try await body() }
        for attempt in 1...attempts {
            do {
                return try await body()
            } catch StoreError.wrongExpectedVersion(let stream) {
                logger.debug("concurrent append; retrying", metadata: ["stream": "\(stream)", "attempt": "\(attempt)"])
            }
        }
        throw DomainError.concurrentModification("The resource was modified concurrently; try again.")
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

    /// Appends the events `command` decides for `user` (`UserAccount.decide`) at the version loaded; a command
    /// that changes nothing (disabling a disabled user) appends nothing.
    func apply(
        _ command: AccountCommand, to user: UserRecord, context: AccountCommandContext, call: Call, actor: String? = nil,
        clientId: ClientID? = nil
    ) async throws {
        let events = try user.account.decide(command, context: context)
        if events.isEmpty { return }
        try await appendToUser(user, events, call: call, actor: actor, clientId: clientId)
    }
}

extension KeyService {
    /// Unwraps the data key of a user as loaded (the directory reads it with the user row), or nil if it
    /// was destroyed.
    func dataKey(of user: UserRecord) throws -> Sealer? {
        guard let wrapped = user.wrappedDataKey else { return nil }
        return try master.unwrap(wrapped)
    }
}

extension KeyService where Self: DirectoryService {
    /// Unwraps the data key of a user, or nil if it was destroyed.
    func dataKey(of sub: Sub) async throws -> Sealer? {
        guard let wrapped = try await directory.wrappedDataKey(subject: sub.rawValue) else { return nil }
        return try master.unwrap(wrapped)
    }
}

extension SettingsService {
    /// The `iss` of the pool's tokens.
    func issuer(_ pool: UserPoolID) -> String { "\(configuration.issuerBase)/\(pool.rawValue)" }
}
