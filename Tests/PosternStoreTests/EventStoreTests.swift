import Foundation
import PosternCore
import PosternCrypto
import PosternStore
import PosternTestSupport
import PostgresNIO
import Testing

@Suite(.enabled(if: TestDatabase.isConfigured, "needs POSTERN_TEST_DATABASE_URL"), .serialized)
struct EventStoreTests {
    let master = try! MasterKey(base64: MasterKey.generateBase64())

    func adminKeyEvent(_ id: String) throws -> NewEvent {
        NewEvent(streamID: Stream.adminKey(id), AdminKeyCreated(accessKeyId: id, sealedSecret: "v1.x", description: "test"))
    }

    @Test func appendAssignsVersionsPositionsAndAHashChain() async throws {
        try await TestDatabase.withDatabase { client in
            let store = TestDatabase.store(client, master: master)
            let first = try await store.append(.init(stream: "adminkey-A", expected: .noStream, events: [try adminKeyEvent("A")]), metadata: .test())
            let second = try await store.append(
                .init(
                    stream: "adminkey-A", expected: .exact(1),
                    events: [NewEvent(streamID: "adminkey-A", AdminKeyRevoked(accessKeyId: "A"))]), metadata: .test())
            #expect(first[0].streamVersion == 1 && second[0].streamVersion == 2)
            #expect(second[0].position > first[0].position)
            #expect(first[0].metadata["sourceIp"] == "127.0.0.1")
            let stream = try await store.readStream("adminkey-A")
            #expect(stream.map(\.type) == ["AdminKeyCreated", "AdminKeyRevoked"])
            #expect(try await store.verifyChains() == nil)
        }
    }

    @Test func theDatabaseRefusesToUpdateOrDeleteEvents() async throws {
        try await TestDatabase.withDatabase { client in
            let store = TestDatabase.store(client, master: master)
            try await store.append(.init(stream: "adminkey-A", expected: .noStream, events: [try adminKeyEvent("A")]), metadata: .test())
            await #expect(throws: PSQLError.self) { try await client.query("UPDATE eventlog.events SET event_type = 'Forged'") }
            await #expect(throws: PSQLError.self) { try await client.query("DELETE FROM eventlog.events") }
            await #expect(throws: PSQLError.self) { try await client.query("TRUNCATE eventlog.events") }
            #expect(try await store.readStream("adminkey-A").count == 1)
        }
    }

    @Test func concurrentAppendsAtTheSameVersionLetExactlyOneWin() async throws {
        try await TestDatabase.withDatabase { client in
            let store = TestDatabase.store(client, master: master)
            try await store.append(.init(stream: "adminkey-A", expected: .noStream, events: [try adminKeyEvent("A")]), metadata: .test())
            let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        do {
                            try await store.append(
                                .init(
                                    stream: "adminkey-A", expected: .exact(1),
                                    events: [NewEvent(streamID: "adminkey-A", AdminKeyRevoked(accessKeyId: "A"))]), metadata: .test())
                            return true
                        } catch StoreError.wrongExpectedVersion {
                            return false
                        }
                    }
                }
                return try await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 }.count == 1)
            #expect(try await store.version(of: "adminkey-A") == 2)
        }
    }

    @Test func aFailedProjectionRollsBackTheEventsAndTheDataKeys() async throws {
        try await TestDatabase.withDatabase { client in
            let store = TestDatabase.store(client, master: master)
            try await store.append(.init(stream: "adminkey-A", expected: .noStream, events: [try adminKeyEvent("A")]), metadata: .test())
            // A second key with the same id violates admin_keys' primary key inside the projection.
            var batch = AppendBatch(stream: "adminkey-A2", expected: .noStream, events: [try adminKeyEvent("A")])
            batch.dataKeysToCreate = [("subject-1", [1, 2, 3])]
            await #expect(throws: StoreError.uniqueValueTaken(constraint: "admin_keys_pkey")) { try await store.append(batch, metadata: .test()) }
            #expect(try await store.readStream("adminkey-A2").isEmpty)
            let keys = try await client.query("SELECT count(*)::int FROM eventlog.data_keys")
            for try await count in keys.decode(Int.self) { #expect(count == 0) }
        }
    }

    @Test func migrationsAreIdempotent() async throws {
        try await TestDatabase.withDatabase { client in
            let again = try await Migrator(directory: TestDatabase.migrations).migrate(client: client, logger: TestDatabase.logger)
            #expect(again.isEmpty)
            var applied: [String] = []
            for try await name in try await client.query("SELECT name FROM public.schema_migrations ORDER BY name").decode(String.self) {
                applied.append(name)
            }
            #expect(applied == (try Migrator(directory: TestDatabase.migrations).migrations().map(\.name)))
        }
    }

    @Test func twoMigratorsStartingTogetherApplyEachMigrationOnce() async throws {
        try await TestDatabase.withDatabase(migrate: false) { client in
            let migrator = Migrator(directory: TestDatabase.migrations)
            async let first = migrator.migrate(client: client, logger: TestDatabase.logger)
            async let second = migrator.migrate(client: client, logger: TestDatabase.logger)
            let (a, b) = try await (first, second)
            #expect((a + b).sorted() == (try migrator.migrations().map(\.name)))
        }
    }

    @Test func verifyNamesTheFirstTamperedEvent() async throws {
        try await TestDatabase.withDatabase { client in
            let store = TestDatabase.store(client, master: master)
            for id in ["A", "B", "C"] {
                try await store.append(.init(stream: "adminkey-\(id)", expected: .noStream, events: [try adminKeyEvent(id)]), metadata: .test())
            }
            let victim = try await store.readStream("adminkey-B")[0]
            // An attacker with superuser rights bypasses the guard triggers.
            _ = try await client.withConnection { connection in
                try await connection.query("SET session_replication_role = replica", logger: TestDatabase.logger)
                try await connection.query(
                    "UPDATE eventlog.events SET data = jsonb_set(data, '{description}', '\"forged\"') WHERE position = \(victim.position)",
                    logger: TestDatabase.logger)
                try await connection.query("SET session_replication_role = DEFAULT", logger: TestDatabase.logger)
            }
            let broken = try await store.verifyChains()
            #expect(broken?.brokenEvent?.position == victim.position)
            #expect(broken?.brokenEvent?.reason == "content does not match its keyed hash")
        }
    }

    @Test func verifyDetectsARemovedEvent() async throws {
        try await TestDatabase.withDatabase { client in
            let store = TestDatabase.store(client, master: master)
            try await store.append(.init(stream: "adminkey-A", expected: .noStream, events: [try adminKeyEvent("A")]), metadata: .test())
            try await store.append(
                .init(
                    stream: "adminkey-A", expected: .exact(1),
                    events: [NewEvent(streamID: "adminkey-A", AdminKeyRevoked(accessKeyId: "A"))]), metadata: .test())
            _ = try await client.withConnection { connection in
                try await connection.query("SET session_replication_role = replica", logger: TestDatabase.logger)
                try await connection.query(
                    "DELETE FROM eventlog.events WHERE stream_id = 'adminkey-A' AND stream_version = 1", logger: TestDatabase.logger)
                try await connection.query("SET session_replication_role = DEFAULT", logger: TestDatabase.logger)
            }
            let broken = try await store.verifyChains()
            #expect(broken?.brokenEvent?.streamID == "adminkey-A")
            #expect(broken?.brokenEvent?.streamVersion == 2)
        }
    }
}
