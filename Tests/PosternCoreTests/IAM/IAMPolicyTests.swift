import Foundation
import PosternCore
import Testing

/// The managed-policy write model and the role's managed policies and tags: CreatePolicy's validation, the
/// five-version limit, default version rules, deletion conflicts, attachment counts and tag limits, decided
/// without a database; `evolve` folds what the decisions return.
@Suite struct IAMPolicyTests {
    let account = "123456789012"
    let allow = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#
    let deny = #"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*"}]}"#
    let trust =
        #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"cognito-identity.amazonaws.com"},"Action":"sts:AssumeRoleWithWebIdentity"}]}"#

    func created(_ name: String = "read", path: String? = nil) throws -> IAMPolicy {
        let event = try IAMPolicy.create(
            name: name, policyId: "ANPAEXAMPLE1234567890", path: path, description: nil, document: allow, tags: [("team", "id")])
        return try #require(IAMPolicy.evolve(nil, with: event))
    }

    func role() throws -> IAMRole {
        let event = try IAMRole.create(
            name: "Auth", roleId: "AROAEXAMPLE1234567890", path: nil, description: nil, maxSessionDuration: nil, trustPolicy: trust, tags: [:])
        return try #require(IAMRole.evolve(nil, with: event))
    }

    func error(_ body: () throws -> Void) -> IAMError? {
        do {
            try body()
            return nil
        } catch {
            return error as? IAMError
        }
    }

    @Test func createStartsAtVersionOneAsTheDefault() throws {
        let policy = try created(path: "/team/")
        #expect(policy.defaultVersionId == "v1" && policy.versions.map(\.versionId) == ["v1"] && policy.attachmentCount == 0)
        #expect(policy.arn(account: account) == "arn:aws:iam::123456789012:policy/team/read")
        #expect(policy.defaultDocument == allow && policy.tags == ["team": "id"])
    }

    @Test func createRefusesBadNamesPathsAndDocuments() {
        #expect(
            error { _ = try IAMPolicy.create(name: "bad name", policyId: "x", path: nil, description: nil, document: allow, tags: []) }?.code
                == "ValidationError")
        #expect(
            error { _ = try IAMPolicy.create(name: "p", policyId: "x", path: "team", description: nil, document: allow, tags: []) }?.code
                == "ValidationError")
        #expect(
            error { _ = try IAMPolicy.create(name: "p", policyId: "x", path: nil, description: nil, document: "{", tags: []) }?.code
                == "MalformedPolicyDocument")
        // A managed policy is an identity policy: a trust policy's Principal is refused.
        #expect(
            error { _ = try IAMPolicy.create(name: "p", policyId: "x", path: nil, description: nil, document: trust, tags: []) }?.code
                == "MalformedPolicyDocument")
        let big = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:\#(String(repeating: "A", count: 6200))","Resource":"*"}]}"#
        #expect(
            error { _ = try IAMPolicy.create(name: "p", policyId: "x", path: nil, description: nil, document: big, tags: []) }?.code
                == "LimitExceeded")
    }

    @Test func aPolicyHasAtMostFiveVersionsAndNeverReusesAnId() throws {
        var policy = try created()
        for expected in 2...5 {
            let event = try policy.createVersion(document: allow, setAsDefault: false)
            #expect(event.versionId == "v\(expected)")
            policy = try #require(IAMPolicy.evolve(policy, with: event))
        }
        #expect(error { _ = try policy.createVersion(document: allow, setAsDefault: false) }?.code == "LimitExceeded")
        policy = try #require(IAMPolicy.evolve(policy, with: try policy.deleteVersion("v3", account: account)))
        #expect(try policy.createVersion(document: allow, setAsDefault: false).versionId == "v6")
    }

    @Test func theDefaultVersionMovesAndCannotBeDeleted() throws {
        var policy = try created()
        policy = try #require(IAMPolicy.evolve(policy, with: try policy.createVersion(document: deny, setAsDefault: true)))
        #expect(policy.defaultVersionId == "v2" && policy.defaultDocument == deny)
        #expect(error { _ = try policy.deleteVersion("v2", account: account) } == .deleteConflict("Cannot delete the default version of a policy."))
        #expect(error { _ = try policy.setDefault("v7", account: account) }?.code == "NoSuchEntity")
        #expect(error { _ = try policy.setDefault("seven", account: account) }?.code == "ValidationError")
        policy = try #require(IAMPolicy.evolve(policy, with: try policy.setDefault("v1", account: account)))
        #expect(policy.defaultDocument == allow)
        #expect(error { _ = try policy.delete() }?.code == "DeleteConflict", "a non-default version is left")
        policy = try #require(IAMPolicy.evolve(policy, with: try policy.deleteVersion("v2", account: account)))
        #expect(IAMPolicy.evolve(policy, with: try policy.delete()) == nil)
    }

    @Test func attachmentsCountOnThePolicyAndBlockDeletion() throws {
        var policy = try created()
        var role = try role()
        let events = try #require(try role.attach(policy, account: account))
        role = try #require(IAMRole.evolve(role, with: events.role))
        policy = try #require(IAMPolicy.evolve(policy, with: events.policy))
        #expect(role.attachedPolicies == [policy.arn(account: account): "read"] && policy.attachmentCount == 1)
        #expect(try role.attach(policy, account: account) == nil, "attaching again changes nothing")
        #expect(error { _ = try policy.delete() } == .deleteConflict("Cannot delete a policy attached to entities."))
        #expect(error { _ = try role.delete() }?.code == "DeleteConflict")
        #expect(error { _ = try role.detach(policyArn: "arn:aws:iam::123456789012:policy/other") }?.code == "NoSuchEntity")
        role = try #require(IAMRole.evolve(role, with: try role.detach(policyArn: policy.arn(account: account))))
        policy = try #require(IAMPolicy.evolve(policy, with: policy.detach(from: role.name)))
        #expect(role.attachedPolicies.isEmpty && policy.attachmentCount == 0)
        #expect(IAMRole.evolve(role, with: try role.delete()) == nil)
    }

    @Test func aRoleHoldsAtMostTenManagedPolicies() throws {
        var role = try role()
        for index in 0..<10 {
            let events = try #require(try role.attach(try created("p\(index)"), account: account))
            role = try #require(IAMRole.evolve(role, with: events.role))
        }
        #expect(error { _ = try role.attach(try created("p10"), account: account) }?.code == "LimitExceeded")
    }

    @Test func tagsMergeRegardlessOfCaseUpToFifty() throws {
        var role = try role()
        role = try #require(IAMRole.evolve(role, with: try role.tag([("team", "a"), ("env", "dev")])))
        role = try #require(IAMRole.evolve(role, with: try role.tag([("Team", "b")])))
        #expect(role.tags == ["Team": "b", "env": "dev"])
        role = try #require(IAMRole.evolve(role, with: try role.untag(["TEAM", "missing"])))
        #expect(role.tags == ["env": "dev"])
        #expect(error { _ = try role.tag((0..<50).map { ("k\($0)", "v") }) }?.code == "LimitExceeded")
        #expect(error { _ = try role.tag([("k", "v"), ("K", "w")]) }?.code == "InvalidInput")
        #expect(error { _ = try role.tag([("aws:x", "v")]) }?.code == "InvalidInput")
        #expect(error { _ = try role.tag([(String(repeating: "k", count: 129), "v")]) }?.code == "ValidationError")
        #expect(error { _ = try role.tag([("k", String(repeating: "v", count: 257))]) }?.code == "ValidationError")
        #expect(error { _ = try role.tag([("k", "semi;colon")]) }?.code == "ValidationError")
        #expect(error { _ = try role.tag([]) }?.code == "ValidationError")
    }

    @Test func aRoleStoredBeforeManagedPoliciesStillDecodes() throws {
        let old = #"{"name":"r","id":"AROA","path":"/","maxSessionDuration":3600,"trustPolicy":"{}","inlinePolicies":{},"tags":{},"version":3}"#
        let role = try JSONDecoder().decode(IAMRole.self, from: Data(old.utf8))
        #expect(role.attachedPolicies.isEmpty && role.version == 3)
    }

    @Test(arguments: [
        (ContextKeyType.numeric, "5", true), (.numeric, "many", false), (.boolean, "true", true), (.boolean, "yes", false),
        (.date, "2026-12-05T08:00:00Z", true), (.date, "tomorrow", false), (.ip, "10.0.0.0/8", true), (.ip, "ten", false),
        (.string, "anything", true), (.binary, "aGk=", true),
    ])
    func contextKeyTypesCheckTheirValues(type: ContextKeyType, value: String, accepted: Bool) {
        #expect(type.accepts(value) == accepted)
    }
}
