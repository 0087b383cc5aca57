import Foundation
import PosternCore
import PosternCrypto
import PosternStore

/// Resolves settings with the precedence flags, then `POSTERN_*` environment, then the JSON config file.
public struct SettingsResolver: Sendable {
    let flags: [String: String]
    let environment: [String: String]
    let file: [String: String]

    /// `flags` and the config file use snake_case keys (`database_url`); the environment `POSTERN_DATABASE_URL`.
    public init(flags: [String: String], environment: [String: String]) throws {
        self.flags = flags
        self.environment = environment
        if let path = flags["config"] ?? environment["POSTERN_CONFIG"] {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw ConfigurationError("config file \(path) must hold a JSON object")
            }
            file = object.mapValues { "\($0)" }
        } else {
            file = [:]
        }
    }

    public func value(_ key: String) -> String? {
        flags[key] ?? environment["POSTERN_" + key.uppercased()] ?? file[key]
    }

    /// The full server configuration. Reads (and with `generateMasterKey`, creates) the master key.
    ///
    /// Commands that never open sealed data pass `needsMasterKey: false`; they then run with a throw-away
    /// key when none is configured, which can open nothing that is stored.
    public func serverConfiguration(generateMasterKey: Bool, needsMasterKey: Bool = true, executable: String) throws -> ServerConfiguration {
        guard let databaseURL = value("database_url") else {
            throw ConfigurationError("no database configured: set --database-url or POSTERN_DATABASE_URL (scripts/serve starts a private one)")
        }
        var configuration = ServerConfiguration(
            databaseURL: databaseURL, migrationsDirectory: try migrationsDirectory(executable: executable),
            masterKey: try masterKey(generate: generateMasterKey, required: needsMasterKey))
        configuration.migrationDatabaseURL = value("migration_database_url")
        if let seconds = value("checkpoint_interval") {
            guard let number = Double(seconds), number > 0 else {
                throw ConfigurationError("checkpoint_interval must be a positive number of seconds")
            }
            configuration.checkpointInterval = .milliseconds(Int64(number * 1000))
        }
        if let host = value("host") { configuration.host = host }
        if let port = value("port") {
            guard let number = Int(port), (1...65535).contains(number) else { throw ConfigurationError("port must be 1-65535") }
            configuration.port = number
        }
        configuration.publicURL = value("public_url")
        if let plugins = value("plugins_dir") { configuration.pluginsDirectory = plugins }
        if let region = value("region") { configuration.region = region }
        if let account = value("account_id") {
            guard account.count == 12, account.allSatisfy({ ("0"..."9").contains($0) }) else {
                throw ConfigurationError("account_id must be 12 digits")
            }
            configuration.accountId = account
        }
        if let outbox = value("outbox_file") { configuration.outboxFile = outbox }
        if let id = value("admin_access_key_id"), let secret = value("admin_secret_access_key") {
            configuration.bootstrapAdminKey = (id, secret)
        }
        if let from = value("smtp_from") { configuration.smtpFrom = from }
        if let attempts = value("outbox_max_attempts") {
            guard let number = Int(attempts), (1...20).contains(number) else { throw ConfigurationError("outbox_max_attempts must be 1-20") }
            configuration.outboxMaxAttempts = number
        }
        if let base = value("outbox_retry_base_ms") {
            guard let number = Int(base), (0...60_000).contains(number) else { throw ConfigurationError("outbox_retry_base_ms must be 0-60000") }
            configuration.outboxRetryBase = .milliseconds(number)
        }
        if let smtp = value("smtp_url") {
            _ = try SMTPMailer(url: smtp, from: configuration.smtpFrom)  // refuse a bad URL at start, not at the first email
            configuration.smtpURL = smtp
        }
        if let upstream = value("upstream_sts_url") {
            guard let url = URL(string: upstream), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
                throw ConfigurationError("upstream_sts_url must be an http:// or https:// URL")
            }
            configuration.upstreamSTSURL = upstream
        }
        if let file = value("openid_providers_file") {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw ConfigurationError("openid_providers_file \(file) cannot be read")
            }
            configuration.openIDProviders = try OpenIDProviderSettings(json: data)
        }
        if let proxies = value("trusted_proxies") {
            configuration.trustedProxies = Set(proxies.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
        }
        try throttleSettings(&configuration.throttle)
        return configuration
    }

    /// `POSTERN_DEFAULT_REQUEST_QUOTA`, `POSTERN_FAILED_SIGN_INS_PER_ADDRESS` … (whole numbers ≥ 0).
    func throttleSettings(_ policy: inout ThrottlePolicy) throws {
        let knobs: [(String, WritableKeyPath<ThrottlePolicy, Int>)] = [
            ("default_request_quota", \.defaultQuota), ("failed_sign_ins_per_address", \.failedSignInsPerAddress),
            ("failed_sign_ins_per_name", \.failedSignInsPerName), ("wrong_codes_per_address", \.wrongCodesPerAddress),
            ("code_requests_per_address", \.codeRequestsPerAddress), ("guest_identities_per_address", \.guestIdentitiesPerAddress),
        ]
        for (key, path) in knobs {
            guard let text = value(key) else { continue }
            guard let number = Int(text), number >= 0 else { throw ConfigurationError("\(key) must be a whole number ≥ 0") }
            policy[keyPath: path] = number
        }
    }

    /// `POSTERN_MASTER_KEY`, else the key file (default `.postern/master.key`), created on first start.
    func masterKey(generate: Bool, required: Bool) throws -> MasterKey {
        if let key = value("master_key") { return try MasterKey(base64: key) }
        let path = value("master_key_file") ?? ".postern/master.key"
        if let text = try? String(contentsOfFile: path, encoding: .utf8) { return try MasterKey(base64: text) }
        if !required { return try MasterKey(base64: MasterKey.generateBase64()) }
        guard generate else { throw ConfigurationError("no master key: set POSTERN_MASTER_KEY or --master-key-file (\(path) not found)") }
        // Mode 0600 from the first byte, in a 0700 directory, never over an existing file (SecretFile).
        let key = MasterKey.generateBase64()
        do {
            if let warning = try SecretFile.prepareDirectory(for: path) {
                FileHandle.standardError.write(Data("postern: warning: \(warning)\n".utf8))
            }
            try SecretFile.create(path, contents: Array((key + "\n").utf8))
        } catch {
            throw ConfigurationError("could not write the master key: \(error)")
        }
        return try MasterKey(base64: key)
    }

    /// The migrations directory: configured, else `migrations/` beside the repository the binary was built in, else `./migrations`.
    func migrationsDirectory(executable: String) throws -> URL {
        if let configured = value("migrations_dir") { return URL(fileURLWithPath: configured) }
        var directory = URL(fileURLWithPath: executable).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<5 {
            let candidate = directory.appendingPathComponent("migrations")
            if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("0001_event_store.sql").path) { return candidate }
            directory.deleteLastPathComponent()
        }
        return URL(fileURLWithPath: "migrations")
    }
}
