import AsyncHTTPClient
import Foundation
import Logging
import PosternCore
import PosternCrypto
import PosternHooks
import PosternStore
import PostgresNIO
import Synchronization

/// The composition root: the store, the directory, keys, hooks, limits and configuration, created once per
/// server. It provides every service (`Services.swift`); operations name the ones they use.
public final class Postern: Sendable {
    public let store: EventStore
    let directory: DirectoryQueries
    let master: MasterKey
    let configuration: ServerConfiguration
    let signingKeys: SigningKeyCache
    let identityTokenKeys = IdentityTokenKeyring()
    let triggers: Triggers
    let throttle: Throttle
    let quotaSettings = QuotaSettingsCache()
    /// The pool of each app client seen, for counting requests that name only a client.
    let clientPools = Mutex<[String: UserPoolID]>([:])
    /// The identity pool of each identity seen by the request quotas (identities never change pools).
    let identityPools = Mutex<[String: String]>([:])
    /// The STS GetCredentialsForIdentity delegates to, when one is configured.
    let upstreamSTS: UpstreamSTS?
    /// External OpenID issuers' signing keys (IAM OIDC providers, social providers), fetched and cached.
    let openIDKeys: OpenIDKeySource
    let logger: Logger
    var openIDProviders: OpenIDProviderSettings { configuration.openIDProviders }

    public init(client: PostgresClient, configuration: ServerConfiguration, logger: Logger) {
        let keyring = StoreKeyring(master: configuration.masterKey)
        let directory = DirectoryQueries(client: client, logger: logger)
        let users = directory.users
        store = EventStore(
            client: client, projector: DirectoryProjector(opener: keyring), keyring: keyring, chainKey: configuration.masterKey.chainKey,
            observer: { streams, began in users.invalidate(streams: streams, newUsers: began.contains { $0.hasPrefix("user-") }) }, logger: logger)
        self.directory = directory
        master = configuration.masterKey
        self.configuration = configuration
        signingKeys = SigningKeyCache(sealer: configuration.masterKey.secrets)
        let plugins = URL(fileURLWithPath: configuration.pluginsDirectory).standardizedFileURL
        triggers = Triggers(
            catalog: FunctionCatalog(directory: plugins), runner: HookRunner(workingDirectory: plugins, logger: logger), region: configuration.region,
            logger: logger)
        throttle = Throttle(policy: configuration.throttle, counters: RateLimitCounters(client: client, logger: logger), logger: logger)
        upstreamSTS = configuration.upstreamSTSURL.map { UpstreamSTS(endpoint: $0, client: .shared) }
        openIDKeys = OpenIDKeySource(client: .shared, logger: logger)
        self.logger = logger
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
