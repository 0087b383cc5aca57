import Foundation
import PosternCore
import PosternCrypto
import PosternStore

/// `GroupType`: a group as CreateGroup, GetGroup, UpdateGroup, ListGroups and AdminListGroupsForUser return it.
struct GroupType: Encodable, Sendable {
    var GroupName: String
    var UserPoolId: String
    var Description: String?
    var RoleArn: String?
    var Precedence: Int?
    var LastModifiedDate: Date
    var CreationDate: Date

    init(_ record: GroupRecord) {
        GroupName = record.group.name
        UserPoolId = record.group.poolId.rawValue
        Description = record.group.settings.description
        RoleArn = record.group.settings.roleArn
        Precedence = record.group.settings.precedence
        LastModifiedDate = record.updatedAt
        CreationDate = record.createdAt
    }
}

/// The `NextToken` of the group operations: the last item's sort key, base64url-encoded.
enum GroupPageToken {
    static func encode(_ key: String) -> String { Base64URL.encode(Data(key.utf8)) }

    static func decode(_ token: String?) throws -> String? {
        try token.map { token in
            guard let data = Base64URL.decode(token), let key = String(data: data, encoding: .utf8) else {
                throw DomainError.invalidParameter("Invalid pagination token.")
            }
            return key
        }
    }

    /// `Limit` (`QueryLimitType`, 0–60): 0 or none is a page of 60.
    static func limit(_ limit: Int?) throws -> Int {
        try Validate.limit(limit, member: "limit", range: 0...60)
        return limit.flatMap { $0 == 0 ? nil : $0 } ?? 60
    }
}

extension DirectoryService {
    /// The pool's group named `name`, after checking both names against the model.
    func requireGroup(poolId: String, name: String) async throws -> (PoolRecord, GroupRecord) {
        try Validate.userPoolId(poolId)
        try UserPoolGroup.validate(name: name)
        let pool = try await directory.pool(poolId)
        guard let group = try await directory.group(pool: pool.id, name: name) else { throw DomainError.resourceNotFound("Group not found.") }
        return (pool, group)
    }
}

extension EventLogService {
    /// Appends a group's events at the version it was loaded with.
    func commit(_ events: [any EventPayload], to group: UserPoolGroup, call: Call) async throws {
        guard !events.isEmpty else { return }
        let stream = Stream.group(pool: group.poolId, name: group.name)
        try await commit(
            AppendBatch(stream: stream, expected: .exact(group.version), events: events.map { NewEvent(streamID: stream, $0) }),
            metadata: call.metadata())
    }

    /// The group as the directory holds it after a commit (read-your-writes).
    func reloadGroup(_ group: UserPoolGroup) async throws -> GroupRecord {
        guard let record = try await directory.group(pool: group.poolId, name: group.name) else {
            throw DomainError.resourceNotFound("Group not found.")
        }
        return record
    }
}
