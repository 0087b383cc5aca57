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
}
