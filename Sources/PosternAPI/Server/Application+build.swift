import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import PostgresNIO
import PosternCore
import PosternCrypto
import PosternHooks
import PosternStore
import ServiceLifecycle

/// Every awsJson operation Postern serves.
let cognitoOperations: [any AWSOperation.Type] = [
    CreateUserPool.self, DescribeUserPool.self, UpdateUserPool.self, ListUserPools.self, DeleteUserPool.self,
    CreateUserPoolClient.self, DescribeUserPoolClient.self, UpdateUserPoolClient.self, ListUserPoolClients.self,
    DeleteUserPoolClient.self,
] + userOperations

/// Builds the HTTP application; the executable, the Swift tests and the conformance run all start this.
public func buildApplication(configuration: ServerConfiguration, logger: Logger) throws -> some ApplicationProtocol {
    let client = PostgresClient(configuration: try postgresConfiguration(url: configuration.databaseURL), backgroundLogger: logger)
    let postern = Postern(client: client, configuration: configuration, logger: logger)
    let dispatcher = Dispatcher(postern: postern, operations: cognitoOperations)

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
    router.post("/") { request, context in await dispatcher.respond(to: request, context: context) }
    router.get("/health") { _, _ in
        _ = try await client.query("SELECT 1")
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: #"{"status":"ok"}"#)))
    }
    WellKnown(postern: postern).register(on: router)

    var app = Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "Postern"),
        services: [client, OutboxDelivery(postern: postern, logger: logger), HookWorkerShutdown(runner: postern.triggers.runner)],
        logger: logger)
    app.beforeServerStarts {
        try await Migrator(directory: configuration.migrationsDirectory).migrate(client: client, logger: logger)
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

/// Reads `postgres://user:password@host:port/database` into postgres-nio's configuration.
public func postgresConfiguration(url: String) throws -> PostgresClient.Configuration {
    guard let components = URLComponents(string: url), ["postgres", "postgresql"].contains(components.scheme ?? "") else {
        throw ConfigurationError("database URL must look like postgres://user:password@host:port/database")
    }
    var configuration = PostgresClient.Configuration(
        host: components.host ?? "127.0.0.1", port: components.port ?? 5432, username: components.user ?? "postgres",
        password: components.password, database: components.path.isEmpty ? nil : String(components.path.dropFirst()),
        tls: .disable)
    configuration.options.maximumConnections = 40
    return configuration
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
