import Foundation
import PosternCore
import PosternStore

/// A permission policy of a role, named as SimulatePrincipalPolicy's MatchedStatements name it.
struct RolePermissionPolicy: Sendable {
    /// The inline policy's name, or the managed policy's name.
    var name: String
    /// `role` for an inline policy, `user-managed` for a customer managed one (`PolicySourceType`).
    var sourceType: String
    var document: PolicyDocument
}

extension Postern {
    /// The permission policies a session of `role` is evaluated with: the role's inline policies (in name
    /// order), then the default version of each attached managed policy (in name order). Documents that no
    /// longer parse are skipped: IAM validated them when they were put.
    func permissionPolicies(of role: IAMRole) async throws -> [PolicyDocument] {
        try await namedPermissionPolicies(of: role).map(\.document)
    }

    /// `permissionPolicies(of:)` with each policy's name and source type (what the simulation reports).
    func namedPermissionPolicies(of role: IAMRole) async throws -> [RolePermissionPolicy] {
        let inline = role.inlinePolicies.sorted { $0.key < $1.key }.compactMap { name, text in
            (try? PolicyDocument(json: text, kind: .identity)).map { RolePermissionPolicy(name: name, sourceType: "role", document: $0) }
        }
        let managed = try await directory.iamPolicies(named: Array(role.attachedPolicies.values)).compactMap { record in
            record.policy.defaultDocument.flatMap { try? PolicyDocument(json: $0, kind: .identity) }.map {
                RolePermissionPolicy(name: record.policy.name, sourceType: "user-managed", document: $0)
            }
        }
        return inline + managed
    }
}
