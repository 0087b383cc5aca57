import Foundation
import PosternCore
import PosternCrypto
import PosternStore

/// Everything `postern serve` needs, resolved from flags, environment and config file.
public struct ServerConfiguration: Sendable {
    public var host = "127.0.0.1"
    public var port = 7678
    /// The server's database role: SELECT/INSERT on the log when `migrationDatabaseURL` names the owner.
    public var databaseURL: String
    /// The owner role that runs migrations and grants `databaseURL`'s role; nil: one role does both.
    public var migrationDatabaseURL: String?
    /// How often the server signs a checkpoint of the log.
    public var checkpointInterval: Duration = .seconds(10)
    /// Base of token issuers (`{publicURL}/{userPoolId}`); defaults to `http://HOST:PORT`.
    public var publicURL: String?
    public var pluginsDirectory = "./plugins"
    public var region = "us-east-1"
    /// The account id shown in ARNs.
    public var accountId = "000000000000"
    public var migrationsDirectory: URL
    public var masterKey: MasterKey
    /// The bootstrap admin access key (SigV4), if configured.
    public var bootstrapAdminKey: (accessKeyID: String, secret: String)?
    /// Where the file sink writes outbound messages when no SMTP server is configured.
    public var outboxFile: String = ".postern/outbox.jsonl"
    /// Plain SMTP relay for email (`smtp://host:port`); without it email goes to the file sink too.
    public var smtpURL: String?
    public var smtpFrom = "no-reply@postern.local"
    /// Delivery attempts of one message before it is dead-lettered (transient failures only).
    public var outboxMaxAttempts = 5
    /// The first retry delay of the outbox; each further one doubles it.
    public var outboxRetryBase: Duration = .seconds(1)
    /// Largest request body accepted (bytes).
    public var maxBodySize = 1 << 20
    /// Request quotas and failure limits.
    public var throttle = ThrottlePolicy()
    /// An STS endpoint (AWS's, or a stand-in) that GetCredentialsForIdentity delegates to: the identity's
    /// OpenID token is exchanged there with AssumeRoleWithWebIdentity, so the credentials are that STS's.
    public var upstreamSTSURL: String?
    /// Where external OpenID issuers' keys are, and which issuers stand in for social providers.
    public var openIDProviders = OpenIDProviderSettings()
    /// Addresses of reverse proxies whose `X-Forwarded-For` names the real client.
    public var trustedProxies: Set<String> = []

    public init(databaseURL: String, migrationsDirectory: URL, masterKey: MasterKey) {
        self.databaseURL = databaseURL
        self.migrationsDirectory = migrationsDirectory
        self.masterKey = masterKey
    }

    /// The issuer base URL without a trailing slash.
    public var issuerBase: String {
        var base = publicURL ?? "http://\(host):\(port)"
        while base.hasSuffix("/") { base.removeLast() }
        return base
    }
}
