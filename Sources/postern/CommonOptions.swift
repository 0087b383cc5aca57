import ArgumentParser
import Foundation
import Logging
import PosternAPI

/// Options every subcommand shares; each falls back to its `POSTERN_*` variable, then the config file.
struct CommonOptions: ParsableArguments {
    @Option(help: "Listen address (POSTERN_HOST, default 127.0.0.1).") var host: String?
    @Option(help: "Listen port (POSTERN_PORT, default 7678).") var port: Int?
    @Option(
        help: "PostgreSQL URL of the server's role; ?sslmode=disable|prefer|require|verify-ca|verify-full&sslrootcert=FILE (POSTERN_DATABASE_URL).")
    var databaseURL: String?
    @Option(help: "PostgreSQL URL of the owner role that runs migrations (POSTERN_MIGRATION_DATABASE_URL; default: the database URL).")
    var migrationDatabaseURL: String?
    @Option(help: "Token issuer base URL (POSTERN_PUBLIC_URL, default http://HOST:PORT).") var publicURL: String?
    @Option(help: "Hook executables (POSTERN_PLUGINS_DIR, default ./plugins).") var pluginsDir: String?
    @Option(help: "Region of new pool ids (POSTERN_REGION, default us-east-1).") var region: String?
    @Option(help: "File holding the base64 master key (POSTERN_MASTER_KEY_FILE, default .postern/master.key).") var masterKeyFile: String?
    @Option(help: "Directory of migration files (POSTERN_MIGRATIONS_DIR).") var migrationsDir: String?
    @Option(help: "JSON config file (POSTERN_CONFIG).") var config: String?
    @Option(help: "Log level (POSTERN_LOG_LEVEL, default info).") var logLevel: String?
    @Option(
        name: .customLong("upstream-sts"),
        help: "STS endpoint GetCredentialsForIdentity delegates to, e.g. https://sts.amazonaws.com (POSTERN_UPSTREAM_STS_URL).")
    var upstreamSTS: String?
    @Option(
        name: .customLong("openid-providers"),
        help: "JSON file: keys or stand-in issuers of external OpenID providers (POSTERN_OPENID_PROVIDERS_FILE).")
    var openIDProviders: String?

    func settings() throws -> SettingsResolver {
        var flags: [String: String] = [:]
        flags["host"] = host
        flags["port"] = port.map(String.init)
        flags["database_url"] = databaseURL
        flags["migration_database_url"] = migrationDatabaseURL
        flags["public_url"] = publicURL
        flags["plugins_dir"] = pluginsDir
        flags["region"] = region
        flags["master_key_file"] = masterKeyFile
        flags["migrations_dir"] = migrationsDir
        flags["config"] = config
        flags["log_level"] = logLevel
        flags["upstream_sts_url"] = upstreamSTS
        flags["openid_providers_file"] = openIDProviders
        return try SettingsResolver(flags: flags, environment: ProcessInfo.processInfo.environment)
    }

    func serverConfiguration(generateMasterKey: Bool, needsMasterKey: Bool = true) throws -> ServerConfiguration {
        try settings().serverConfiguration(
            generateMasterKey: generateMasterKey, needsMasterKey: needsMasterKey, executable: CommandLine.arguments[0])
    }

    func logger() -> Logger {
        var logger = Logger(label: "postern")
        logger.logLevel = (try? settings().value("log_level")).flatMap { Logger.Level(rawValue: $0) } ?? .info
        return logger
    }
}

extension Operator {
    /// `needsMasterKey: false` for commands that never open sealed data nor check hashes (`events`, `migrate`).
    init(options: CommonOptions, needsMasterKey: Bool = true) throws {
        try self.init(
            configuration: options.serverConfiguration(generateMasterKey: false, needsMasterKey: needsMasterKey), logger: options.logger())
    }
}
