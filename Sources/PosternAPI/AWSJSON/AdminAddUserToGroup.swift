import Foundation
import PosternCore
import PosternCrypto
import PosternStore

/// AdminAddUserToGroup: idempotent (a member already is a success with no event), within Cognito's quota of
/// groups per user.
enum AdminAddUserToGroup: AWSOperation {
    static let name = "AdminAddUserToGroup"

    struct Request: Decodable, Sendable {
        var UserPoolId: String
        var Username: String
        var GroupName: String
    }

    typealias Services = any ClientAccessService & EventLogService
    static func services(_ postern: Postern) -> Services { postern }

    static func handle(_ request: Request, call: Call, services: Services) async throws -> EmptyResponse {
        try UserPoolGroup.validate(name: request.GroupName)
        let (_, user) = try await services.adminUser(poolId: request.UserPoolId, username: request.Username)
        let group = try await services.requireGroup(poolId: request.UserPoolId, name: request.GroupName).1.group
        let events = try group.add(
            user.sub, isMember: try await services.directory.isMember(user.sub, pool: group.poolId, group: group.name),
            groupsOfUser: try await services.directory.groupCount(of: user.sub))
        try await services.commit(events, to: group, call: call)
        return EmptyResponse()
    }
}
