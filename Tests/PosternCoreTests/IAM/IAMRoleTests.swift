import Foundation
import PosternCore
import Testing

/// The IAM role write model: CreateRole's validation, the trust policy's checks, inline policies and
/// DeleteRole's conflict, decided without a database; `evolve` folds what the decisions return.
@Suite struct IAMRoleTests {
    let trust =
        #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"cognito-identity.amazonaws.com"},"Action":"sts:AssumeRoleWithWebIdentity"}]}"#
    let readS3 = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#

    func created() throws -> IAMRole {
        let event = try IAMRole.create(
            name: "Auth", roleId: "AROAEXAMPLE1234567890", path: nil, description: "signed-in users", maxSessionDuration: nil,
            trustPolicy: trust, tags: ["team": "id"])
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

    @Test func createAppliesIAMsDefaults() throws {
        let role = try created()
        #expect(role.path == "/" && role.maxSessionDuration == 3600 && role.version == 1)
        #expect(role.arn(account: "123456789012") == "arn:aws:iam::123456789012:role/Auth")
    }

    @Test func createRefusesBadNamesDurationsAndPolicies() {
        #expect(
            error {
                _ = try IAMRole.create(
                    name: "bad name", roleId: "x", path: nil, description: nil, maxSessionDuration: nil, trustPolicy: trust, tags: [:])
            }?.code == "ValidationError")
        #expect(
            error {
                _ = try IAMRole.create(name: "r", roleId: "x", path: nil, description: nil, maxSessionDuration: 43201, trustPolicy: trust, tags: [:])
            }?.code == "ValidationError")
        #expect(
            error {
                _ = try IAMRole.create(name: "r", roleId: "x", path: nil, description: nil, maxSessionDuration: nil, trustPolicy: "{", tags: [:])
            }?
            .code == "MalformedPolicyDocument")
        // A trust policy names STS actions only, and an identity policy (with Resource) is not one.
        #expect(
            error {
                _ = try IAMRole.create(name: "r", roleId: "x", path: nil, description: nil, maxSessionDuration: nil, trustPolicy: readS3, tags: [:])
            }?
            .code == "MalformedPolicyDocument")
    }

    @Test func inlinePoliciesBlockDeletionUntilRemoved() throws {
        var role = try created()
        let put = try role.putPolicy(name: "read", document: readS3)
        role = try #require(IAMRole.evolve(role, with: put))
        #expect(role.inlinePolicies["read"] == readS3 && role.version == 2)
        #expect(error { _ = try role.delete() } == .deleteConflict("Cannot delete entity, must delete policies first."))
        #expect(error { _ = try role.deletePolicy(name: "other") }?.code == "NoSuchEntity")
        role = try #require(IAMRole.evolve(role, with: try role.deletePolicy(name: "read")))
        #expect(IAMRole.evolve(role, with: try role.delete()) == nil)
    }

    @Test func theTrustPolicyIsReplaced() throws {
        let role = try created()
        let other = trust.replacingOccurrences(of: "cognito-identity.amazonaws.com", with: "accounts.google.com")
        #expect(IAMRole.evolve(role, with: try role.updateTrust(other))?.trustPolicy == other)
        #expect(error { _ = try role.updateTrust(readS3) }?.code == "MalformedPolicyDocument")
    }
}
