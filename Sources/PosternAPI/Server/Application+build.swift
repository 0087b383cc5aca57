import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import PosternCore
import PosternCrypto
import PosternHooks
import PosternStore
import PostgresNIO
import ServiceLifecycle

/// Builds the HTTP application; the executable, the Swift tests and the conformance run all start this.
public func buildApplication(configuration: ServerConfiguration, logger: Logger) throws -> some ApplicationProtocol {
    let client = PostgresClient(configuration: try postgresConfiguration(url: configuration.databaseURL), backgroundLogger: logger)
    let postern = Postern(client: client, configuration: configuration, logger: logger)
    let dispatcher = Dispatcher(postern: postern)
    let identityDispatcher = Dispatcher(postern: postern, service: .cognitoIdentity)

    let router = Router(context: PosternRequestContext.self)
    router.add(
        middleware: CORSMiddleware(
            allowOrigin: .all,
            allowHeaders: [
                .contentType, .authorization, .init("x-amz-target")!, .init("x-amz-user-agent")!, .init("x-amz-date")!,
                .init("x-amz-security-token")!, .init("amz-sdk-invocation-id")!, .init("amz-sdk-request")!, .cacheControl,
            ],
            allowMethods: [.get, .post, .options],
            exposedHeaders: ["x-amzn-RequestId", "x-amzn-ErrorType", "x-amzn-ErrorMessage", "Date"]))
    let queryDispatcher = QueryDispatcher(postern: postern)
    router.post("/") { request, context in
        if QueryDispatcher.accepts(request) { return await queryDispatcher.respond(to: request, context: context, dispatcher: dispatcher) }
        let target = request.headers[.init("X-Amz-Target")!] ?? ""
        if target.hasPrefix(identityDispatcher.targetPrefix) { return await identityDispatcher.respond(to: request, context: context) }
        return await dispatcher.respond(to: request, context: context)
    }
    router.get("/health") { _, _ in
        _ = try await client.query("SELECT 1")
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: #"{"status":"ok"}"#)))
    }
    WellKnown(postern: postern).register(on: router)

    var app = Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "Postern"),
        services: [
            client, OutboxDelivery(postern: postern, logger: logger), HookWorkerShutdown(runner: postern.triggers.runner),
            LogCheckpointer(store: postern.store, interval: configuration.checkpointInterval, logger: logger),
            ConfigurationFollower(
                store: postern.store, cache: postern.directory.configuration, users: postern.directory.users, pollInterval: .seconds(1),
                logger: logger),
        ],
        logger: logger)
    app.beforeServerStarts {
        _ = try await prepareDatabase(configuration: configuration, client: client, logger: logger)
    }
    return app
}

/// Closes the hook workers' stdin when the server shuts down, so they finish and exit on their own.
struct HookWorkerShutdown: Service {
    let runner: HookRunner

    func run() async throws {
        try? await gracefulShutdown()
        await runner.shutdown()
    }
}

/// Reads `postgres://user:password@host:port/database?sslmode=…` into postgres-nio's configuration (`DatabaseURL`).
public func postgresConfiguration(url: String) throws -> PostgresClient.Configuration {
    do {
        var configuration = try DatabaseURL(url).configuration()
        configuration.options.maximumConnections = 40
        return configuration
    } catch {
        throw ConfigurationError(error.description)
    }
}

/// Migrates the database as its owner and grants the server's role least privilege.
///
/// With only `databaseURL`, one role migrates and serves, as before: it owns the event log and could
/// rewrite it, so this warns.
func prepareDatabase(configuration: ServerConfiguration, client: PostgresClient, logger: Logger) async throws -> [String] {
    let migrator = Migrator(directory: configuration.migrationsDirectory)
    let application = try DatabaseURL(configuration.databaseURL).username
    guard let ownerURL = configuration.migrationDatabaseURL, try DatabaseURL(ownerURL).username != application else {
        logger.warning(
            "the server's database role also owns the event log and could rewrite history; set POSTERN_MIGRATION_DATABASE_URL to the owner and POSTERN_DATABASE_URL to an application role"
        )
        return try await migrator.migrate(client: client, logger: logger)
    }
    return try await PostgresClient.withClient(try postgresConfiguration(url: ownerURL), logger: logger) { owner in
        let applied = try await migrator.migrate(client: owner, logger: logger)
        try await migrator.grant(applicationRole: application, client: owner, logger: logger)
        return applied
    }
}

/// Signs a checkpoint of the log every `interval` while the server runs, and once more at shutdown, so
/// `postern verify` notices removed events up to the last few seconds.
struct LogCheckpointer: Service {
    let store: EventStore
    let interval: Duration
    let logger: Logger

    func run() async throws {
        var delay = min(interval, .seconds(2))  // the first soon after start, once migrations ran
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            let pause = delay
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: pause) }
            delay = interval
            await checkpoint()
        }
    }

    func checkpoint() async {
        do {
            if let written = try await store.writeCheckpoint() {
                logger.debug("signed log checkpoint", metadata: ["seq": "\(written.seq)", "events": "\(written.eventCount)"])
            }
        } catch {
            logger.warning("could not sign a log checkpoint", metadata: ["error": "\(error)"])
        }
    }
}

/// A configuration problem, reported at start-up.
public struct ConfigurationError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Runs the server until SIGINT or SIGTERM, then shuts down gracefully.
public func serve(configuration: ServerConfiguration, logger: Logger) async throws {
    try await buildApplication(configuration: configuration, logger: logger).runService()
}
