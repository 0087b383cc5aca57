import Foundation
import PosternCore
import PosternStore

extension Postern {
    /// The permission policies a session of `role` is evaluated with: the role's inline policies (in
    /// name order). Documents that no longer parse are skipped: IAM validated them when they were put.
    func permissionPolicies(of role: IAMRole) async throws -> [PolicyDocument] {
        role.inlinePolicies.sorted { $0.key < $1.key }.compactMap { try? PolicyDocument(json: $0.value, kind: .identity) }
    }
}
