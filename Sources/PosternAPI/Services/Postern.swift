import Foundation
import Logging
import PosternCore
import PosternCrypto
import PosternHooks
import PosternStore
import PostgresNIO
import Synchronization

/// The services every command uses: the store, the directory, keys and configuration.
public final class Postern: Sendable {
    public let store: EventStore
    let directory: DirectoryQueries
    let master: MasterKey
    let configuration: ServerConfiguration
    let signingKeys: SigningKeyCache
    let triggers: Triggers
    let throttle: Throttle
    let quotaSettings = QuotaSettingsCache()
    /// The pool of each app client seen, for counting requests that name only a client.
    let clientPools = Mutex<[String: UserPoolID]>([:])
    let logger: Logger

    public init(client: PostgresClient, configuration: ServerConfiguration, logger: Logger) {
        let keyring = StoreKeyring(master: configuration.masterKey)
        store = EventStore(
            client: client, projector: DirectoryProjector(opener: keyring), keyring: keyring, chainKey: configuration.masterKey.chainKey,
            logger: logger)
        directory = DirectoryQueries(client: client, logger: logger)
        master = configuration.masterKey
        self.configuration = configuration
        signingKeys = SigningKeyCache(sealer: configuration.masterKey.secrets)
        let plugins = URL(fileURLWithPath: configuration.pluginsDirectory).standardizedFileURL
        triggers = Triggers(
            catalog: FunctionCatalog(directory: plugins), runner: HookRunner(workingDirectory: plugins, logger: logger), region: configuration.region,
            logger: logger)
        throttle = Throttle(policy: configuration.throttle, counters: RateLimitCounters(client: client, logger: logger), logger: logger)
        self.logger = logger
    }

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

    func issuer(_ pool: UserPoolID) -> String { "\(configuration.issuerBase)/\(pool.rawValue)" }

    /// Unwraps the data key of a user as loaded (the directory reads it with the user row), or nil if it
    /// was destroyed.
    func dataKey(of user: UserRecord) throws -> Sealer? {
        guard let wrapped = user.wrappedDataKey else { return nil }
        return try master.unwrap(wrapped)
    }

    /// Unwraps the data key of a user, or nil if it was destroyed.
    func dataKey(of sub: Sub) async throws -> Sealer? {
        guard let wrapped = try await directory.wrappedDataKey(subject: sub.rawValue) else { return nil }
        return try master.unwrap(wrapped)
    }
}

/// The master key as the store's keyring: it makes, unwraps and uses subjects' data keys.
struct StoreKeyring: SubjectKeyring {
    let master: MasterKey
    func open(_ sealed: String, wrappedKey: [UInt8]) throws -> [UInt8] { try master.unwrap(wrappedKey).open(sealed) }
    func newWrappedKey() throws -> [UInt8] { try master.newDataKey().wrapped }
    func sealer(wrappedKey: [UInt8]) throws -> any PersonalDataSealer { try master.unwrap(wrappedKey) }
}

/// Opened pool signing keys, kept in memory: unsealing and parsing RSA keys per request would cost more
/// than signing.
actor SigningKeyCache {
    let sealer: Sealer
    var keys: [String: PoolSigningKeys] = [:]

    init(sealer: Sealer) { self.sealer = sealer }

    func keys(for pool: PoolRecord) async throws -> PoolSigningKeys {
        if let cached = keys[pool.id.rawValue] { return cached }
        let opened = try await PoolSigningKeys(sealed: pool.signingKeys, sealer: sealer)
        keys[pool.id.rawValue] = opened
        return opened
    }

    func forget(_ pool: UserPoolID) { keys[pool.rawValue] = nil }
}
