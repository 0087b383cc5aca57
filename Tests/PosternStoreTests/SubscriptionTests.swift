import Foundation
import Logging
import PosternCore
import PosternCrypto
import PosternStore
import PosternTestSupport
import PostgresNIO
import Synchronization
import Testing

@Suite(.enabled(if: TestDatabase.isConfigured, "needs POSTERN_TEST_DATABASE_URL"), .serialized)
struct SubscriptionTests {
    let master = try! MasterKey(base64: MasterKey.generateBase64())

    func event(_ id: String) throws -> NewEvent {
        NewEvent(streamID: Stream.adminKey(id), AdminKeyCreated(accessKeyId: id, sealedSecret: "v1.x", description: ""))
    }

    /// Catches up until `count` events were seen. The visibility horizon is cluster-wide, so a transaction
    /// of a test running in parallel can delay (never skip) delivery for a moment.
    func catchUp(_ subscription: Subscription, until count: Int, seen: borrowing Mutex<[String]>) async throws {
        for _ in 0..<200 {
            try await subscription.catchUp()
            if seen.withLock({ $0.count }) >= count { return }
            try await Task.sleep(for: .milliseconds(25))
        }
    }

    /// Inserts an event inside an open transaction on `connection`, the way a slow command would (its
    /// hash is not a valid keyed one: subscribers do not check hashes, `verify` does).
    func insertUncommitted(_ id: String, on connection: PostgresConnection) async throws {
        let data = try event(id).storedText(sealer: nil)
        _ = try await connection.query(
            """
            INSERT INTO eventlog.events (stream_id, stream_version, event_type, data, hash, hash_scheme)
            VALUES (\("adminkey-\(id)"), 1, 'AdminKeyCreated', \(data)::jsonb, '\\x00', 2)
            """, logger: TestDatabase.logger)
    }

    @Test func aTransactionThatCommitsALowerPositionLaterIsNotSkipped() async throws {
        try await TestDatabase.withDatabase { client in
            let store = TestDatabase.store(client, master: master)
            let seen = Mutex<[String]>([])
            let subscription = Subscription(name: "test", store: store) { event in seen.withLock { $0.append(event.streamID) } }

            try await client.withConnection { slow in
                _ = try await slow.query("BEGIN", logger: TestDatabase.logger)
                try await insertUncommitted("SLOW", on: slow)  // takes the lower position, stays open
                try await store.append(.init(stream: "adminkey-FAST", expected: .noStream, events: [try event("FAST")]), metadata: .test())

                // The fast event is committed, but a reader must not move past the open transaction.
                try await subscription.catchUp()
                #expect(seen.withLock { $0 }.isEmpty)

                _ = try await slow.query("COMMIT", logger: TestDatabase.logger)
            }
            try await catchUp(subscription, until: 2, seen: seen)
            #expect(seen.withLock { $0 } == ["adminkey-SLOW", "adminkey-FAST"])
            // Nothing is delivered twice once the checkpoint is stored.
            #expect(try await subscription.catchUp() == 0)
        }
    }

    @Test func anOlderTransactionCommittingAfterANewerOneIsNotSkipped() async throws {
        try await TestDatabase.withDatabase { client in
            let store = TestDatabase.store(client, master: master)
            let seen = Mutex<[String]>([])
            let subscription = Subscription(name: "test", store: store) { event in seen.withLock { $0.append(event.streamID) } }

            try await client.withConnection { old in
                _ = try await old.query("BEGIN", logger: TestDatabase.logger)
                _ = try await old.query("SELECT pg_current_xact_id()", logger: TestDatabase.logger)  // the older transaction id
                try await store.append(.init(stream: "adminkey-NEW", expected: .noStream, events: [try event("NEW")]), metadata: .test())
                try await insertUncommitted("OLD", on: old)  // a higher position, an older transaction
                try await subscription.catchUp()
                #expect(seen.withLock { $0 }.isEmpty)
                _ = try await old.query("COMMIT", logger: TestDatabase.logger)
            }
            try await catchUp(subscription, until: 2, seen: seen)
            #expect(Set(seen.withLock { $0 }) == ["adminkey-NEW", "adminkey-OLD"])
        }
    }

    @Test func concurrentAppendersNeverLoseAnEventForAFollowingSubscriber() async throws {
        try await TestDatabase.withDatabase { client in
            let store = TestDatabase.store(client, master: master)
            let seen = Mutex<[String]>([])
            let subscription = Subscription(name: "test", store: store) { event in seen.withLock { $0.append(event.streamID) } }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for writer in 0..<4 {
                    group.addTask {
                        for index in 0..<25 {
                            let id = "W\(writer)N\(index)"
                            try await store.append(.init(stream: "adminkey-\(id)", expected: .noStream, events: [try event(id)]), metadata: .test())
                        }
                    }
                }
                group.addTask {
                    for _ in 0..<20 {
                        try await subscription.catchUp()
                        try await Task.sleep(for: .milliseconds(5))
                    }
                }
                try await group.waitForAll()
            }
            try await catchUp(subscription, until: 100, seen: seen)
            let delivered = seen.withLock { $0 }
            // Nothing committed is skipped, and without a crash nothing is delivered twice. (Transaction ids
            // crossing a power of ten, as in a fresh cluster, once made a text sort redeliver ranges.)
            let duplicates = Dictionary(delivered.map { ($0, 1) }, uniquingKeysWith: +).filter { $0.value > 1 }
            #expect(duplicates.isEmpty, "\(duplicates.prefix(5))")
            #expect(Set(delivered).count == 100)
        }
    }
}
