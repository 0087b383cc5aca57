import Foundation
import Logging
import PostgresNIO

/// Applies `migrations/NNNN_name.sql` files in order, each once, in its own transaction.
///
/// An advisory lock serialises servers that start together; the `schema_migrations` table records what
/// ran, so running the migrator again is a no-op.
public struct Migrator: Sendable {
    public let directory: URL
    static let lockKey: Int64 = 0x706f_7374_6572_6e01  // "postern" + 1

    public init(directory: URL) { self.directory = directory }

    /// The migration files, sorted by their number.
    public func migrations() throws -> [(name: String, sql: String)] {
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".sql") && $0.first?.isNumber == true }
            .sorted()
        return try files.map { ($0, try String(contentsOf: directory.appendingPathComponent($0), encoding: .utf8)) }
    }

    /// Applies pending migrations; returns the names it applied.
    @discardableResult
    public func migrate(client: PostgresClient, logger: Logger) async throws -> [String] {
        let pending = try migrations()
        return try await client.withConnection { connection in
            _ = try await connection.query("SELECT pg_advisory_lock(\(Self.lockKey))", logger: logger)
            do {
                _ = try await connection.query(
                    """
                    CREATE TABLE IF NOT EXISTS public.schema_migrations (
                        name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())
                    """, logger: logger)
                var applied: Set<String> = []
                for try await name in try await connection.query("SELECT name FROM public.schema_migrations", logger: logger)
                    .decode(String.self)
                {
                    applied.insert(name)
                }
                var ran: [String] = []
                for migration in pending where !applied.contains(migration.name) {
                    logger.info("applying migration", metadata: ["migration": "\(migration.name)"])
                    try await connection.transaction(logger: logger) { connection in
                        try await connection.runScript(migration.sql, logger: logger)
                        _ = try await connection.query(
                            "INSERT INTO public.schema_migrations (name) VALUES (\(migration.name))", logger: logger)
                    }
                    ran.append(migration.name)
                }
                _ = try await connection.query("SELECT pg_advisory_unlock(\(Self.lockKey))", logger: logger)
                return ran
            } catch {
                _ = try? await connection.query("SELECT pg_advisory_unlock(\(Self.lockKey))", logger: logger)
                throw error
            }
        }
    }
}

extension Migrator {
    /// Gives the server's database role least privilege on the migrated schema (SELECT/INSERT on the
    /// log, read-write on projections and keys; see `eventlog.grant_application_role`). Run as the owner
    /// after `migrate`, on every start, so tables from later migrations are covered too.
    public func grant(applicationRole role: String, client: PostgresClient, logger: Logger) async throws {
        try await client.query("SELECT eventlog.grant_application_role(\(role)::name)::text", logger: logger).drain()
    }
}

extension PostgresClient {
    /// Runs `body` with a client of its own, shut down afterwards (migrations as the owner, operator commands).
    public static func withClient<T: Sendable>(
        _ configuration: PostgresClient.Configuration, logger: Logger, _ body: @Sendable (PostgresClient) async throws -> T
    ) async throws -> T {
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                await client.run()
                return nil
            }
            defer { group.cancelAll() }
            return try await body(client)
        }
    }
}

extension PostgresConnection {
    /// Runs `body` between BEGIN and COMMIT, rolling back on any error and rethrowing it unchanged.
    func transaction<T: Sendable>(logger: Logger, _ body: (PostgresConnection) async throws -> T) async throws -> T {
        _ = try await query("BEGIN", logger: logger)
        do {
            let value = try await body(self)
            _ = try await query("COMMIT", logger: logger)
            return value
        } catch {
            _ = try? await query("ROLLBACK", logger: logger)
            throw error
        }
    }

    /// Runs a multi-statement SQL script as one statement.
    ///
    /// postgres-nio speaks only the extended protocol, which takes one statement per query; PL/pgSQL's
    /// EXECUTE runs a string of several, so the script is wrapped in a DO block.
    func runScript(_ sql: String, logger: Logger) async throws {
        precondition(!sql.contains("$postern_sql$"), "a migration must not contain the wrapper's quote tag")
        let wrapped = "DO $postern_do$ BEGIN EXECUTE $postern_sql$\(sql)$postern_sql$; END $postern_do$"
        _ = try await query(PostgresQuery(unsafeSQL: wrapped), logger: logger)
    }
}
