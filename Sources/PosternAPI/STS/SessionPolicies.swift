import Foundation
import PosternCore
import PosternCrypto
import PosternStore

/// The session policies a caller passes to AssumeRole and AssumeRoleWithWebIdentity: an inline `Policy`
/// and up to ten customer managed `PolicyArns`. The session may then do only what its role allows and at
/// least one session policy allows (IAM's intersection); none passed leaves the role's permissions whole.
struct SessionPolicies: Sendable, Equatable {
    var policy: String?
    var policyArns: [String] = []

    static let none = SessionPolicies()
    /// STS's budget for the plaintext of both kinds together.
    static let plaintextLimit = 2048
    static let maxManaged = 10

    var isEmpty: Bool { policy == nil && policyArns.isEmpty }
    /// The managed ARNs as a session token carries them (nil for none).
    var arns: [String]? { policyArns.isEmpty ? nil : policyArns }
    /// The plaintext counted against `plaintextLimit`: the inline document and the ARNs.
    var plaintextLength: Int { (policy?.count ?? 0) + policyArns.reduce(0) { $0 + $1.count } }

    /// Reads `Policy` and `PolicyArns.member.N.arn`: the document must parse as an identity policy, each ARN
    /// must name a customer managed policy of this account (STS says MalformedPolicyDocument otherwise), and
    /// both together must fit the plaintext budget (PackedPolicyTooLarge).
    static func read(_ query: QueryRequest, postern: Postern) async throws -> SessionPolicies {
        var policies = SessionPolicies()
        var index = 1
        while let arn = query["PolicyArns.member.\(index).arn"] {
            try STSActions.validation(arn, member: "policyArns.\(index).member.arn", length: 20...2048)
            policies.policyArns.append(arn)
            index += 1
        }
        if policies.policyArns.count > maxManaged {
            throw IAMError.validation(
                "1 validation error detected: Value at 'policyArns' failed to satisfy constraint: Member must have length less than or equal to \(maxManaged)"
            )
        }
        if let text = query["Policy"] {
            guard text.count <= plaintextLimit else { throw packedTooLarge }
            guard !text.isEmpty, (try? PolicyDocument(json: text, kind: .identity)) != nil else {
                throw IAMError.malformedPolicyDocument("The policy is not in the valid JSON format.")
            }
            policies.policy = text
        }
        guard policies.plaintextLength <= plaintextLimit else { throw packedTooLarge }
        for arn in policies.policyArns where try await postern.managedPolicy(arn: arn) == nil {
            throw IAMError.malformedPolicyDocument("Policy \(arn) does not exist or is not attachable.")
        }
        return policies
    }

    static let packedTooLarge = IAMError(
        "PackedPolicyTooLarge", "Packed size of consumed session policies and session tags exceeds the allowed limit.", status: 400)

    /// STS's `PackedPolicySize`: how much of the packed budget the session policies and `tags` use, in percent
    /// (nil when there are neither, as STS then leaves the member out).
    func packedPercent(tags: [String: String]) -> Int? {
        guard !isEmpty || !tags.isEmpty else { return nil }
        let packed = plaintextLength + tags.reduce(0) { $0 + $1.key.count + $1.value.count }
        return min(100, max(1, packed * 100 / Self.plaintextLimit))
    }
}

extension Postern {
    /// The customer managed policy `arn` names (`arn:aws:iam::{account}:policy{path}{name}`), or nil.
    func managedPolicy(arn: String) async throws -> IAMPolicyRecord? {
        let parts = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "arn", parts[2] == "iam", parts[4] == configuration.accountId, parts[5].hasPrefix("policy/"),
            let name = parts[5].split(separator: "/").last
        else { return nil }
        guard let record = try await directory.iamPolicy(String(name)), record.policy.arn(account: configuration.accountId) == arn else {
            return nil
        }
        return record
    }

}
