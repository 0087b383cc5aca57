import Foundation
import PosternCore
import PosternCrypto
import PosternStore
import PosternTestSupport
import PostgresNIO
import Testing

let benchAppends = ProcessInfo.processInfo.environment["POSTERN_BENCH_APPENDS"].flatMap(Int.init)

/// What the keyed chain costs an append: `EventStore.append` against the previous release's write path
/// (one round trip for the lock, INSERT with the sha256 trigger, the projection, COMMIT, NOTIFY), replayed on a
/// database migrated to 0002. Prints figures; runs only with POSTERN_BENCH_APPENDS=N (a benchmark, not a
/// timed assertion).
@Suite(.enabled(if: TestDatabase.isConfigured && benchAppends != nil, "set POSTERN_BENCH_APPENDS=N"), .serialized)
struct AppendCostTests {
    let master = try! MasterKey(base64: MasterKey.generateBase64())

    func measure(_ label: String, concurrency: Int, _ append: @escaping @Sendable (Int) async throws -> Void) async throws {
        let n = benchAppends ?? 0
        let clock = ContinuousClock()
        let elapsed = try await clock.measure {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in 0..<concurrency {
                    group.addTask { for i in stride(from: worker, to: n, by: concurrency) { try await append(i) } }
                }
                try await group.waitForAll()
            }
        }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print(
            String(
                format: "append cost: %@, %d appends, %d in flight: %.0f appends/s, %.3f ms each", label, n, concurrency,
                Double(n) / seconds, seconds * 1000 / Double(n) * Double(concurrency)))
    }

    @Test(arguments: [1, 8]) func keyedAppend(concurrency: Int) async throws {
        try await TestDatabase.withDatabase { client in
            let store = TestDatabase.store(client, master: master)
            let run = UUID().uuidString.prefix(8)
            try await measure("keyed (0003), new streams", concurrency: concurrency) { i in
                let id = "K\(run)\(i)"
                try await store.append(
                    .init(
                        stream: Stream.adminKey(id), expected: .noStream,
                        events: [
                            NewEvent(streamID: Stream.adminKey(id), AdminKeyCreated(accessKeyId: id, sealedSecret: "v1.x", description: "bench"))
                        ]),
                    metadata: .test())
            }
            try await measure("keyed (0003), next version", concurrency: concurrency) { i in
                let id = "K\(run)\(i)"
                try await store.append(
                    .init(
                        stream: Stream.adminKey(id), expected: .exact(1),
                        events: [NewEvent(streamID: Stream.adminKey(id), AdminKeyRevoked(accessKeyId: id))]),
                    metadata: .test())
            }
        }
    }

    @Test(arguments: [1, 8]) func unkeyedAppendOfThePreviousRelease(concurrency: Int) async throws {
        try await TestDatabase.withDatabase(migrate: false) { client in
            let legacy = FileManager.default.temporaryDirectory.appendingPathComponent("postern-bench-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: legacy, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: legacy) }
            for file in ["0001_event_store.sql", "0002_directory.sql"] {
                try FileManager.default.copyItem(at: TestDatabase.migrations.appendingPathComponent(file), to: legacy.appendingPathComponent(file))
            }
            try await Migrator(directory: legacy).migrate(client: client, logger: TestDatabase.logger)
            let metadata = String(decoding: try JSONEncoder().encode(EventMetadata.test()), as: UTF8.self)
            @Sendable func append(_ id: String, version: Int, _ type: String, _ data: String, projection: String) async throws {
                try await client.withConnection { connection in
                    try await connection.query("BEGIN", logger: TestDatabase.logger).drain()
                    try await connection.query(
                        "SELECT set_config('search_path', 'directory, public', true), pg_advisory_xact_lock_shared(\(Int64(0x706f_7374_6572_6e02)))",
                        logger: TestDatabase.logger
                    ).drain()
                    try await connection.query(
                        """
                        INSERT INTO eventlog.events (stream_id, stream_version, event_type, schema_version, data, metadata)
                        VALUES (\("adminkey-" + id), \(version), \(type), 1, \(data)::jsonb, \(metadata)::jsonb)
                        RETURNING position, transaction_id::text, stream_id, stream_version, event_type, schema_version, data::text,
                                  metadata::text, recorded_at, encode(hash, 'hex')
                        """, logger: TestDatabase.logger
                    ).drain()
                    try await connection.query(PostgresQuery(unsafeSQL: projection), logger: TestDatabase.logger).drain()
                    try await connection.query("COMMIT", logger: TestDatabase.logger).drain()
                }
                try await client.query("SELECT pg_notify('postern_events', '')").drain()  // as EventStore.append did and does
            }
            let run = UUID().uuidString.prefix(8)
            try await measure("unkeyed (0001), new streams", concurrency: concurrency) { i in
                let id = "U\(run)\(i)"
                try await append(
                    id, version: 1, "AdminKeyCreated", #"{"accessKeyId": "\#(id)", "sealedSecret": "v1.x", "description": "bench"}"#,
                    projection:
                        "INSERT INTO admin_keys (access_key_id, sealed_secret, description, created_at) VALUES ('\(id)', 'v1.x', 'bench', now())")
            }
            try await measure("unkeyed (0001), next version", concurrency: concurrency) { i in
                let id = "U\(run)\(i)"
                try await append(
                    id, version: 2, "AdminKeyRevoked", #"{"accessKeyId": "\#(id)"}"#,
                    projection: "UPDATE admin_keys SET revoked_at = now() WHERE access_key_id = '\(id)'")
            }
        }
    }
}
