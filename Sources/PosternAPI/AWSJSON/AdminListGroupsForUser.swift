import Foundation
import PosternCore
import PosternCrypto
import PosternStore

/// AdminListGroupsForUser: the user's groups in name order, paged with `NextToken`.
enum AdminListGroupsForUser: AWSOperation {
    static let name = "AdminListGroupsForUser"

    struct Request: Decodable, Sendable {
        var Username: String
        var UserPoolId: String
        var Limit: Int?
        var NextToken: String?
    }

    struct Response: Encodable, Sendable {
        var Groups: [GroupType]
        var NextToken: String?
    }

    typealias Services = any ClientAccessService
    static func services(_ postern: Postern) -> Services { postern }

    static func handle(_ request: Request, call: Call, services: Services) async throws -> Response {
        let limit = try GroupPageToken.limit(request.Limit)
        let after = try GroupPageToken.decode(request.NextToken)
        let (_, user) = try await services.adminUser(poolId: request.UserPoolId, username: request.Username)
        let groups = try await services.directory.groups(of: user.sub, after: after, limit: limit + 1)
        let page = groups.prefix(limit)
        return Response(
            Groups: page.map(GroupType.init), NextToken: groups.count > limit ? page.last.map { GroupPageToken.encode($0.group.name) } : nil)
    }
}
