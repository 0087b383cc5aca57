import Foundation
import Logging
import PosternCore
import PosternCrypto
import PosternStore
import PosternTestSupport
import PostgresNIO
import Synchronization
import Testing

let benchRebuild = ProcessInfo.processInfo.environment["POSTERN_BENCH_REBUILD"].flatMap(Int.init)

/// Every `directory` table as its rows' text, in order (`SELECT t::text … ORDER BY 1`).
func directorySnapshot(_ client: PostgresClient) async throws -> [String: [String]] {
    var tables: [String] = []
    for try await name in try await client.query("SELECT tablename::text FROM pg_tables WHERE schemaname = 'directory' ORDER BY 1").decode(
        String.self)
    {
        tables.append(name)
    }
    var snapshot: [String: [String]] = [:]
    for table in tables {
        var rows: [String] = []
        for try await row in try await client.query(PostgresQuery(unsafeSQL: "SELECT t::text FROM directory.\(table) t ORDER BY 1")).decode(
            String.self)
        {
            rows.append(row)
        }
        snapshot[table] = rows
    }
    return snapshot
}

/// The rows that differ between two snapshots, per table (empty when they are identical).
func differences(_ expected: [String: [String]], _ actual: [String: [String]]) -> [String] {
    var lines: [String] = []
    for table in Set(expected.keys).union(actual.keys).sorted() {
        let before = expected[table] ?? [], after = actual[table] ?? []
        for row in Set(before).subtracting(after).sorted().prefix(3) { lines.append("\(table) lost: \(row)") }
        for row in Set(after).subtracting(before).sorted().prefix(3) { lines.append("\(table) gained: \(row)") }
        if before.count != after.count { lines.append("\(table): \(before.count) rows, now \(after.count)") }
    }
    return lines
}

/// Log records, for tests that expect the projection to speak up.
final class RecordedLogs: Sendable {
    let records = Mutex<[(level: Logger.Level, message: String, metadata: Logger.Metadata)]>([])

    var logger: Logger {
        Logger(label: "recorded") { _ in RecordingHandler(logs: self) }
    }

    /// A handler that keeps every record.
    struct RecordingHandler: LogHandler {
        let logs: RecordedLogs
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            logs.records.withLock { $0.append((event.level, event.message.description, event.metadata ?? [:])) }
        }
    }
}

@Suite(.enabled(if: TestDatabase.isConfigured, "needs POSTERN_TEST_DATABASE_URL"), .serialized)
struct DirectoryRebuildTests {
    let master = try! MasterKey(base64: MasterKey.generateBase64())

    @Test func aRebuildReproducesTheInlineProjectionRowForRowAtAnyBatchSize() async throws {
        try await TestDatabase.withDatabase { client in
            let store = TestDatabase.store(client, master: master)
            let workload = DirectoryWorkload(store: store, master: master, seed: 20_251_203)
            try await workload.setUp()
            try await workload.register(90, perBatch: 1)
            try await workload.register(60, perBatch: 4)
            for round in 0..<8 { try await workload.step(perBatch: round % 3 + 1) }
            try await workload.transferAliases(3)
            try await workload.deleteUsers(every: 7)
            try await workload.deleteLastPool()

            let inline = try await directorySnapshot(client)
            for table in [
                "user_pools", "user_pool_clients", "users", "confirmation_codes", "refresh_tokens", "used_sessions", "admin_keys", "sign_in_aliases",
            ] {
                #expect(inline[table]?.isEmpty == false, "the workload leaves rows in \(table)")
            }
            #expect(inline["refresh_tokens"]?.contains { $0.hasSuffix(",)") } == true, "some tokens are live")
            #expect(inline["users"]?.contains { $0.contains("shredded:") } == false)
            var versions: [String] = []
            for try await sub in try await client.query(
                """
                SELECT u.sub FROM directory.users u
                WHERE u.version <> (SELECT max(stream_version) FROM eventlog.events WHERE stream_id = 'user-' || u.sub)
                """
            ).decode(String.self) {
                versions.append(sub)
            }
            #expect(versions.isEmpty, "a user row's version is its stream's")

            for batchSize in [10_000, 97, 5] {
                let replayed = try await store.rebuildProjections(batchSize: batchSize)
                #expect(replayed == workload.events)
                let rebuilt = try await directorySnapshot(client)
                #expect(differences(inline, rebuilt) == [], "batches of \(batchSize)")
            }

            // The previous release's projector, one statement at a time, writes the same rows.
            let previous = EventStore(
                client: client, projector: StatementProjector(opener: TestKeyring(master: master)), chainKey: master.chainKey,
                logger: TestDatabase.logger)
            try await previous.rebuildProjections(batchSize: 1000)
            #expect(differences(inline, try await directorySnapshot(client)) == [], "the statement-at-a-time projector")
        }
    }

    @Test func anUnknownEventTypeIsSkippedAndLoggedAtErrorLevelInlineAndOnRebuild() async throws {
        try await TestDatabase.withDatabase { client in
            let logs = RecordedLogs()
            let store = EventStore(
                client: client, projector: DirectoryProjector(opener: TestKeyring(master: master)), chainKey: master.chainKey, logger: logs.logger)
            let workload = DirectoryWorkload(store: store, master: master, seed: 7)
            try await workload.setUp()
            try await workload.register(1)
            let user = workload.users[0]
            try await store.append(
                AppendBatch(
                    stream: user.stream, expected: .exact(user.version),
                    events: [NewEvent(streamID: user.stream, type: "SomethingFromTheFuture", data: .object([:]))]),
                metadata: .test())
            func reported() -> Int {
                logs.records.withLock { records in
                    records.filter { $0.level == .error && $0.metadata["event_type"] == "SomethingFromTheFuture" }.count
                }
            }
            #expect(reported() == 1)
            var version = 0
            for try await value in try await client.query("SELECT version FROM directory.users WHERE sub = \(user.sub.rawValue)").decode(Int.self) {
                version = value
            }
            #expect(version == user.version + 1, "the event still counts in the stream's version")
            let before = try await directorySnapshot(client)
            try await store.rebuildProjections()
            #expect(reported() == 2)
            #expect(differences(before, try await directorySnapshot(client)) == [])
        }
    }

    /// Prints how fast `projections rebuild` replays a realistic log of POSTERN_BENCH_REBUILD events
    /// (a benchmark, never a timed assertion).
    @Test(.enabled(if: benchRebuild != nil, "set POSTERN_BENCH_REBUILD=N")) func rebuildThroughput() async throws {
        try await TestDatabase.withDatabase { client in
            let store = TestDatabase.store(client, master: master)
            let workload = DirectoryWorkload(store: store, master: master, seed: 1)
            let target = benchRebuild ?? 0
            let clock = ContinuousClock()
            let appended = try await clock.measure {
                try await workload.setUp()
                try await workload.register(max(1, target / 12), perBatch: 100)
                while workload.events < target { try await workload.step(perBatch: 100) }
            }
            let inline = try await directorySnapshot(client)
            var replayed = 0
            let rebuilt = try await clock.measure { replayed = try await store.rebuildProjections() }
            #expect(differences(inline, try await directorySnapshot(client)) == [])
            func seconds(_ duration: Duration) -> Double {
                Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
            }
            let users = inline["users"]?.count ?? 0
            print(
                String(
                    format: "rebuild: %d events (%d users) in %.3f s: %.0f events/s; appended inline in %.3f s (%d appends, %.0f events/s)",
                    replayed, users, seconds(rebuilt), Double(replayed) / seconds(rebuilt), seconds(appended), workload.appends,
                    Double(workload.events) / seconds(appended)))
        }
    }
}
