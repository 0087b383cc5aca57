import Foundation
import PosternCore
import PostgresNIO

/// An `identity_pools` row: an identity pool's configuration, roles, role mappings, tags and
/// principal-tag maps, each JSON column as DescribeIdentityPool / GetIdentityPoolRoles return it.
struct IdentityPoolRow: DirectoryRow {
    var identityPoolId: String
    var name: String
    var config: String
    var roles: String
    var roleMappings: String
    var tags: String
    var principalTags: String
    var createdAt: Timestamp
    var updatedAt: Timestamp

    static let table = "identity_pools"
    static let columns = [
        DirectoryColumn("identity_pool_id"), DirectoryColumn("name"), DirectoryColumn("config", .jsonb), DirectoryColumn("roles", .jsonb),
        DirectoryColumn("role_mappings", .jsonb), DirectoryColumn("tags", .jsonb), DirectoryColumn("principal_tags", .jsonb),
        DirectoryColumn("created_at", .timestamp), DirectoryColumn("updated_at", .timestamp),
    ]
    static let keyColumnCount = 1
    static var rows: ReferenceWritableKeyPath<DirectoryRows, TableRows<IdentityPoolRow>> { \.identityPools }
    var key: String { identityPoolId }

    init(
        identityPoolId: String, name: String, config: String, roles: String, roleMappings: String, tags: String, principalTags: String,
        createdAt: Timestamp, updatedAt: Timestamp
    ) {
        self.identityPoolId = identityPoolId
        self.name = name
        self.config = config
        self.roles = roles
        self.roleMappings = roleMappings
        self.tags = tags
        self.principalTags = principalTags
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    init(cells: inout RowCells) throws {
        self.init(
            identityPoolId: try cells.next(), name: try cells.next(), config: try cells.next(), roles: try cells.next(),
            roleMappings: try cells.next(), tags: try cells.next(), principalTags: try cells.next(), createdAt: try cells.next(),
            updatedAt: try cells.next())
    }

    static func columnArrays(_ rows: [IdentityPoolRow]) -> [any PostgresThrowingDynamicTypeEncodable] {
        [
            rows.map(\.identityPoolId), rows.map(\.name), rows.map(\.config), rows.map(\.roles), rows.map(\.roleMappings), rows.map(\.tags),
            rows.map(\.principalTags), rows.map(\.createdAt), rows.map(\.updatedAt),
        ]
    }

    static func keyArrays(_ keys: [String]) -> [any PostgresThrowingDynamicTypeEncodable] { [keys] }
}

extension DirectoryProjector {
    /// The reducers of the identity-pool stream's events.
    static let identityPoolReducers: [String: DirectoryReducer] = [
        IdentityPoolCreated.eventType: .on(IdentityPoolCreated.self) { created, event, _ in
            let at = Timestamp(event.recordedAt)
            return [
                .insert(
                    IdentityPoolRow(
                        identityPoolId: created.identityPoolId.rawValue, name: created.settings["IdentityPoolName"]?.stringValue ?? "",
                        config: jsonText(created.settings), roles: "{}", roleMappings: "{}", tags: jsonText(created.tags), principalTags: "{}",
                        createdAt: at, updatedAt: at))
            ]
        },
        IdentityPoolUpdated.eventType: .on(IdentityPoolUpdated.self, needs: { updated, _ in [.identityPool(updated.identityPoolId.rawValue)] }) {
            updated, event, context in
            try changingIdentityPool(updated.identityPoolId, event, context) { pool in
                pool.name = updated.settings["IdentityPoolName"]?.stringValue ?? pool.name
                pool.config = jsonText(updated.settings)
                pool.tags = jsonText(updated.tags)
            }
        },
        IdentityPoolRolesSet.eventType: .on(IdentityPoolRolesSet.self, needs: { set, _ in [.identityPool(set.identityPoolId.rawValue)] }) {
            set, event, context in
            try changingIdentityPool(set.identityPoolId, event, context) { pool in
                pool.roles = jsonText(set.roles)
                pool.roleMappings = jsonText(set.roleMappings)
            }
        },
        IdentityPoolTagsChanged.eventType: .on(
            IdentityPoolTagsChanged.self, needs: { changed, _ in [.identityPool(changed.identityPoolId.rawValue)] }
        ) { changed, event, context in
            try changingIdentityPool(changed.identityPoolId, event, context) { $0.tags = jsonText(changed.tags) }
        },
        PrincipalTagAttributeMapSet.eventType: .on(
            PrincipalTagAttributeMapSet.self, needs: { set, _ in [.identityPool(set.identityPoolId.rawValue)] }
        ) { set, event, context in
            try changingIdentityPool(set.identityPoolId, event, context) { pool in
                var maps = (try? JSONValue.parse(pool.principalTags).objectValue) ?? [:]
                maps[set.providerName] = .object([
                    "UseDefaults": .bool(set.useDefaults), "PrincipalTags": .object(set.principalTags.mapValues { .string($0) }),
                ])
                pool.principalTags = jsonText(JSONValue.object(maps))
            }
        },
        IdentityPoolDeleted.eventType: .on(IdentityPoolDeleted.self) { deleted, _, _ in
            [.deleteIdentitiesOfPool(deleted.identityPoolId.rawValue), .delete(KeyOf<IdentityPoolRow>(deleted.identityPoolId.rawValue))]
        },
    ]

    /// Changes an identity pool's row (nothing when it is gone) and moves its modification time.
    static func changingIdentityPool(
        _ id: IdentityPoolID, _ event: RecordedEvent, _ context: ReducerContext, _ change: (inout IdentityPoolRow) -> Void
    ) throws -> [DirectoryChange] {
        guard var pool = try context.rows.identityPools.value(id.rawValue) else { return [] }
        change(&pool)
        pool.updatedAt = Timestamp(event.recordedAt)
        return [.put(pool)]
    }
}
