import Foundation
import PosternCore
import PosternCrypto
import PosternStore

/// ListGroups: the pool's groups in name order, paged with `NextToken`.
enum ListGroups: AWSOperation {
    static let name = "ListGroups"

    struct Request: Decodable, Sendable {
        var UserPoolId: String
        var Limit: Int?
        var NextToken: String?
    }

    struct Response: Encodable, Sendable {
        var Groups: [GroupType]
        var NextToken: String?
    }

    typealias Services = any DirectoryService
    static func services(_ postern: Postern) -> Services { postern }

    static func handle(_ request: Request, call: Call, services: Services) async throws -> Response {
        try Validate.userPoolId(request.UserPoolId)
        let limit = try GroupPageToken.limit(request.Limit)
        let after = try GroupPageToken.decode(request.NextToken)
        let pool = try await services.directory.pool(request.UserPoolId)
        let groups = try await services.directory.groups(pool: pool.id, after: after, limit: limit + 1)
        let page = groups.prefix(limit)
        return Response(
            Groups: page.map(GroupType.init), NextToken: groups.count > limit ? page.last.map { GroupPageToken.encode($0.group.name) } : nil)
    }
}
