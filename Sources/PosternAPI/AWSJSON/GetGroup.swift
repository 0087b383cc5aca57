import Foundation
import PosternCore
import PosternCrypto
import PosternStore

/// GetGroup.
enum GetGroup: AWSOperation {
    static let name = "GetGroup"

    struct Request: Decodable, Sendable {
        var GroupName: String
        var UserPoolId: String
    }

    struct Response: Encodable, Sendable { var Group: GroupType }

    typealias Services = any DirectoryService
    static func services(_ postern: Postern) -> Services { postern }

    static func handle(_ request: Request, call: Call, services: Services) async throws -> Response {
        Response(Group: GroupType(try await services.requireGroup(poolId: request.UserPoolId, name: request.GroupName).1))
    }
}
