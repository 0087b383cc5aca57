import Foundation

/// The events of a user-pool group's stream (`group-<poolId>-<name>`, `Stream.group`): its configuration
/// and its members.
///
/// Group names, descriptions and role ARNs are pool configuration, not personal data, and members are
/// named by their `sub` alone, so nothing here is sealed: deleting a user shreds their profile while the
/// log still shows which groups the (now anonymous) sub was in.
public struct GroupCreated: EventPayload, Equatable {
    public static let eventType = "GroupCreated"
    public var poolId: UserPoolID
    public var groupName: String
    public var description: String?
    public var roleArn: String?
    public var precedence: Int?

    public init(poolId: UserPoolID, groupName: String, description: String?, roleArn: String?, precedence: Int?) {
        self.poolId = poolId
        self.groupName = groupName
        self.description = description
        self.roleArn = roleArn
        self.precedence = precedence
    }
}

/// UpdateGroup: the group's settings as they are now (an omitted setting is back to its default).
public struct GroupUpdated: EventPayload, Equatable {
    public static let eventType = "GroupUpdated"
    public var poolId: UserPoolID
    public var groupName: String
    public var description: String?
    public var roleArn: String?
    public var precedence: Int?

    public init(poolId: UserPoolID, groupName: String, description: String?, roleArn: String?, precedence: Int?) {
        self.poolId = poolId
        self.groupName = groupName
        self.description = description
        self.roleArn = roleArn
        self.precedence = precedence
    }
}

/// DeleteGroup: the group and, with it, every membership its stream holds.
public struct GroupDeleted: EventPayload, Equatable {
    public static let eventType = "GroupDeleted"
    public var poolId: UserPoolID
    public var groupName: String

    public init(poolId: UserPoolID, groupName: String) {
        self.poolId = poolId
        self.groupName = groupName
    }
}

/// AdminAddUserToGroup made `sub` a member.
public struct UserAddedToGroup: EventPayload, Equatable {
    public static let eventType = "UserAddedToGroup"
    public var poolId: UserPoolID
    public var groupName: String
    public var sub: Sub

    public init(poolId: UserPoolID, groupName: String, sub: Sub) {
        self.poolId = poolId
        self.groupName = groupName
        self.sub = sub
    }
}

/// AdminRemoveUserFromGroup ended `sub`'s membership.
public struct UserRemovedFromGroup: EventPayload, Equatable {
    public static let eventType = "UserRemovedFromGroup"
    public var poolId: UserPoolID
    public var groupName: String
    public var sub: Sub

    public init(poolId: UserPoolID, groupName: String, sub: Sub) {
        self.poolId = poolId
        self.groupName = groupName
        self.sub = sub
    }
}

extension Stream {
    /// A user-pool group's stream: its configuration and its memberships.
    public static func group(pool: UserPoolID, name: String) -> String { "group-\(pool.rawValue)-\(name)" }
}
