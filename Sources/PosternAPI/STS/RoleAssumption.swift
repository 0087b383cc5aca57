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
        guard let record = try await directory.cachedIAMRole(String(name)), record.role.arn(account: configuration.accountId) == arn else {
            return nil
        }
        return record
    }

    /// Assumes `roleArn` for a web identity of `provider` (sts:AssumeRoleWithWebIdentity): the role must
    /// exist and its trust policy must allow the federated provider with the identity's condition keys
    /// (`{provider}:aud`, `:sub`, `:amr`). Session `tags` also need `sts:TagSession` in the trust policy,
    /// as STS requires. Returns credentials sealed into their session token.
    func assumeRoleWithWebIdentity(
        roleArn: String, provider: String, subject: String, audience: String, amr: [String], tags: [String: String] = [:], sessionName: String,
        duration: Int?, sessionPolicies: SessionPolicies = .none, now: Date
    ) async throws -> (credentials: SessionCredentials, role: IAMRole) {
        let context = ConditionContext([
            "\(provider):aud": [audience], "\(provider):sub": [subject], "\(provider):amr": amr, "aws:FederatedProvider": [provider],
        ])
        return try await assume(
            roleArn: roleArn, action: "sts:AssumeRoleWithWebIdentity", principal: .federated(provider), context: context, tags: tags,
            sessionName: sessionName, duration: duration, now: now
        ) { role, seconds in
            try SessionCredentials.issue(
                roleArn: role.arn(account: configuration.accountId), roleId: role.id, sessionName: sessionName, duration: seconds, now: now,
                subject: subject, audience: audience, amr: amr, tags: tags.isEmpty ? nil : tags, policy: sessionPolicies.policy,
                policyArns: sessionPolicies.arns, sealer: master.sessionCredentials)
        }
    }

    /// Assumes `roleArn` for an external provider's verified ID token (sts:AssumeRoleWithWebIdentity): the
    /// trust policy must allow the provider's `Federated` principal (its IAM ARN, or the social provider's
    /// name) with the token's condition keys — `{provider}:aud` (`azp`, else `aud`), `:oaud` (every `aud`),
    /// `:sub`, `:amr` — as IAM evaluates them.
    func assumeRoleWithExternalIdentity(
        roleArn: String, token: ExternalIDToken, sessionName: String, duration: Int?, sessionPolicies: SessionPolicies = .none, now: Date
    ) async throws -> (credentials: SessionCredentials, role: IAMRole) {
        let name = token.issuer.name
        let principal = token.issuer.principal(account: configuration.accountId)
        var context = ConditionContext([
            "\(name):aud": [token.audience], "\(name):oaud": token.audiences, "\(name):sub": [token.subject],
            "aws:FederatedProvider": [principal], "sts:RoleSessionName": [sessionName],
        ])
        context["\(name):amr"] = token.claims["amr"]?.arrayValue.map { $0.compactMap(\.stringValue) }
        let federated = SessionCredentials.FederatedUser(provider: name, subject: token.subject, audience: token.audience)
        return try await assume(
            roleArn: roleArn, action: "sts:AssumeRoleWithWebIdentity", principal: .federated(principal), context: context, tags: [:],
            sessionName: sessionName, duration: duration, now: now
        ) { role, seconds in
            try SessionCredentials.issue(
                roleArn: role.arn(account: configuration.accountId), roleId: role.id, sessionName: sessionName, duration: seconds, now: now,
                subject: nil, audience: nil, policy: sessionPolicies.policy, policyArns: sessionPolicies.arns, federated: federated,
                sealer: master.sessionCredentials)
        }
    }

    /// Assumes `roleArn` for the account's own admin keys (sts:AssumeRole): the principal is the account
    /// root, so the trust policy must name the account (or `*`); `externalId` is `sts:ExternalId`.
    /// `sessionPolicies` limit the session to what both they and the role allow.
    func assumeRoleAsAccount(
        roleArn: String, sessionName: String, duration: Int?, tags: [String: String], sessionPolicies: SessionPolicies, externalId: String?,
        sourceIdentity: String?, now: Date
    ) async throws -> (credentials: SessionCredentials, role: IAMRole) {
        let root = "arn:aws:iam::\(configuration.accountId):root"
        var context = ConditionContext([
            "aws:PrincipalArn": [root], "aws:PrincipalAccount": [configuration.accountId], "aws:PrincipalType": ["Account"],
            "sts:RoleSessionName": [sessionName],
        ])
        context["sts:ExternalId"] = externalId.map { [$0] }
        context["sts:SourceIdentity"] = sourceIdentity.map { [$0] }
        return try await assume(
            roleArn: roleArn, action: "sts:AssumeRole", principal: .aws(root), context: context, tags: tags, sessionName: sessionName,
            duration: duration, now: now
        ) { role, seconds in
            try SessionCredentials.issue(
                roleArn: role.arn(account: configuration.accountId), roleId: role.id, sessionName: sessionName, duration: seconds, now: now,
                subject: nil, audience: nil, tags: tags.isEmpty ? nil : tags, policy: sessionPolicies.policy, policyArns: sessionPolicies.arns,
                sealer: master.sessionCredentials)
        }
    }

    /// The checks every assumption shares: the role exists, its trust policy allows `action` for
    /// `principal` in `context` (and `sts:TagSession` for any tags), the duration fits the role.
    private func assume(
        roleArn: String, action: String, principal: RequestPrincipal, context: ConditionContext, tags: [String: String], sessionName: String,
        duration: Int?, now: Date, issue: (IAMRole, Int) throws -> SessionCredentials
    ) async throws -> (credentials: SessionCredentials, role: IAMRole) {
        guard let record = try await roleForArn(roleArn) else { throw RoleAssumptionError.unknownRole }
        let role = record.role
        let trust = try PolicyDocument(json: role.trustPolicy, kind: .trust)
        var context = context
        context.setCurrentTime(now)
        let request = PolicyRequest(action: action, resource: role.arn(account: configuration.accountId), principal: principal, context: context)
        guard PolicyEvaluator.evaluateTrust(trust, for: request).isAllowed else { throw RoleAssumptionError.notTrusted }
        if !tags.isEmpty {
            var tagging = request
            tagging.action = "sts:TagSession"
            tagging.context["aws:TagKeys"] = tags.keys.sorted()
            for (key, value) in tags { tagging.context["aws:RequestTag/\(key)"] = [value] }
            guard PolicyEvaluator.evaluateTrust(trust, for: tagging).isAllowed else { throw RoleAssumptionError.notTrusted }
        }
        let seconds = duration ?? 3600
        guard seconds <= role.maxSessionDuration else { throw RoleAssumptionError.durationTooLong }
        return (try issue(role, seconds), role)
    }
}
