import Foundation
import PosternCore
import PosternCrypto
import PosternStore
import PosternTestSupport
import PostgresNIO
import Testing

/// User-pool groups projected inline into `directory.user_pool_groups` and `user_pool_group_members`, read
/// back by the queries, cascaded by group, user and pool deletions, and reproduced row for row by a rebuild.
/// Against a real PostgreSQL.
@Suite(.serialized) struct GroupProjectionTests {
    let master = try! MasterKey(base64: MasterKey.generateBase64())
    let role = "arn:aws:iam::123456789012:role/Admins"

    /// Appends `events` to the group's stream at `version` and returns the stream's new version.
    @discardableResult
    func append(_ store: EventStore, _ pool: UserPoolID, _ name: String, version: Int, _ events: [any EventPayload]) async throws -> Int {
        let stream = Stream.group(pool: pool, name: name)
        try await store.append(
            AppendBatch(stream: stream, expected: version == 0 ? .noStream : .exact(version), events: events.map { NewEvent(streamID: stream, $0) }),
            metadata: .test())
        return version + events.count
    }

    @Test func theProjectionFollowsEveryEventCascadesDeletionsAndARebuildReproducesIt() async throws {
        try await TestDatabase.withDatabase { client in
            let store = TestDatabase.store(client, master: master)
            let directory = DirectoryQueries(client: client, logger: TestDatabase.logger)
            let workload = DirectoryWorkload(store: store, master: master, seed: 20_261_208)
            try await workload.setUp()
            try await workload.register(16, perBatch: 3)
            let first = workload.pools[0].id
            let last = workload.pools[workload.pools.count - 1].id
            let firstUsers = workload.users.filter { $0.pool == 0 }.map(\.sub)
            let lastUsers = workload.users.filter { $0.pool == workload.pools.count - 1 }.map(\.sub)

            var admins = try await append(
                store, first, "admins", version: 0,
                [
                    try UserPoolGroup.create(
                        poolId: first, name: "admins", settings: GroupSettings(description: "a", roleArn: role, precedence: 1), existing: nil,
                        groupsInPool: 0)
                ] + firstUsers.map { UserAddedToGroup(poolId: first, groupName: "admins", sub: $0) })
            var readers = try await append(
                store, first, "readers", version: 0,
                [GroupCreated(poolId: first, groupName: "readers", description: nil, roleArn: nil, precedence: nil)])
            readers = try await append(
                store, first, "readers", version: readers,
                firstUsers.prefix(3).map { UserAddedToGroup(poolId: first, groupName: "readers", sub: $0) }
                    + [UserRemovedFromGroup(poolId: first, groupName: "readers", sub: firstUsers[0])])
            admins = try await append(
                store, first, "admins", version: admins,
                [GroupUpdated(poolId: first, groupName: "admins", description: "b", roleArn: role, precedence: 0)])
            // A group deleted with its members, then created again: its stream continues.
            var doomed = try await append(
                store, first, "doomed", version: 0,
                [GroupCreated(poolId: first, groupName: "doomed", description: nil, roleArn: nil, precedence: 9)]
                    + firstUsers.map { UserAddedToGroup(poolId: first, groupName: "doomed", sub: $0) }
                    + [GroupDeleted(poolId: first, groupName: "doomed")])
            #expect(try await directory.group(pool: first, name: "doomed") == nil)
            doomed = try await append(
                store, first, "doomed", version: doomed,
                [
                    GroupCreated(poolId: first, groupName: "doomed", description: "again", roleArn: nil, precedence: nil),
                    UserAddedToGroup(poolId: first, groupName: "doomed", sub: firstUsers[1]),
                ])
            try await append(
                store, last, "admins", version: 0,
                [GroupCreated(poolId: last, groupName: "admins", description: nil, roleArn: role, precedence: 1)]
                    + lastUsers.map { UserAddedToGroup(poolId: last, groupName: "admins", sub: $0) })

            let read = try #require(try await directory.group(pool: first, name: "admins"))
            #expect(
                read.group
                    == UserPoolGroup(
                        poolId: first, name: "admins", settings: GroupSettings(description: "b", roleArn: role, precedence: 0), version: admins))
            #expect(try await directory.group(pool: first, name: "doomed")?.group.version == doomed)
            #expect(try await directory.group(pool: first, name: "Admins") == nil, "names are case-sensitive")
            #expect(try await directory.groups(pool: first, after: nil, limit: 10).map(\.group.name) == ["admins", "doomed", "readers"])
            #expect(try await directory.groups(pool: first, after: "admins", limit: 1).map(\.group.name) == ["doomed"])
            #expect(try await directory.groupCount(pool: first) == 3)
            #expect(try await directory.groups(of: firstUsers[1]).map(\.group.name) == ["admins", "doomed", "readers"])
            #expect(try await directory.groups(of: firstUsers[0]).map(\.group.name) == ["admins"])
            #expect(try await directory.groupCount(of: firstUsers[2]) == 2)
            #expect(try await directory.isMember(firstUsers[2], pool: first, group: "readers"))
            #expect(try await !directory.isMember(firstUsers[0], pool: first, group: "readers"))
            #expect(Set(try await directory.members(pool: first, group: "admins", after: nil, limit: 60).map(\.sub)) == Set(firstUsers))
            #expect(try await directory.members(pool: first, group: "doomed", after: nil, limit: 60).map(\.sub) == [firstUsers[1]])

            // Deleted users leave their groups; a deleted pool takes its groups and memberships.
            try await workload.deleteUsers(every: 3)
            let remaining = Set(workload.users.map(\.sub))
            let gone = firstUsers.filter { !remaining.contains($0) }
            #expect(!gone.isEmpty)
            for sub in gone { #expect(try await directory.groupCount(of: sub) == 0) }
            try await workload.deleteLastPool()
            #expect(try await directory.groupCount(pool: last) == 0)
            // A membership that raced its user's deletion is not projected.
            let late = try #require(gone.first)
            try await append(store, first, "readers", version: readers, [UserAddedToGroup(poolId: first, groupName: "readers", sub: late)])
            #expect(try await directory.groupCount(of: late) == 0)
            #expect(try await directory.group(pool: first, name: "readers")?.group.version == readers + 1)

            let inline = try await directorySnapshot(client)
            #expect(inline["user_pool_groups"]?.count == 3)
            #expect(inline["user_pool_group_members"]?.isEmpty == false)
            #expect(inline["user_pool_group_members"]?.contains { $0.contains(last.rawValue) } == false)
            for batchSize in [10_000, 7, 1] {
                _ = try await store.rebuildProjections(batchSize: batchSize)
                #expect(differences(inline, try await directorySnapshot(client)) == [], "batches of \(batchSize)")
            }
        }
    }
}
