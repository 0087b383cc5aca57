import Foundation
import PosternCore
import PostgresNIO

/// An `iam_roles` row: the role's write model as JSON (the fold of its stream, version included).
struct IAMRoleRow: DirectoryRow {
    var roleKey: String
    var roleName: String
    var path: String
    var role: String
    var createdAt: Timestamp

    static let table = "iam_roles"
    static let columns = [
        DirectoryColumn("role_key"), DirectoryColumn("role_name"), DirectoryColumn("path"), DirectoryColumn("role", .jsonb),
        DirectoryColumn("created_at", .timestamp),
    ]
    static let keyColumnCount = 1
    static var rows: ReferenceWritableKeyPath<DirectoryRows, TableRows<IAMRoleRow>> { \.iamRoles }
    var key: String { roleKey }

    init(roleKey: String, roleName: String, path: String, role: String, createdAt: Timestamp) {
        self.roleKey = roleKey
        self.roleName = roleName
        self.path = path
        self.role = role
        self.createdAt = createdAt
    }

    init(cells: inout RowCells) throws {
        self.init(roleKey: try cells.next(), roleName: try cells.next(), path: try cells.next(), role: try cells.next(), createdAt: try cells.next())
    }

    static func columnArrays(_ rows: [IAMRoleRow]) -> [any PostgresThrowingDynamicTypeEncodable] {
        [rows.map(\.roleKey), rows.map(\.roleName), rows.map(\.path), rows.map(\.role), rows.map(\.createdAt)]
    }

    static func keyArrays(_ keys: [String]) -> [any PostgresThrowingDynamicTypeEncodable] { [keys] }
}

extension DirectoryProjector {
    /// The reducers of IAM role streams: each folds the event into the row's write model (`IAMRole.evolve`).
    static let iamRoleReducers: [String: DirectoryReducer] = [
        IAMRoleCreated.eventType: .on(IAMRoleCreated.self) { created, event, _ in
            guard var role = IAMRole.evolve(nil, with: created) else { return [] }
            // A role deleted and created again under its name continues its stream: the version the next
            // write expects is the stream's, not the new role's event count.
            role.version = event.streamVersion
            return [
                .insert(
                    IAMRoleRow(
                        roleKey: created.roleName.lowercased(), roleName: created.roleName, path: created.path, role: jsonText(role),
                        createdAt: Timestamp(event.recordedAt)))
            ]
        },
        IAMRoleTrustPolicyUpdated.eventType: roleChange(IAMRoleTrustPolicyUpdated.self) { $0.roleName },
        IAMRolePolicyPut.eventType: roleChange(IAMRolePolicyPut.self) { $0.roleName },
        IAMRolePolicyDeleted.eventType: roleChange(IAMRolePolicyDeleted.self) { $0.roleName },
        IAMRoleDeleted.eventType: .on(IAMRoleDeleted.self) { deleted, _, _ in [.delete(KeyOf<IAMRoleRow>(deleted.roleName.lowercased()))] },
    ]

    static func roleChange<Payload: EventPayload>(_: Payload.Type, _ name: @escaping @Sendable (Payload) -> String) -> DirectoryReducer {
        .on(Payload.self, needs: { payload, _ in [.iamRole(name(payload).lowercased())] }) { payload, event, context in
            guard var row = try context.rows.iamRoles.value(name(payload).lowercased()) else { return [] }
            let role = try JSONValue.parse(row.role).decode(IAMRole.self)
            guard var next = IAMRole.evolve(role, with: payload) else { return [] }
            next.version = event.streamVersion
            row.role = jsonText(next)
            return [.put(row)]
        }
    }
}
