import Foundation
import PosternCore
import PosternCrypto
import PosternStore

/// Why a role could not be assumed; each API words it its own way (STS AccessDenied, cognito-identity
/// InvalidIdentityPoolConfigurationException), never saying which check failed.
enum RoleAssumptionError: Error, Equatable {
    case unknownRole
    case notTrusted
    case durationTooLong
}

extension Postern {
    /// The role an ARN of this account names (`arn:aws:iam::{account}:role{path}{name}`).
    func roleForArn(_ arn: String) async throws -> IAMRoleRecord? {
        let parts = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "arn", parts[2] == "iam", parts[4] == configuration.accountId, parts[5].hasPrefix("role/"),
            let name = parts[5].split(separator: "/").last
        else { return nil }
        guard let record = try await directory.iamRole(String(name)), record.role.arn(account: configuration.accountId) == arn else { return nil }
        return record
    }

    /// Assumes `roleArn` for a web identity of `provider` (sts:AssumeRoleWithWebIdentity): the role must
    /// exist and its trust policy must allow the federated provider with the identity's condition keys
    /// (`{provider}:aud`, `:sub`, `:amr`). Returns credentials sealed into their session token.
    func assumeRoleWithWebIdentity(
        roleArn: String, provider: String, subject: String, audience: String, amr: [String], sessionName: String, duration: Int?, now: Date
    ) async throws -> (credentials: SessionCredentials, role: IAMRole) {
        guard let record = try await roleForArn(roleArn) else { throw RoleAssumptionError.unknownRole }
        let role = record.role
        let trust = try PolicyDocument(json: role.trustPolicy, kind: .trust)
        var context = ConditionContext([
            "\(provider):aud": [audience], "\(provider):sub": [subject], "\(provider):amr": amr, "aws:FederatedProvider": [provider],
        ])
        context.setCurrentTime(now)
        let request = PolicyRequest(
            action: "sts:AssumeRoleWithWebIdentity", resource: role.arn(account: configuration.accountId), principal: .federated(provider),
            context: context)
        guard PolicyEvaluator.evaluateTrust(trust, for: request).isAllowed else { throw RoleAssumptionError.notTrusted }
        let seconds = duration ?? 3600
        guard seconds <= role.maxSessionDuration else { throw RoleAssumptionError.durationTooLong }
        let credentials = try SessionCredentials.issue(
            roleArn: role.arn(account: configuration.accountId), roleId: role.id, sessionName: sessionName, duration: seconds, now: now,
            subject: subject, audience: audience, sealer: master.sessionCredentials)
        return (credentials, role)
    }
}
