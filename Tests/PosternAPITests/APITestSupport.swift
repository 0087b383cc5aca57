import Foundation
import Logging
import PosternCore
import PosternCrypto
import PosternStore
import PosternTestSupport
import PostgresNIO
import Testing

@testable import PosternAPI

/// A Postern wired to a fresh database, for calling operations directly (below the HTTP layer).
struct APIHarness {
    let postern: Postern
    let configuration: ServerConfiguration
    var now = Date()

    static func with<T: Sendable>(_ body: @Sendable (APIHarness) async throws -> T) async throws -> T {
        try await TestDatabase.withDatabaseURL { url in
            let migrations = TestDatabase.migrations
            var configuration = ServerConfiguration(
                databaseURL: url, migrationsDirectory: migrations, masterKey: try MasterKey(base64: MasterKey.generateBase64()))
            configuration.outboxFile = NSTemporaryDirectory() + "postern-api-tests-\(UUID().uuidString).jsonl"
            let client = PostgresClient(configuration: try postgresConfiguration(url: url), backgroundLogger: TestDatabase.logger)
            return try await withThrowingTaskGroup(of: T?.self) { group in
                group.addTask {
                    await client.run()
                    return nil
                }
                defer { group.cancelAll() }
                try await Migrator(directory: migrations).migrate(client: client, logger: TestDatabase.logger)
                let harness = APIHarness(
                    postern: Postern(client: client, configuration: configuration, logger: TestDatabase.logger), configuration: configuration)
                return try await body(harness)
            }
        }
    }

    func call(_ operation: String, admin: Bool = true) -> Call {
        Call(
            requestId: UUID().uuidString, operation: operation, sourceIp: "127.0.0.1", userAgent: "swift-test",
            adminKeyId: admin ? "AKIATEST" : nil, now: now)
    }

    /// Runs an operation with a JSON request body, as the dispatcher would after authentication.
    func run<Operation: AWSOperation>(_ operation: Operation.Type, _ json: String, admin: Bool = true) async throws -> JSONValue {
        // Through the registry's handler, as the dispatcher runs it: decode, quota, pipeline, access token.
        let entry = try #require(OperationRegistry.byName[Operation.name])
        let handle = Dispatcher.handler(for: Operation.self, entry: entry)
        let response = try await handle(Data(json.utf8), call(Operation.name, admin: admin), postern, postern.logger)
        return try JSONDecoder().decode(JSONValue.self, from: response)
    }

    func createPool(_ extra: String = "") async throws -> (pool: String, client: String) {
        let pool = try await run(CreateUserPool.self, #"{"PoolName": "p", "AutoVerifiedAttributes": ["email"] \#(extra)}"#)
        let id = pool["UserPool"]?["Id"]?.stringValue ?? ""
        let client = try await run(
            CreateUserPoolClient.self,
            #"{"UserPoolId": "\#(id)", "ClientName": "c", "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}"#)
        return (id, client["UserPoolClient"]?["ClientId"]?.stringValue ?? "")
    }

    /// The code of the newest confirmation code issued to `sub`, read back by replaying the sealed outbox message.
    func lastCode(sub: String) async throws -> String? {
        let events = try await postern.store.readStream("user-\(sub)")
        guard let queued = try events.last(where: { $0.type == MessageQueued.eventType })?.payload(as: MessageQueued.self),
            let key = try await postern.dataKey(of: Sub(sub))
        else { return nil }
        return try key.open(queued.sealedMessage).code
    }
}
