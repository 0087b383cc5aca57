import Foundation
import PosternCore
import PosternStore

extension Postern {
    /// The permission policies a session of `role` is evaluated with: the role's inline policies (in name
    /// order), then the default version of each attached managed policy (in name order). Documents that no
    /// longer parse are skipped: IAM validated them when they were put.
    func permissionPolicies(of role: IAMRole) async throws -> [PolicyDocument] {
        let inline = role.inlinePolicies.sorted { $0.key < $1.key }.compactMap { try? PolicyDocument(json: $0.value, kind: .identity) }
        let managed = try await directory.iamPolicies(named: Array(role.attachedPolicies.values)).compactMap { record in
            record.policy.defaultDocument.flatMap { try? PolicyDocument(json: $0, kind: .identity) }
        }
        return inline + managed
    }
}
