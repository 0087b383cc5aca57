import Foundation
import PosternCore
import PosternCrypto
import PosternStore
import PosternTestSupport
import PostgresNIO
import Testing

@Suite(.enabled(if: TestDatabase.isConfigured, "needs POSTERN_TEST_DATABASE_URL"), .serialized)
struct ProjectionTests {
    let master = try! MasterKey(base64: MasterKey.generateBase64())
    let pool: UserPoolID = "us-east-1_TestPool1"

    func createPool(_ store: EventStore) async throws {
        // Email is a sign-in alias, so confirmed users also fill `sign_in_aliases`, which a rebuild must reproduce.
        let settings = try UserPoolSettings.forNewPool(request: ["AliasAttributes": .array(["email"])])
        try await store.append(
            .init(
                stream: Stream.userPool(pool), expected: .noStream,
                events: [
                    NewEvent(streamID: Stream.userPool(pool), UserPoolCreated(poolId: pool, name: "p", settings: settings.json, signingKeys: []))
                ]),
            metadata: .test())
    }

    /// Registers a user the way SignUp does: a new data key, the profile sealed with it.
    @discardableResult
    func register(_ store: EventStore, username: String, email: String) async throws -> Sub {
        let sub = Sub(UUID().uuidString.lowercased())
        let key = try master.newDataKey()
        let registered = UserRegistered(
            poolId: pool, sub: sub, origin: "SignUp",
            sealedProfile: .ciphertext(try key.key.seal(json: UserProfile(username: username, attributes: ["email": email]))),
            sealedVerifier: .ciphertext(try key.key.seal("verifier")), status: .unconfirmed, clientId: nil)
        var batch = AppendBatch(stream: Stream.user(sub), expected: .noStream, events: [NewEvent(streamID: Stream.user(sub), registered)])
        batch.dataKeysToCreate = [(sub.rawValue, key.wrapped)]
        try await store.append(batch, metadata: .test())
        return sub
    }

    func delete(_ store: EventStore, _ sub: Sub, version: Int) async throws {
        var batch = AppendBatch(
            stream: Stream.user(sub), expected: .exact(version),
            events: [NewEvent(streamID: Stream.user(sub), UserDeleted(poolId: pool, by: "admin"))])
        batch.dataKeysToDestroy = [sub.rawValue]
        try await store.append(batch, metadata: .test())
    }

    @Test func usernamesAreUniquePerPoolInsideTheAppendTransaction() async throws {
        try await TestDatabase.withDatabase { client in
            let store = TestDatabase.store(client, master: master)
            try await createPool(store)
            let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<6 {
                    group.addTask {
                        do {
                            try await register(store, username: "alice", email: "a@example.com")
                            return true
                        } catch StoreError.uniqueValueTaken(let constraint) {
                            #expect(constraint == "users_username_unique")
                            return false
                        }
                    }
                }
                return try await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 }.count == 1)
        }
    }

    @Test func personalDataIsNotInTheEventLog() async throws {
        try await TestDatabase.withDatabase { client in
            let store = TestDatabase.store(client, master: master)
            try await createPool(store)
            try await register(store, username: "carol-secret-name", email: "carol@example.com")
            for try await text in try await client.query("SELECT data::text FROM eventlog.events").decode(String.self) {
                #expect(!text.contains("carol"))
            }
        }
    }

    @Test func deletingAUserShredsTheirDataAndARebuildDoesNotBringItBack() async throws {
        try await TestDatabase.withDatabase { client in
            let store = TestDatabase.store(client, master: master)
            try await createPool(store)
            let dave = try await register(store, username: "dave", email: "dave@example.com")
            try await register(store, username: "erin", email: "erin@example.com")
            try await delete(store, dave, version: 1)

            let events = try await store.readStream(Stream.user(dave))
            #expect(events.map(\.type) == ["UserSignedUp", "UserDeleted"], "the history stays")
            let sealed = try events[0].payload(as: UserRegistered.self).sealedProfile
            var keys = 0
            for try await count in try await client.query("SELECT count(*)::int FROM eventlog.data_keys WHERE subject = \(dave.rawValue)").decode(
                Int.self)
            {
                keys = count
            }
            #expect(keys == 0, "the data key is destroyed, so nothing can open \(sealed.ciphertext?.prefix(6) ?? "")…")

            try await store.rebuildProjections()
            var usernames: [String] = []
            for try await name in try await client.query("SELECT username FROM directory.users ORDER BY username").decode(String.self) {
                usernames.append(name)
            }
            #expect(usernames == ["erin"])
        }
    }

    @Test func aRebuildAfterARandomWorkloadReproducesEveryTableRowForRow() async throws {
        try await TestDatabase.withDatabase { client in
            let store = TestDatabase.store(client, master: master)
            try await createPool(store)
            var generator = SystemRandomNumberGenerator()
            var live: [(Sub, Int)] = []
            for step in 0..<120 {
                switch Int.random(in: 0..<10, using: &generator) {
                case 0..<5:
                    let sub = try await register(store, username: "user\(step)", email: "u\(step)@example.com")
                    live.append((sub, 1))
                case 5..<7 where !live.isEmpty:
                    let index = Int.random(in: 0..<live.count, using: &generator)
                    let (sub, version) = live[index]
                    try await store.append(
                        .init(
                            stream: Stream.user(sub), expected: .exact(version),
                            events: [NewEvent(streamID: Stream.user(sub), UserConfirmed(by: "admin", verifiedAttribute: "email"))]),
                        metadata: .test())
                    live[index].1 += 1
                case 7..<9 where !live.isEmpty:
                    let index = Int.random(in: 0..<live.count, using: &generator)
                    let (sub, version) = live[index]
                    try await store.append(
                        .init(
                            stream: Stream.user(sub), expected: .exact(version),
                            events: [
                                NewEvent(
                                    streamID: Stream.user(sub),
                                    SignInSucceeded(
                                        flow: "USER_PASSWORD_AUTH", clientId: "c", originJti: UUID().uuidString, refreshTokenHash: UUID().uuidString,
                                        authTime: Date(), refreshExpiresAt: Date().addingTimeInterval(3600)))
                            ]),
                        metadata: .test())
                    live[index].1 += 1
                default:
                    if !live.isEmpty {
                        let (sub, version) = live.remove(at: Int.random(in: 0..<live.count, using: &generator))
                        try await delete(store, sub, version: version)
                    }
                }
            }
            let before = try await directorySnapshot(client)
            let replayed = try await store.rebuildProjections()
            let after = try await directorySnapshot(client)
            #expect(replayed > 0)
            #expect(before == after)
            #expect(before["users"]?.count == live.count)
        }
    }

    /// The directory's definition as the catalog has it: columns, constraints, indexes, grants, triggers.
    func catalog(_ client: PostgresClient) async throws -> [String] {
        var lines: [String] = []
        for try await line in try await client.query(
            """
            SELECT 'column ' || c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod) || ' not null: '
                   || a.attnotnull || ' default: ' || coalesce(pg_get_expr(d.adbin, d.adrelid), '-')
            FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
            LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
            WHERE c.relnamespace = 'directory'::regnamespace AND a.attnum > 0 AND NOT a.attisdropped
            UNION ALL
            SELECT 'constraint ' || conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid)
            FROM pg_constraint WHERE connamespace = 'directory'::regnamespace
            UNION ALL
            SELECT 'index ' || indexname || ' ' || indexdef FROM pg_indexes WHERE schemaname = 'directory'
            UNION ALL
            SELECT 'relation ' || relname || ' ' || relkind::text || ' owner ' || relowner::regrole || ' acl ' || coalesce(relacl::text, '-')
            FROM pg_class WHERE relnamespace = 'directory'::regnamespace
            UNION ALL
            SELECT 'trigger ' || tgname || ' ' || pg_get_triggerdef(t.oid) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
            WHERE c.relnamespace = 'directory'::regnamespace AND NOT t.tgisinternal
            UNION ALL
            SELECT 'schema ' || nspname || ' owner ' || nspowner::regrole || ' acl ' || coalesce(nspacl::text, '-')
            FROM pg_namespace WHERE nspname = 'directory'
            UNION ALL
            SELECT 'default acl ' || defaclobjtype::text || ' ' || defaclacl::text FROM pg_default_acl
            WHERE defaclnamespace = 'directory'::regnamespace
            ORDER BY 1
            """
        ).decode(String.self) {
            lines.append(line)
        }
        return lines
    }

    @Test func aRebuildKeepsEveryTableDefinitionNameGrantAndTrigger() async throws {
        try await TestDatabase.withNamedDatabase { owner, name in
            try await TestDatabase.withApplicationClient(database: name, owner: owner) { app in
                let store = TestDatabase.store(app, master: master)
                try await createPool(store)
                try await register(store, username: "alice", email: "alice@example.com")
                let before = try await catalog(owner)
                #expect(before.contains { $0.hasPrefix("constraint directory.users users_username_unique UNIQUE (pool_id, username_key)") })
                #expect(before.contains { $0.hasPrefix("index users_pool_idx ") })
                #expect(before.contains { $0.contains(TestDatabase.applicationRole) }, "the grants are part of what must survive")
                let rows = try await directorySnapshot(owner)
                #expect(try await store.rebuildProjections() == 2)
                #expect(try await catalog(owner) == before)
                #expect(try await directorySnapshot(owner) == rows)
                // The unique constraint is still the one the API maps to UsernameExistsException.
                await #expect(throws: StoreError.uniqueValueTaken(constraint: "users_username_unique")) {
                    try await register(store, username: "alice", email: "alice2@example.com")
                }
            }
        }
    }
}
