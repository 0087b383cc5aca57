import Foundation
import PosternCore
import PosternCrypto
import PosternStore
import PosternTestSupport
import PostgresNIO
import Testing

/// The log is tamper-evident: the server's role cannot rewrite it, and `verify` catches what an owner
/// or superuser without the master key does to it.
@Suite(.enabled(if: TestDatabase.isConfigured, "needs POSTERN_TEST_DATABASE_URL"))
struct TamperEvidenceTests {
    let master = try! MasterKey(base64: MasterKey.generateBase64())

    func created(_ id: String) throws -> NewEvent {
        NewEvent(streamID: Stream.adminKey(id), AdminKeyCreated(accessKeyId: id, sealedSecret: "v1.x", description: "test"))
    }

    func revoked(_ id: String) throws -> NewEvent {
        NewEvent(streamID: Stream.adminKey(id), AdminKeyRevoked(accessKeyId: id))
    }

    /// Appends `adminkey-ID` v1 (and v2 when `revoke`).
    func key(_ store: EventStore, _ id: String, revoke: Bool = false) async throws {
        try await store.append(.init(stream: Stream.adminKey(id), expected: .noStream, events: [try created(id)]), metadata: .test())
        if revoke {
            try await store.append(.init(stream: Stream.adminKey(id), expected: .exact(1), events: [try revoked(id)]), metadata: .test())
        }
    }

    /// Signs checkpoints until every event is covered. A checkpoint stops below the oldest transaction
    /// still running anywhere in the cluster, and tests in other databases run in parallel.
    func settle(_ store: EventStore) async throws {
        for _ in 0..<400 {
            try await store.writeCheckpoint()
            if try await store.verifyLog().uncovered == 0 { return }
            try await Task.sleep(for: .milliseconds(25))
        }
        Issue.record("the log never settled")
    }

    /// Runs SQL as the superuser with every trigger off, as an attacker with the owner's or superuser's rights can.
    func tamper(_ client: PostgresClient, _ statements: String...) async throws {
        try await client.withConnection { connection in
            try await connection.query("SET session_replication_role = replica", logger: TestDatabase.logger).drain()
            for statement in statements { try await connection.query(PostgresQuery(unsafeSQL: statement), logger: TestDatabase.logger).drain() }
            try await connection.query("SET session_replication_role = DEFAULT", logger: TestDatabase.logger).drain()
        }
    }

    @Test func theApplicationRoleCanAppendButCannotRewriteOrUnguardTheLog() async throws {
        try await TestDatabase.withNamedDatabase { owner, name in
            try await TestDatabase.withApplicationClient(database: name, owner: owner) { app in
                let store = TestDatabase.store(app, master: master)
                try await key(store, "A", revoke: true)
                #expect(try await store.writeCheckpoint() != nil)
                #expect(try await store.rebuildProjections() == 2)
                #expect(try await store.verifyChains() == nil)
                let refused = [
                    "UPDATE eventlog.events SET event_type = 'Forged'", "DELETE FROM eventlog.events", "TRUNCATE eventlog.events",
                    "DROP TRIGGER events_no_update ON eventlog.events", "DROP TRIGGER events_chain ON eventlog.events",
                    "ALTER TABLE eventlog.events DISABLE TRIGGER USER", "DROP TABLE eventlog.events",
                    "SET session_replication_role = replica",
                    "CREATE OR REPLACE FUNCTION eventlog.reject_change() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$",
                    "UPDATE eventlog.log_checkpoints SET event_count = 0", "DELETE FROM eventlog.log_checkpoints",
                    "TRUNCATE eventlog.log_checkpoints",
                    // An unkeyed hash is refused: the app role cannot fall back to sha256.
                    """
                    INSERT INTO eventlog.events (stream_id, stream_version, event_type, data, hash, hash_scheme)
                    VALUES ('adminkey-X', 1, 'AdminKeyCreated', '{}', sha256('x'), 1)
                    """,
                ]
                for statement in refused {
                    await #expect(throws: PSQLError.self, "\(statement)") { try await app.query(PostgresQuery(unsafeSQL: statement)).drain() }
                }
                #expect(try await store.readStream("adminkey-A").count == 2)
            }
        }
    }

    @Test func anEventForgedWithTheApplicationRoleFailsVerification() async throws {
        try await TestDatabase.withNamedDatabase { owner, name in
            try await TestDatabase.withApplicationClient(database: name, owner: owner) { app in
                let store = TestDatabase.store(app, master: master)
                try await key(store, "A")
                // INSERT is allowed, but without the master key there is no valid hash to give it.
                try await app.query(
                    """
                    INSERT INTO eventlog.events (stream_id, stream_version, event_type, data, previous_hash, hash, hash_scheme)
                    SELECT 'adminkey-A', 2, 'AdminKeyRevoked', '{"accessKeyId": "A"}', hash, sha256(hash), 2
                    FROM eventlog.events WHERE stream_id = 'adminkey-A'
                    """
                ).drain()
                let broken = try await store.verifyChains()?.brokenEvent
                #expect(broken?.streamVersion == 2)
                #expect(broken?.reason == "content does not match its keyed hash")
            }
        }
    }

    /// An owner who edits an event and recomputes 0001's unkeyed hash for it does not get past verify.
    @Test(arguments: ["keyed scheme", "legacy scheme", "legacy scheme, first event"])
    func recomputingAnUnkeyedHashDoesNotMakeAForgedEventPass(variant: String) async throws {
        try await TestDatabase.withDatabase { client in
            let store = TestDatabase.store(client, master: master)
            try await key(store, "A", revoke: true)
            try await key(store, "B")
            let victim = variant.hasSuffix("first event") ? "stream_id = 'adminkey-B'" : "stream_id = 'adminkey-A' AND stream_version = 2"
            let scheme = variant == "keyed scheme" ? 2 : 1
            try await tamper(
                client, "UPDATE eventlog.events SET data = jsonb_set(data, '{accessKeyId}', '\"forged\"') WHERE \(victim)",
                """
                UPDATE eventlog.events SET hash_scheme = \(scheme), hash = eventlog.event_hash(previous_hash, stream_id, stream_version,
                    event_type, schema_version, data, metadata, recorded_at) WHERE \(victim)
                """)
            let broken = try await store.verifyChains()?.brokenEvent
            #expect(broken?.streamID == (variant.hasSuffix("first event") ? "adminkey-B" : "adminkey-A"))
            let reasons = ["content does not match its keyed hash", "unkeyed hash after a keyed one", "unkeyed hash after keyed events began"]
            #expect(reasons.contains(broken?.reason ?? ""), "\(String(describing: broken))")
        }
    }

    @Test(arguments: ["stream tail", "whole stream", "first event"])
    func removingEventsCoveredByACheckpointIsDetected(removal: String) async throws {
        try await TestDatabase.withDatabase { client in
            let store = TestDatabase.store(client, master: master)
            try await key(store, "A", revoke: true)
            try await key(store, "B")
            try await settle(store)
            #expect(try await store.verifyChains() == nil)
            let condition =
                switch removal {
                case "stream tail": "stream_id = 'adminkey-A' AND stream_version = 2"
                case "whole stream": "stream_id = 'adminkey-A'"
                default: "stream_id = 'adminkey-B'"
                }
            try await tamper(client, "DELETE FROM eventlog.events WHERE \(condition)")
            let failure = try await store.verifyChains()
            guard case .checkpoint(let seq, let reason) = failure else {
                Issue.record("expected a checkpoint failure, got \(String(describing: failure))")
                return
            }
            #expect(seq >= 1)
            #expect(reason.contains("events removed"), "\(reason)")
        }
    }

    @Test func removingOrEditingCheckpointsIsDetected() async throws {
        try await TestDatabase.withDatabase { client in
            let store = TestDatabase.store(client, master: master)
            try await key(store, "A")
            try await settle(store)
            try await key(store, "B")
            try await settle(store)
            try await key(store, "C")
            try await settle(store)
            let report = try await store.verifyLog()
            let last = Int64(report.checkpoints)
            #expect(report.failure == nil && last >= 3 && report.uncovered == 0 && report.head?.hasPrefix("\(last):") == true)

            try await tamper(client, "UPDATE eventlog.log_checkpoints SET event_count = event_count + 1 WHERE seq = \(last)")
            #expect(try await store.verifyChains() == .checkpoint(seq: last, reason: "signature does not match"))
            try await tamper(client, "DELETE FROM eventlog.log_checkpoints WHERE seq = \(last)")
            // Events after the last checkpoint are the window verify cannot see into ...
            #expect(try await store.verifyLog().uncovered >= 1)
            #expect(try await store.verifyChains() == nil)
            // ... but only while they are recent: the server signs a checkpoint every few seconds.
            #expect(try await store.verifyChains(maxUncoveredAge: 0)?.brokenEvent?.streamID == "adminkey-C")
            try await tamper(client, "DELETE FROM eventlog.log_checkpoints WHERE seq = 1")
            #expect(try await store.verifyChains() == .checkpoint(seq: 2, reason: "an earlier checkpoint is missing"))
        }
    }

    @Test func aCheckpointNeverCoversATransactionThatCommitsLate() async throws {
        try await TestDatabase.withDatabase { client in
            let store = TestDatabase.store(client, master: master)
            try await key(store, "A")
            // Hold A's directory row so that revoking A inserts its event (taking a position) and then waits.
            try await client.withConnection { blocker in
                try await blocker.query("BEGIN", logger: TestDatabase.logger).drain()
                try await blocker.query("SELECT * FROM directory.admin_keys WHERE access_key_id = 'A' FOR UPDATE", logger: TestDatabase.logger)
                    .drain()
                let revocation = try revoked("A")
                async let late = store.append(.init(stream: "adminkey-A", expected: .exact(1), events: [revocation]), metadata: .test())
                try await Task.sleep(for: .milliseconds(300))
                try await key(store, "B")  // a higher position that commits first
                let first = try await store.writeCheckpoint()
                #expect((first?.eventCount ?? 0) <= 1, "neither the waiting revocation nor B, which began after it, is settled")
                try await blocker.query("ROLLBACK", logger: TestDatabase.logger).drain()
                _ = try await late
            }
            try await settle(store)
            let report = try await store.verifyLog()
            #expect(report.failure == nil)
            #expect(report.events == 3 && report.uncovered == 0)
        }
    }

    @Test func eventsWrittenBeforeTheKeyedChainStillVerify() async throws {
        try await TestDatabase.withDatabase(migrate: false) { client in
            let legacy = FileManager.default.temporaryDirectory.appendingPathComponent("postern-legacy-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: legacy, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: legacy) }
            for file in ["0001_event_store.sql", "0002_directory.sql"] {
                try FileManager.default.copyItem(
                    at: TestDatabase.migrations.appendingPathComponent(file), to: legacy.appendingPathComponent(file))
            }
            try await Migrator(directory: legacy).migrate(client: client, logger: TestDatabase.logger)
            // What the previous release wrote: the trigger computed an unkeyed sha256.
            for (stream, version) in [("adminkey-L", 1), ("adminkey-L", 2), ("adminkey-M", 1)] {
                try await client.query(
                    """
                    INSERT INTO eventlog.events (stream_id, stream_version, event_type, data)
                    VALUES (\(stream), \(version), 'AdminKeyNoted', '{"note": "legacy"}')
                    """
                ).drain()
            }
            try await Migrator(directory: TestDatabase.migrations).migrate(client: client, logger: TestDatabase.logger)
            let store = TestDatabase.store(client, master: master)
            try await store.append(.init(stream: "adminkey-L", expected: .exact(2), events: [try revoked("L")]), metadata: .test())
            try await key(store, "N")
            try await store.writeCheckpoint()
            let report = try await store.verifyLog()
            #expect(report.failure == nil)
            #expect(report.events == 5 && report.legacyEvents == 3 && report.checkpoints == 1)

            try await tamper(client, "UPDATE eventlog.events SET data = '{\"note\": \"forged\"}' WHERE stream_id = 'adminkey-M'")
            #expect(try await store.verifyChains()?.brokenEvent?.reason == "content does not match its hash")
        }
    }
}
