import Foundation
import Logging
import PosternCore
import PosternCrypto
import PosternStore
import PostgresNIO

/// Test-only support: a fresh, migrated PostgreSQL database per test, created in the server named by
/// `POSTERN_TEST_DATABASE_URL` (scripts/test starts a private, throw-away cluster).
public enum TestDatabase {
    public static let url = ProcessInfo.processInfo.environment["POSTERN_TEST_DATABASE_URL"]
    public static var isConfigured: Bool { url != nil }
    public static let logger = Logger(label: "postern-store-tests")
    public static let migrations = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("migrations")
    /// A migrated database's URL, for tests that start the whole application.
    public static func url(database: String) -> String? {
        guard let url, var components = URLComponents(string: url) else { return nil }
        components.path = "/" + database
        return components.string
    }

    /// The test server's configuration for `database`, as `username` when given (plain, no TLS).
    public static func configuration(database: String, username: String? = nil) throws -> PostgresClient.Configuration {
        guard let url, let components = URLComponents(string: url) else { throw TestSetupError.notConfigured }
        return PostgresClient.Configuration(
            host: components.host ?? "127.0.0.1", port: components.port ?? 5432, username: username ?? components.user ?? "postgres",
            password: username == nil ? components.password : nil, database: database, tls: .disable)
    }

    /// The least-privileged role the server runs as in tests (created once per cluster, no password:
    /// the test cluster trusts local connections).
    public static let applicationRole = "postern_app_test"

    /// Runs `body` against a new database with all migrations applied.
    public static func withDatabase<T: Sendable>(migrate: Bool = true, _ body: @Sendable (PostgresClient) async throws -> T) async throws -> T {
        try await withNamedDatabase(migrate: migrate) { client, _ in try await body(client) }
    }

    /// Runs `body` with a client of the application role (`applicationRole`, granted by the migrator)
    /// on the database `name`.
    public static func withApplicationClient<T: Sendable>(
        database name: String, owner: PostgresClient, _ body: @Sendable (PostgresClient) async throws -> T
    ) async throws -> T {
        do {
            try await owner.query(PostgresQuery(unsafeSQL: "CREATE ROLE \(applicationRole) LOGIN")).drain()
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "42710" || error.serverInfo?[.sqlState] == "23505" {
            // It exists already (another suite created it first).
        }
        try await Migrator(directory: migrations).grant(applicationRole: applicationRole, client: owner, logger: logger)
        return try await PostgresClient.withClient(try configuration(database: name, username: applicationRole), logger: logger, body)
    }

    /// Runs `body` against a new database (migrated unless `migrate` is false), with its name.
    public static func withNamedDatabase<T: Sendable>(
        migrate: Bool = true, _ body: @Sendable (PostgresClient, String) async throws -> T
    ) async throws -> T {
        let name = "postern_test_\(UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: ""))"
        let admin = PostgresClient(configuration: try configuration(database: "postgres"), backgroundLogger: logger)
        let client = PostgresClient(configuration: try configuration(database: name), backgroundLogger: logger)
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                await admin.run()
                return nil
            }
            group.addTask {
                await client.run()
                return nil
            }
            defer { group.cancelAll() }
            _ = try await admin.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"))
            if migrate { try await Migrator(directory: migrations).migrate(client: client, logger: logger) }
            return try await body(client, name)
        }
    }

    /// Runs `body` with the URL of a new, migrated database (for tests that start the application).
    public static func withDatabaseURL<T: Sendable>(_ body: @Sendable (String) async throws -> T) async throws -> T {
        let name = "postern_test_\(UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: ""))"
        let admin = PostgresClient(configuration: try configuration(database: "postgres"), backgroundLogger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await admin.run() }
            defer { group.cancelAll() }
            _ = try await admin.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"))
        }
        guard let url = url(database: name) else { throw TestSetupError.notConfigured }
        return try await body(url)
    }

    /// A store that seals and opens subjects' data with keys wrapped by `master`.
    public static func store(_ client: PostgresClient, master: MasterKey) -> EventStore {
        let keyring = TestKeyring(master: master)
        return EventStore(client: client, projector: DirectoryProjector(opener: keyring), keyring: keyring, chainKey: master.chainKey, logger: logger)
    }
}

public enum TestSetupError: Error { case notConfigured }

/// The master key as a store keyring, as the server wires it (`StoreKeyring` in PosternAPI).
public struct TestKeyring: SubjectKeyring {
    let master: MasterKey
    public init(master: MasterKey) { self.master = master }
    public func open(_ sealed: String, wrappedKey: [UInt8]) throws -> [UInt8] { try master.unwrap(wrappedKey).open(sealed) }
    public func newWrappedKey() throws -> [UInt8] { try master.newDataKey().wrapped }
    public func sealer(wrappedKey: [UInt8]) throws -> any PersonalDataSealer { try master.unwrap(wrappedKey) }
}

extension EventMetadata {
    public static func test(_ operation: String = "test") -> EventMetadata {
        EventMetadata(requestId: UUID().uuidString, actor: "test", sourceIp: "127.0.0.1", userAgent: "swift-test", operation: operation)
    }
}
