import Foundation
import PosternCore
import PosternCrypto
import PosternStore
import PosternTestSupport
import PostgresNIO
import Testing

/// Identity-pool events projected inline into `directory.identity_pools`, read back by the queries, and
/// reproduced row for row by a rebuild. Against a real PostgreSQL.
@Suite(.serialized) struct IdentityPoolProjectionTests {
    let master = try! MasterKey(base64: MasterKey.generateBase64())

    func append(_ store: EventStore, _ pool: IdentityPoolID, version: Int, _ event: some EventPayload) async throws {
        let stream = Stream.identityPool(pool)
        try await store.append(
            AppendBatch(stream: stream, expected: version == 0 ? .noStream : .exact(version), events: [NewEvent(streamID: stream, event)]),
            metadata: .test())
    }

    @Test func theProjectionFollowsEveryEventAndARebuildReproducesIt() async throws {
        try await TestDatabase.withDatabase { client in
            let store = TestDatabase.store(client, master: master)
            let directory = DirectoryQueries(client: client, logger: TestDatabase.logger)
            let provider = "cognito-idp.us-east-1.amazonaws.com/us-east-1_abc"
            var ids: [IdentityPoolID] = []
            for index in 0..<3 {
                let id = IdentityPoolID("us-east-1:00000000-0000-4000-8000-00000000000\(index)")
                ids.append(id)
                let created = try IdentityPoolConfiguration.create(
                    id: id,
                    request: [
                        "IdentityPoolName": .string("pool \(index)"), "AllowUnauthenticatedIdentities": .bool(index == 0),
                        "CognitoIdentityProviders": .array([.object(["ProviderName": .string(provider), "ClientId": "abc123"])]),
                        "IdentityPoolTags": .object(["n": .string("\(index)")]),
                    ])
                try await append(store, id, version: 0, created)
            }
            var pool = try #require(try await directory.identityPool(ids[0].rawValue, version: 1)).configuration
            let roles = try pool.setRoles(
                request: [
                    "Roles": .object(["authenticated": "arn:aws:iam::123456789012:role/Auth"]),
                    "RoleMappings": .object([
                        "\(provider):abc123": .object(["Type": "Token", "AmbiguousRoleResolution": "AuthenticatedRole"])
                    ]),
                ], sameProvider: { $0 == $1 })
            try await append(store, pool.id, version: pool.version, roles)
            pool = try #require(IdentityPoolConfiguration.evolve(pool, with: roles))
            let tagged = try pool.tag(.object(["team": "identity"]))
            try await append(store, pool.id, version: pool.version, tagged)
            pool = try #require(IdentityPoolConfiguration.evolve(pool, with: tagged))
            let tags = try pool.setPrincipalTags(provider: "accounts.google.com", useDefaults: false, tags: ["email": "email"])
            try await append(store, pool.id, version: pool.version, tags)
            pool = try #require(IdentityPoolConfiguration.evolve(pool, with: tags))
            let updated = try pool.update(request: ["IdentityPoolName": "renamed", "AllowUnauthenticatedIdentities": .bool(false)])
            try await append(store, pool.id, version: pool.version, updated)
            pool = try #require(IdentityPoolConfiguration.evolve(pool, with: updated))
            let second = try #require(try await directory.identityPool(ids[1].rawValue, version: 1)).configuration
            try await append(store, second.id, version: 1, second.delete())

            let read = try #require(try await directory.identityPool(pool.id.rawValue, version: pool.version)).configuration
            #expect(read == pool, "the row reads back as the write model's fold")
            #expect(try await directory.identityPool(second.id.rawValue) == nil)
            #expect(try await directory.identityPools(after: nil, limit: 10).map(\.configuration.id) == [ids[0], ids[2]])
            #expect(try await directory.identityPools(after: ids[0].rawValue, limit: 10).map(\.configuration.id) == [ids[2]])

            let inline = try await directorySnapshot(client)
            #expect(inline["identity_pools"]?.count == 2)
            for batchSize in [10_000, 2, 1] {
                _ = try await store.rebuildProjections(batchSize: batchSize)
                #expect(differences(inline, try await directorySnapshot(client)) == [], "batches of \(batchSize)")
            }
        }
    }

    func identityAppend(_ id: IdentityID, version: Int, _ events: any EventPayload...) -> AppendBatch {
        let stream = Stream.identity(id)
        return AppendBatch(
            stream: stream, expected: version == 0 ? .noStream : .exact(version), events: events.map { NewEvent(streamID: stream, $0) },
            sealingKey: version == 0 ? .new : nil)
    }

    func login(_ provider: String, _ subject: String) -> IdentityLogin {
        IdentityLogin(provider: provider, subjectKey: "key-" + String(subject.reversed()), subject: .plaintext(subject))
    }

    /// Identities and their logins follow creation, linking, a merge across two streams in one batch,
    /// unlinking, token issues and deletion (of an identity and of its pool); a second identity cannot
    /// take a login another one holds; a rebuild reproduces the tables.
    @Test func identitiesFollowTheirEventsAndARebuildReproducesThem() async throws {
        try await TestDatabase.withDatabase { client in
            let store = TestDatabase.store(client, master: master)
            let directory = DirectoryQueries(client: client, logger: TestDatabase.logger)
            let poolId = IdentityPoolID("us-east-1:00000000-0000-4000-8000-0000000000aa")
            let otherPool = IdentityPoolID("us-east-1:00000000-0000-4000-8000-0000000000bb")
            for id in [poolId, otherPool] {
                let created = try IdentityPoolConfiguration.create(
                    id: id, request: ["IdentityPoolName": "pool", "AllowUnauthenticatedIdentities": .bool(true), "DeveloperProviderName": "dev"])
                try await append(store, id, version: 0, created)
            }
            let first = IdentityID("us-east-1:00000000-0000-4000-8000-000000000001")
            let second = IdentityID("us-east-1:00000000-0000-4000-8000-000000000002")
            let guest = IdentityID("us-east-1:00000000-0000-4000-8000-000000000003")
            let elsewhere = IdentityID("us-east-1:00000000-0000-4000-8000-000000000004")
            let source = login("dev", "source-user")
            try await store.append(
                identityAppend(first, version: 0, IdentityCreated(identityId: first, identityPoolId: poolId, logins: [source])), metadata: .test())
            try await store.append(
                identityAppend(second, version: 0, IdentityCreated(identityId: second, identityPoolId: poolId, logins: [login("dev", "dest-user")])),
                metadata: .test())
            try await store.append(
                identityAppend(guest, version: 0, IdentityCreated(identityId: guest, identityPoolId: poolId, logins: [])), metadata: .test())
            try await store.append(
                identityAppend(elsewhere, version: 0, IdentityCreated(identityId: elsewhere, identityPoolId: otherPool, logins: [login("dev", "x")])),
                metadata: .test())

            // A login belongs to one identity of a pool: the key refuses a second holder.
            let thief = IdentityID("us-east-1:00000000-0000-4000-8000-000000000009")
            await #expect(throws: StoreError.uniqueValueTaken(constraint: "identity_logins_pkey")) {
                try await store.append(
                    self.identityAppend(
                        thief, version: 0, IdentityCreated(identityId: thief, identityPoolId: poolId, logins: [self.login("dev", "source-user")])),
                    metadata: .test())
            }
            #expect(try await directory.identity(thief.rawValue) == nil)

            // The guest links a user-pool login and is given a token: two events, one append.
            let userPool = "cognito-idp.us-east-1.amazonaws.com/us-east-1_abc"
            try await store.append(
                identityAppend(
                    guest, version: 1, IdentityLoginsLinked(identityId: guest, identityPoolId: poolId, logins: [login(userPool, "alice")]),
                    IdentityTokenIssued(
                        identityId: guest, identityPoolId: poolId, operation: "GetOpenIdToken", providers: [userPool], tokenId: "t1", issuedAt: 1,
                        expiresAt: 601)), metadata: .test())
            // MergeDeveloperIdentities: the source user moves from `first` to `second` in one batch.
            var merge = AppendBatch()
            merge.append(
                stream: Stream.identity(first), expected: .exact(1),
                events: [
                    NewEvent(
                        streamID: Stream.identity(first),
                        IdentityLoginsUnlinked(identityId: first, identityPoolId: poolId, logins: [source.key], mergedInto: second))
                ])
            merge.append(
                stream: Stream.identity(second), expected: .exact(1),
                events: [
                    NewEvent(streamID: Stream.identity(second), IdentityLoginsLinked(identityId: second, identityPoolId: poolId, logins: [source]))
                ])
            try await store.append(merge, metadata: .test())

            let owners = try await directory.identityOwners(pool: poolId, keys: [source.key, LoginKey(provider: userPool, subjectKey: "key-ecila")])
            #expect(owners[source.key]?.id == second)
            #expect(owners[LoginKey(provider: userPool, subjectKey: "key-ecila")]?.id == guest)
            #expect(try await directory.identity(first.rawValue)?.logins == [])
            let guestRow = try #require(try await directory.identity(guest.rawValue))
            #expect(guestRow.version == 3, "the token issue moved the version")
            #expect(guestRow.wrappedDataKey != nil)
            #expect(try await directory.identities(pool: poolId, after: nil, limit: 10).map(\.id) == [first, second, guest])
            #expect(try await directory.identities(pool: poolId, after: first.rawValue, limit: 1).map(\.id) == [second])

            // The subjects stay sealed in the log and the directory, and open with the identity's key.
            let sealed = try #require(try await directory.identity(second.rawValue)?.logins.first { $0.key == source.key }?.sealedSubject)
            #expect(!sealed.contains("source-user"))
            let events = try await store.readStream(Stream.identity(second))
            #expect(!events.map { "\($0.data)" }.joined().contains("source-user"))

            var unlink = identityAppend(
                guest, version: 3,
                IdentityLoginsUnlinked(identityId: guest, identityPoolId: poolId, logins: [LoginKey(provider: userPool, subjectKey: "key-ecila")]))
            try await store.append(unlink, metadata: .test())
            unlink = identityAppend(first, version: 2, IdentityDeleted(identityId: first, identityPoolId: poolId))
            unlink.dataKeysToDestroy = [first.rawValue]
            try await store.append(unlink, metadata: .test())
            #expect(try await directory.identity(first.rawValue) == nil)
            #expect(try await directory.identity(guest.rawValue)?.logins == [])
            try await append(store, otherPool, version: 1, IdentityPoolDeleted(identityPoolId: otherPool))
            #expect(try await directory.identity(elsewhere.rawValue) == nil, "deleting the pool deletes its identities")

            let inline = try await directorySnapshot(client)
            #expect(inline["identities"]?.count == 2)
            #expect(inline["identity_logins"]?.count == 2)
            for batchSize in [10_000, 2, 1] {
                _ = try await store.rebuildProjections(batchSize: batchSize)
                #expect(differences(inline, try await directorySnapshot(client)) == [], "batches of \(batchSize)")
            }
        }
    }
}
