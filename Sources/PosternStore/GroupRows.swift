import Foundation
import PosternCore
import PostgresNIO

/// A `user_pool_groups` row: a group's settings and its stream's version.
struct GroupRow: DirectoryRow {
    /// A group's key: its pool and name.
    struct Key: Hashable, Sendable {
        var poolId: String
        var groupName: String
    }

    var poolId: String
    var groupName: String
    var description: String?
    var roleArn: String?
    var precedence: Int?
    var createdAt: Timestamp
    var updatedAt: Timestamp
    var version: Int

    static let table = "user_pool_groups"
    static let columns = [
        DirectoryColumn("pool_id"), DirectoryColumn("group_name"), DirectoryColumn("description"), DirectoryColumn("role_arn"),
        DirectoryColumn("precedence", .integer), DirectoryColumn("created_at", .timestamp), DirectoryColumn("updated_at", .timestamp),
        DirectoryColumn("version", .integer),
    ]
    static let keyColumnCount = 2
    static var rows: ReferenceWritableKeyPath<DirectoryRows, TableRows<GroupRow>> { \.groups }
    var key: Key { Key(poolId: poolId, groupName: groupName) }

    init(
        poolId: String, groupName: String, description: String?, roleArn: String?, precedence: Int?, createdAt: Timestamp, updatedAt: Timestamp,
        version: Int
    ) {
        self.poolId = poolId
        self.groupName = groupName
        self.description = description
        self.roleArn = roleArn
        self.precedence = precedence
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.version = version
    }

    init(cells: inout RowCells) throws {
        self.init(
            poolId: try cells.next(), groupName: try cells.next(), description: try cells.next(), roleArn: try cells.next(),
            precedence: try cells.next(), createdAt: try cells.next(), updatedAt: try cells.next(), version: try cells.next())
    }

    static func columnArrays(_ rows: [GroupRow]) -> [any PostgresThrowingDynamicTypeEncodable] {
        [
            rows.map(\.poolId), rows.map(\.groupName), NullableArray(rows.map(\.description)), NullableArray(rows.map(\.roleArn)),
            NullableArray(rows.map(\.precedence)), rows.map(\.createdAt), rows.map(\.updatedAt), rows.map(\.version),
        ]
    }

    static func keyArrays(_ keys: [Key]) -> [any PostgresThrowingDynamicTypeEncodable] { [keys.map(\.poolId), keys.map(\.groupName)] }
}

/// A `user_pool_group_members` row: one user in one group, loaded with the user's other memberships.
struct GroupMemberRow: DirectoryRow {
    /// A membership's key: the group and the member.
    struct Key: Hashable, Sendable {
        var poolId: String
        var groupName: String
        var sub: String
    }

    var poolId: String
    var groupName: String
    var sub: String
    var addedAt: Timestamp

    static let table = "user_pool_group_members"
    static let columns = [DirectoryColumn("pool_id"), DirectoryColumn("group_name"), DirectoryColumn("sub"), DirectoryColumn("added_at", .timestamp)]
    static let keyColumnCount = 3
    static var rows: ReferenceWritableKeyPath<DirectoryRows, TableRows<GroupMemberRow>> { \.groupMembers }
    var key: Key { Key(poolId: poolId, groupName: groupName, sub: sub) }
    var subject: String? { sub }
    static func subject(of key: Key) -> String? { key.sub }

    init(poolId: String, groupName: String, sub: String, addedAt: Timestamp) {
        self.poolId = poolId
        self.groupName = groupName
        self.sub = sub
        self.addedAt = addedAt
    }

    init(cells: inout RowCells) throws {
        self.init(poolId: try cells.next(), groupName: try cells.next(), sub: try cells.next(), addedAt: try cells.next())
    }

    static func columnArrays(_ rows: [GroupMemberRow]) -> [any PostgresThrowingDynamicTypeEncodable] {
        [rows.map(\.poolId), rows.map(\.groupName), rows.map(\.sub), rows.map(\.addedAt)]
    }

    static func keyArrays(_ keys: [Key]) -> [any PostgresThrowingDynamicTypeEncodable] {
        [keys.map(\.poolId), keys.map(\.groupName), keys.map(\.sub)]
    }
}

extension DirectoryProjector {
    /// The reducers of group streams. Every event of a group's stream moves the row's `version` to the
    /// event's stream version, so the next command appends at it; a group created again under its name
    /// continues its stream.
    static let groupReducers: [String: DirectoryReducer] = [
        GroupCreated.eventType: .on(GroupCreated.self) { created, event, _ in
            let at = Timestamp(event.recordedAt)
            return [
                .insert(
                    GroupRow(
                        poolId: created.poolId.rawValue, groupName: created.groupName, description: created.description,
                        roleArn: created.roleArn, precedence: created.precedence, createdAt: at, updatedAt: at, version: event.streamVersion))
            ]
        },
        GroupUpdated.eventType: .on(GroupUpdated.self, needs: { updated, _ in [.group(pool: updated.poolId.rawValue, name: updated.groupName)] }) {
            updated, event, context in
            try changingGroup(pool: updated.poolId, name: updated.groupName, event, context) { group in
                group.description = updated.description
                group.roleArn = updated.roleArn
                group.precedence = updated.precedence
                group.updatedAt = Timestamp(event.recordedAt)
            }
        },
        GroupDeleted.eventType: .on(GroupDeleted.self) { deleted, _, _ in
            [
                .deleteGroupMembers(pool: deleted.poolId.rawValue, name: deleted.groupName),
                .delete(KeyOf<GroupRow>(GroupRow.Key(poolId: deleted.poolId.rawValue, groupName: deleted.groupName))),
            ]
        },
        UserAddedToGroup.eventType: .on(
            UserAddedToGroup.self,
            needs: { added, _ in
                [.group(pool: added.poolId.rawValue, name: added.groupName), .user(added.sub.rawValue), .groupMemberships(added.sub.rawValue)]
            }
        ) { added, event, context in
            var changes = try changingGroup(pool: added.poolId, name: added.groupName, event, context) { _ in }
            // A user deleted while the add was decided has no row: the membership would outlive them.
            guard !changes.isEmpty, try context.user(added.sub.rawValue) != nil else { return changes }
            changes.append(
                .put(
                    GroupMemberRow(
                        poolId: added.poolId.rawValue, groupName: added.groupName, sub: added.sub.rawValue, addedAt: Timestamp(event.recordedAt))))
            return changes
        },
        UserRemovedFromGroup.eventType: .on(
            UserRemovedFromGroup.self,
            needs: { removed, _ in [.group(pool: removed.poolId.rawValue, name: removed.groupName), .groupMemberships(removed.sub.rawValue)] }
        ) { removed, event, context in
            try changingGroup(pool: removed.poolId, name: removed.groupName, event, context) { _ in }
                + [
                    .delete(
                        KeyOf<GroupMemberRow>(
                            GroupMemberRow.Key(poolId: removed.poolId.rawValue, groupName: removed.groupName, sub: removed.sub.rawValue)))
                ]
        },
    ]

    /// Changes a group's row (nothing when it is gone) and moves its version to the event's.
    static func changingGroup(
        pool: UserPoolID, name: String, _ event: RecordedEvent, _ context: ReducerContext, _ change: (inout GroupRow) -> Void
    ) throws -> [DirectoryChange] {
        guard var group = try context.rows.groups.value(GroupRow.Key(poolId: pool.rawValue, groupName: name)) else { return [] }
        change(&group)
        group.version = event.streamVersion
        return [.put(group)]
    }
}
