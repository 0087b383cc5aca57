import Foundation
import PosternCore
import PosternCrypto
import PosternStore
import PosternTestSupport
import PostgresNIO
import Testing

/// IAM roles and managed policies projected inline into `directory.iam_roles` and `directory.iam_policies`,
/// read back as their write models' folds, attachments appended across both streams in one batch (all or
/// nothing), and reproduced row for row by a rebuild. Against a real PostgreSQL.
@Suite(.serialized) struct IAMPolicyProjectionTests {
    let master = try! MasterKey(base64: MasterKey.generateBase64())
    let account = "123456789012"
    let trust =
        #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"cognito-identity.amazonaws.com"},"Action":"sts:AssumeRoleWithWebIdentity"}]}"#
    let allow = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#
    let deny = #"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*"}]}"#

    func append(_ store: EventStore, _ stream: String, version: Int, _ event: some EventPayload) async throws {
        try await store.append(
            AppendBatch(stream: stream, expected: version == 0 ? .noStream : .exact(version), events: [NewEvent(streamID: stream, event)]),
            metadata: .test())
    }

    func attachment(_ role: IAMRole, _ policy: IAMPolicy, policyVersion: Int? = nil) throws -> AppendBatch {
        let events = try #require(try role.attach(policy, account: account))
        var batch = AppendBatch()
        batch.append(
            stream: Stream.iamRole(role.name), expected: .exact(role.version), events: [NewEvent(streamID: Stream.iamRole(role.name), events.role)])
        batch.append(
            stream: Stream.iamPolicy(policy.name), expected: .exact(policyVersion ?? policy.version),
            events: [NewEvent(streamID: Stream.iamPolicy(policy.name), events.policy)])
        return batch
    }

    @Test func policiesAndAttachmentsFollowTheirEventsAndARebuildReproducesThem() async throws {
        try await TestDatabase.withDatabase { client in
            let store = TestDatabase.store(client, master: master)
            let directory = DirectoryQueries(client: client, logger: TestDatabase.logger)
            let createdRole = try IAMRole.create(
                name: "Auth", roleId: "AROAEXAMPLE1234567890", path: nil, description: nil, maxSessionDuration: nil, trustPolicy: trust, tags: [:])
            try await append(store, Stream.iamRole("Auth"), version: 0, createdRole)
            var role = try #require(IAMRole.evolve(nil, with: createdRole))
            var policies: [IAMPolicy] = []
            for (index, path) in ["/", "/team/", "/team/"].enumerated() {
                let created = try IAMPolicy.create(
                    name: "p\(index)", policyId: "ANPAEXAMPLE123456789\(index)", path: path, description: "d", document: allow,
                    tags: [("n", "\(index)")])
                try await append(store, Stream.iamPolicy(created.policyName), version: 0, created)
                policies.append(try #require(IAMPolicy.evolve(nil, with: created)))
            }
            var policy = policies[0]
            let version = try policy.createVersion(document: deny, setAsDefault: true)
            try await append(store, Stream.iamPolicy(policy.name), version: policy.version, version)
            policy = try #require(IAMPolicy.evolve(policy, with: version))

            // Both streams at their expected versions, or neither: a stale policy version refuses the batch.
            // The store names the streams of the batch it refused.
            await #expect(throws: StoreError.wrongExpectedVersion(stream: "iamrole-auth,iampolicy-p0")) {
                try await store.append(try self.attachment(role, policy, policyVersion: 1), metadata: .test())
            }
            #expect(try await store.version(of: Stream.iamRole(role.name)) == role.version, "the role's event was not kept")
            #expect(try await directory.iamRole("auth")?.role == role)

            for target in [policy, policies[1]] {
                let batch = try attachment(role, target)
                try await store.append(batch, metadata: .test())
                let events = try #require(try role.attach(target, account: account))
                role = try #require(IAMRole.evolve(role, with: events.role))
                if target.name == policy.name { policy = try #require(IAMPolicy.evolve(policy, with: events.policy)) }
            }
            let tagged = try role.tag([("team", "id")])
            try await append(store, Stream.iamRole(role.name), version: role.version, tagged)
            role = try #require(IAMRole.evolve(role, with: tagged))
            // p1 is detached again; p2 is deleted.
            let detached = try role.detach(policyArn: policies[1].arn(account: account))
            var detach = AppendBatch()
            detach.append(
                stream: Stream.iamRole(role.name), expected: .exact(role.version), events: [NewEvent(streamID: Stream.iamRole(role.name), detached)])
            detach.append(
                stream: Stream.iamPolicy("p1"), expected: .exact(2),
                events: [NewEvent(streamID: Stream.iamPolicy("p1"), policies[1].detach(from: role.name))])
            try await store.append(detach, metadata: .test())
            role = try #require(IAMRole.evolve(role, with: detached))
            try await append(store, Stream.iamPolicy("p2"), version: 1, try policies[2].delete())

            #expect(try await directory.iamRole("Auth")?.role == role, "the role row reads back as its fold")
            let read = try #require(try await directory.iamPolicy("P0"))
            #expect(read.policy == policy && read.policy.attachmentCount == 1 && read.policy.defaultDocument == deny)
            #expect(Set(read.versionDates.keys) == ["v1", "v2"] && read.updatedAt >= read.createdAt)
            #expect(try await directory.iamPolicy("p1")?.policy.attachmentCount == 0)
            #expect(try await directory.iamPolicy("p2") == nil)
            #expect(try await directory.iamPolicies(pathPrefix: "/", onlyAttached: true, after: nil, limit: 10).map(\.policy.name) == ["p0"])
            #expect(try await directory.iamPolicies(pathPrefix: "/team/", onlyAttached: false, after: nil, limit: 10).map(\.policy.name) == ["p1"])
            #expect(try await directory.iamPolicies(pathPrefix: "/", onlyAttached: false, after: "p0", limit: 10).map(\.policy.name) == ["p1"])
            #expect(try await directory.iamPolicies(named: ["P0", "p1", "p2"]).map(\.policy.name) == ["p0", "p1"])

            let inline = try await directorySnapshot(client)
            #expect(inline["iam_policies"]?.count == 2 && inline["iam_roles"]?.count == 1)
            for batchSize in [10_000, 2, 1] {
                _ = try await store.rebuildProjections(batchSize: batchSize)
                #expect(differences(inline, try await directorySnapshot(client)) == [], "batches of \(batchSize)")
            }
        }
    }
}
