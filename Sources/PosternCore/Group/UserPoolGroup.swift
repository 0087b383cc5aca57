import Foundation

/// The write model of a user-pool group (stream `group-<poolId>-<name>`): its settings and the stream
/// version, with the rules of CreateGroup, UpdateGroup and DeleteGroup.
///
/// Memberships live on the group's stream, not on the users' streams: every add and remove appends at the
/// group's version, so two concurrent adds of one user cannot both record a membership (the second
/// re-decides, finds the member and appends nothing), and DeleteGroup is the stream's last event, so no
/// membership can commit after the group is gone. A user's own deletion ends their memberships in the
/// projection (UserDeleted removes the sub's rows, and an add that raced it finds no user row). The
/// per-user quota of groups is checked against the directory at decision time and can therefore be
/// overrun by adds that race in different groups, which only costs a token one more group name.
///
/// The server loads it from the directory row (with the stream version); `evolve` is the same fold over
/// the group's stream. Dates are not part of it: the projection takes them from the events.
public struct UserPoolGroup: Equatable, Sendable, Codable {
    public var poolId: UserPoolID
    public var name: String
    public var settings: GroupSettings
    /// The version of the group's stream this state reflects (the expected version of the next append).
    public var version: Int

    public init(poolId: UserPoolID, name: String, settings: GroupSettings, version: Int) {
        self.poolId = poolId
        self.name = name
        self.settings = settings
        self.version = version
    }

    /// Cognito's quota of groups in one user pool.
    public static let groupsPerPool = 10_000
    /// Cognito's quota of groups one user can belong to.
    public static let groupsPerUser = 100

    /// Folds one event of the group's stream into the state. `nil` is the state before the group was
    /// created and after it was deleted; a stream continues when a group of the same name is created again,
    /// so the version counts every event of the stream.
    public static func evolve(_ state: UserPoolGroup?, version: Int, with event: any EventPayload) -> UserPoolGroup? {
        switch event {
        case let created as GroupCreated:
            return UserPoolGroup(
                poolId: created.poolId, name: created.groupName,
                settings: GroupSettings(description: created.description, roleArn: created.roleArn, precedence: created.precedence),
                version: version)
        case let updated as GroupUpdated:
            guard var group = state else { return nil }
            group.settings = GroupSettings(description: updated.description, roleArn: updated.roleArn, precedence: updated.precedence)
            group.version = version
            return group
        case is GroupDeleted:
            return nil
        default:
            guard var group = state else { return nil }
            group.version = version
            return group
        }
    }

    /// The state after a whole stream, oldest event first.
    public static func fold(_ events: [any EventPayload]) -> UserPoolGroup? {
        var state: UserPoolGroup?
        for (index, event) in events.enumerated() { state = evolve(state, version: index + 1, with: event) }
        return state
    }
}

/// What a group says about its members' tokens and roles: `Description`, `RoleArn`, `Precedence`.
public struct GroupSettings: Equatable, Sendable, Codable {
    public var description: String?
    public var roleArn: String?
    public var precedence: Int?

    public init(description: String? = nil, roleArn: String? = nil, precedence: Int? = nil) {
        self.description = description
        self.roleArn = roleArn
        self.precedence = precedence
    }

    /// The largest `Precedence` Cognito accepts (2^31-1; the model only says "min 0").
    public static let maximumPrecedence = Int(Int32.max)

    /// Checks the settings against the botocore model (`DescriptionType`, `ArnType`, `PrecedenceType`).
    public func validate() throws(DomainError) {
        if let description, description.count > 2048 {
            throw .validation("description", "Member must have length less than or equal to 2048")
        }
        if let roleArn {
            guard roleArn.count >= 20 else { throw .validation("roleArn", "Member must have length greater than or equal to 20") }
            guard roleArn.count <= 2048 else { throw .validation("roleArn", "Member must have length less than or equal to 2048") }
            guard roleArn.range(of: Self.arnPattern, options: .regularExpression) != nil else {
                throw .validation("roleArn", "Member must satisfy regular expression pattern: \(Self.arnModelPattern)")
            }
        }
        if let precedence {
            guard precedence >= 0 else { throw .validation("precedence", "Member must have value greater than or equal to 0") }
            guard precedence <= Self.maximumPrecedence else {
                throw .validation("precedence", "Member must have value less than or equal to \(Self.maximumPrecedence)")
            }
        }
    }

    static let arnModelPattern = #"arn:[\w+=/,.@-]+:[\w+=/,.@-]+:([\w+=/,.@-]*)?:[0-9]+:[\w+=/,.@-]+(:[\w+=/,.@-]+)?(:[\w+=/,.@-]+)?"#
    static let arnPattern = "^" + arnModelPattern + #"\z"#
}

// MARK: - Decisions

extension UserPoolGroup {
    /// A group name as the model allows it (`GroupNameType`: 1–128 letters, marks, symbols, numbers and
    /// punctuation; no whitespace).
    public static func validate(name: String) throws(DomainError) {
        guard (1...128).contains(name.count), name.range(of: #"^[\p{L}\p{M}\p{S}\p{N}\p{P}]+\z"#, options: .regularExpression) != nil else {
            throw .validation("groupName", #"Member must satisfy regular expression pattern: [\p{L}\p{M}\p{S}\p{N}\p{P}]+"#)
        }
    }

    /// CreateGroup: a name the pool does not hold yet, within the pool's quota of groups.
    public static func create(
        poolId: UserPoolID, name: String, settings: GroupSettings, existing: UserPoolGroup?, groupsInPool: Int
    ) throws(DomainError) -> GroupCreated {
        try validate(name: name)
        try settings.validate()
        if existing != nil { throw .groupExists("A group with the name \(name) already exists.") }
        guard groupsInPool < groupsPerPool else {
            throw .limitExceeded("The user pool already has the maximum number of groups (\(groupsPerPool)).")
        }
        return GroupCreated(
            poolId: poolId, groupName: name, description: settings.description, roleArn: settings.roleArn, precedence: settings.precedence)
    }

    /// UpdateGroup: the request's settings replace the group's; one it omits returns to its default (none),
    /// as the UpdateGroup reference says.
    public func update(_ settings: GroupSettings) throws(DomainError) -> GroupUpdated {
        try settings.validate()
        return GroupUpdated(
            poolId: poolId, groupName: name, description: settings.description, roleArn: settings.roleArn, precedence: settings.precedence)
    }

    /// DeleteGroup: nothing refuses it once the group exists; its memberships end with it.
    public func delete() -> GroupDeleted { GroupDeleted(poolId: poolId, groupName: name) }

    /// AdminAddUserToGroup: nothing for a member already (the call succeeds all the same); otherwise the
    /// membership, within the user's quota of groups (`groupsOfUser` counts the ones they are in).
    public func add(_ sub: Sub, isMember: Bool, groupsOfUser: Int) throws(DomainError) -> [UserAddedToGroup] {
        guard !isMember else { return [] }
        guard groupsOfUser < Self.groupsPerUser else {
            throw .limitExceeded("The user already belongs to the maximum number of groups (\(Self.groupsPerUser)).")
        }
        return [UserAddedToGroup(poolId: poolId, groupName: name, sub: sub)]
    }

    /// AdminRemoveUserFromGroup: the end of a membership; nothing for a user who is not a member.
    public func remove(_ sub: Sub, isMember: Bool) -> [UserRemovedFromGroup] {
        isMember ? [UserRemovedFromGroup(poolId: poolId, groupName: name, sub: sub)] : []
    }

    /// Whether `sub` is a member after `events` of the group's stream (the fold the directory keeps as rows).
    public static func isMember(_ sub: Sub, after events: [any EventPayload]) -> Bool {
        var member = false
        for event in events {
            switch event {
            case let added as UserAddedToGroup where added.sub == sub: member = true
            case let removed as UserRemovedFromGroup where removed.sub == sub: member = false
            case is GroupDeleted: member = false
            default: break
            }
        }
        return member
    }
}
