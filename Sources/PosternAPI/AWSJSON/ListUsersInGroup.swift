import Foundation
import PosternCore
import PosternCrypto
import PosternStore

/// ListUsersInGroup: the group's members as `UserType`s, in the order ListUsers lists them, paged with
/// `NextToken`.
enum ListUsersInGroup: AWSOperation {
    static let name = "ListUsersInGroup"

    struct Request: Decodable, Sendable {
        var UserPoolId: String
        var GroupName: String
        var Limit: Int?
        var NextToken: String?
    }

    struct Response: Encodable, Sendable {
        var Users: [UserType]
        var NextToken: String?
    }

    typealias Services = any DirectoryService
    static func services(_ postern: Postern) -> Services { postern }

    static func handle(_ request: Request, call: Call, services: Services) async throws -> Response {
        try Validate.userPoolId(request.UserPoolId)
        try UserPoolGroup.validate(name: request.GroupName)
        let limit = try GroupPageToken.limit(request.Limit)
        let after = try GroupPageToken.decode(request.NextToken)
        let group = try await services.requireGroup(poolId: request.UserPoolId, name: request.GroupName).1.group
        let users = try await services.directory.members(pool: group.poolId, group: group.name, after: after, limit: limit + 1)
        let page = users.prefix(limit)
        return Response(
            Users: page.map { UserType($0) }, NextToken: users.count > limit ? page.last.map { GroupPageToken.encode($0.usernameKey) } : nil)
    }
}
