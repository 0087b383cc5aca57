import Foundation
import PosternCore
import PosternCrypto
import PosternStore
import PosternTestSupport
import PostgresNIO
import Testing

/// The store seals events' personal data at the append boundary: commands hand it plaintext `Sealed`
/// values, the log receives ciphertext under the subject's data key.
@Suite(.enabled(if: TestDatabase.isConfigured, "needs POSTERN_TEST_DATABASE_URL"), .serialized)
struct SealingTests {
    let master = try! MasterKey(base64: MasterKey.generateBase64())
    let sub = Sub(UUID().uuidString.lowercased())
    var stream: String { Stream.user(sub) }

    func registered(_ username: String) -> UserRegistered {
        UserRegistered(
            poolId: "us-east-1_abc", sub: sub, origin: "SignUp",
            sealedProfile: .plaintext(UserProfile(username: username, attributes: ["email": "\(username)@example.com"])),
            sealedVerifier: .plaintext(PasswordVerifier.make(password: "Passw0rd!", poolName: "abc", userID: username)),
            status: .unconfirmed, clientId: nil)
    }

    func storedKey(_ client: PostgresClient) async throws -> Sealer? {
        for try await wrapped in try await client.query("SELECT wrapped_key FROM eventlog.data_keys WHERE subject = \(sub.rawValue)").decode(
            Data.self)
        {
            return try master.unwrap([UInt8](wrapped))
        }
        return nil
    }

    func pool(_ store: EventStore) async throws {
        let poolStream = Stream.userPool("us-east-1_abc")
        try await store.append(
            .init(
                stream: poolStream, expected: .noStream,
                events: [NewEvent(streamID: poolStream, UserPoolCreated(poolId: "us-east-1_abc", name: "p", settings: .object([:]), signingKeys: []))]
            ),
            metadata: .test())
    }

    @Test func aNewSubjectGetsAKeyAndTheLogHoldsOnlyCiphertext() async throws {
        try await TestDatabase.withDatabase { client in
            let store = TestDatabase.store(client, master: master)
            try await pool(store)
            let recorded = try await store.append(
                .init(stream: stream, expected: .noStream, events: [NewEvent(streamID: stream, registered("alice"))], sealingKey: .new),
                metadata: .test())
            let key = try #require(try await storedKey(client))
            for try await text in try await client.query("SELECT data::text FROM eventlog.events WHERE stream_id = \(stream)").decode(String.self) {
                #expect(!text.contains("alice"))
            }
            let event = try recorded[0].payload(as: UserRegistered.self)
            #expect(try key.open(event.sealedProfile).username == "alice")
            #expect(try key.open(try #require(event.sealedVerifier)).matches(password: "Passw0rd!", poolName: "abc", userID: "alice"))
            // The inline projection opened the profile with the new key in the same transaction.
            let usernames = try await client.query("SELECT username FROM directory.users WHERE sub = \(sub.rawValue)").decode(String.self)
            for try await username in usernames { #expect(username == "alice") }
        }
    }

    @Test func withoutAKeyFromTheCallerTheStoreUsesTheSubjectsStoredKey() async throws {
        try await TestDatabase.withDatabase { client in
            let store = TestDatabase.store(client, master: master)
            try await pool(store)
            try await store.append(
                .init(stream: stream, expected: .noStream, events: [NewEvent(streamID: stream, registered("bob"))], sealingKey: .new),
                metadata: .test())
            let changed = UserProfileChanged(
                sealedProfile: .plaintext(UserProfile(username: "bob", attributes: ["email": "robert@example.com"])), changedAttributes: ["email"])
            let recorded = try await store.append(
                .init(stream: stream, expected: .exact(1), events: [NewEvent(streamID: stream, changed)]), metadata: .test())
            let key = try #require(try await storedKey(client))
            #expect(try key.open(try recorded[0].payload(as: UserProfileChanged.self).sealedProfile).attributes["email"] == "robert@example.com")
        }
    }

    @Test func personalDataWithoutAnyKeyIsRefusedAndNothingCommits() async throws {
        try await TestDatabase.withDatabase { client in
            let store = TestDatabase.store(client, master: master)
            try await pool(store)
            // The subject has no key (never created, or destroyed): the store never writes the plaintext.
            await #expect(throws: StoreError.unsealable(stream: stream)) {
                try await store.append(
                    .init(stream: stream, expected: .noStream, events: [NewEvent(streamID: stream, registered("carol"))]), metadata: .test())
            }
            // A stream that belongs to no subject cannot take personal data either.
            let attempt = Stream.attempt(UUID())
            await #expect(throws: StoreError.unsealable(stream: attempt)) {
                try await store.append(
                    .init(stream: attempt, expected: .noStream, events: [NewEvent(streamID: attempt, registered("dave"))], sealingKey: .new),
                    metadata: .test())
            }
            // A store without a keyring refuses plaintext personal data outright.
            let keyless = EventStore(
                client: client, projector: DirectoryProjector(opener: TestKeyring(master: master)), chainKey: master.chainKey,
                logger: TestDatabase.logger)
            await #expect(throws: StoreError.unsealable(stream: stream)) {
                try await keyless.append(
                    .init(stream: stream, expected: .noStream, events: [NewEvent(streamID: stream, registered("erin"))], sealingKey: .new),
                    metadata: .test())
            }
            let count = try await client.query("SELECT count(*) FROM eventlog.events WHERE stream_id LIKE 'user-%' OR stream_id LIKE 'attempt-%'")
                .decode(Int.self)
            for try await events in count { #expect(events == 0) }
            #expect(try await storedKey(client) == nil)
        }
    }
}
