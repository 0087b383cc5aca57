import Foundation
import Logging
import PosternCore
import PosternCrypto
import PosternStore
import PostgresNIO

/// The operator's commands (`migrate`, `events`, `verify`, `projections rebuild`, `admin-keys`).
public struct Operator: Sendable {
    let configuration: ServerConfiguration
    let logger: Logger

    public init(configuration: ServerConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Runs `body` with a connected Postern, then shuts the connection pool down.
    func withPostern<T: Sendable>(_ body: @Sendable (Postern) async throws -> T) async throws -> T {
        let client = PostgresClient(configuration: try postgresConfiguration(url: configuration.databaseURL), backgroundLogger: logger)
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                await client.run()
                return nil
            }
            defer { group.cancelAll() }
            return try await body(Postern(client: client, configuration: configuration, logger: logger))
        }
    }

    /// Applies pending migrations as the owner and grants the application role (as `serve` does at start).
    public func migrate() async throws -> [String] {
        let (configuration, logger) = (configuration, logger)
        return try await withPostern { postern in
            try await prepareDatabase(configuration: configuration, client: postern.store.client, logger: logger)
        }
    }

    public func printEvents(stream: String?, type: String?, after: Int64, limit: Int) async throws {
        try await withPostern { postern in
            var position = after
            var remaining = limit
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            while remaining > 0 {
                let events = try await postern.store.read(after: position, stream: stream, type: type, limit: min(remaining, 500))
                if events.isEmpty { break }
                for event in events {
                    let line: JSONValue = .object([
                        "position": .int(Int(event.position)), "transactionId": .string(String(event.transactionID)),
                        "streamId": .string(event.streamID), "streamVersion": .int(event.streamVersion), "type": .string(event.type),
                        "schemaVersion": .int(event.schemaVersion), "data": event.data, "metadata": event.metadata,
                        "recordedAt": .string(ISO8601DateFormatter().string(from: event.recordedAt)), "hash": .string(event.hash),
                    ])
                    print(String(decoding: try encoder.encode(line), as: UTF8.self))
                }
                position = events[events.count - 1].position
                remaining -= events.count
            }
        }
    }

    /// Checks every stream's keyed hash chain and the signed checkpoints (`EventStore.verifyLog`): the
    /// first problem, if any, and a summary of what was checked.
    public func verify(maxUncoveredAge: TimeInterval = 600) async throws -> (failure: String?, summary: String) {
        let report = try await withPostern { postern in try await postern.store.verifyLog(maxUncoveredAge: maxUncoveredAge) }
        let summary =
            "\(report.events) events (\(report.legacyEvents) with unkeyed legacy hashes), \(report.checkpoints) signed checkpoints, "
            + "\(report.uncovered) events after the last one; head \(report.head ?? "none")"
        return (report.failure?.description, summary)
    }

    public func rebuild() async throws -> Int {
        try await withPostern { postern in try await postern.store.rebuildProjections() }
    }

    public func createAdminKey(description: String) async throws -> (String, String) {
        try await withPostern { postern in
            let id = "AKIA" + Random.string(16, alphabet: "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
            let secret = Random.string(40, alphabet: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
            let created = AdminAccessKey.create(
                description: description, context: .init(accessKeyId: id, sealedSecret: try postern.master.secrets.seal(secret)))
            let stream = Stream.adminKey(id)
            try await postern.commit(
                .init(stream: stream, expected: .noStream, events: [NewEvent(streamID: stream, created)]),
                metadata: EventMetadata(requestId: UUID().uuidString.lowercased(), actor: "operator", operation: "admin-keys create"))
            _ = try? await postern.store.writeCheckpoint()  // signed now, even when no server runs
            return (id, secret)
        }
    }

    public func listAdminKeys() async throws -> [String] {
        try await withPostern { postern in
            var lines: [String] = []
            for try await (id, description, created, revoked) in try await postern.store.client.query(
                "SELECT access_key_id, description, created_at, revoked_at FROM directory.admin_keys ORDER BY created_at"
            ).decode((String, String, Date, Date?).self) {
                lines.append("\(id)\t\(revoked == nil ? "active" : "revoked")\t\(ISO8601DateFormatter().string(from: created))\t\(description)")
            }
            return lines
        }
    }

    public func revokeAdminKey(_ id: String) async throws {
        try await withPostern { postern in
            let key = try await postern.adminAccessKey(id)
            let revoked: AdminKeyRevoked
            do {
                revoked = try AdminAccessKey.revoke(key, accessKeyId: id)
            } catch let refusal as DomainError {
                throw ConfigurationError(AWSError.from(domain: refusal).message)  // the CLI prints the message alone
            }
            let stream = Stream.adminKey(id)
            // The loaded key's version (`revoke` has refused a key with no stream).
            try await postern.commit(
                .init(stream: stream, expected: .exact(key?.version ?? 0), events: [NewEvent(streamID: stream, revoked)]),
                metadata: EventMetadata(requestId: UUID().uuidString.lowercased(), actor: "operator", operation: "admin-keys revoke"))
            _ = try? await postern.store.writeCheckpoint()
        }
    }
}
