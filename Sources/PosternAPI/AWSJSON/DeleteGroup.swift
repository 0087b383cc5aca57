import Foundation
import PosternCore
import PosternCrypto
import PosternStore

/// DeleteGroup: the group and its memberships (its members' next tokens no longer name it).
enum DeleteGroup: AWSOperation {
    static let name = "DeleteGroup"

    struct Request: Decodable, Sendable {
        var GroupName: String
        var UserPoolId: String
    }

    typealias Services = any EventLogService
    static func services(_ postern: Postern) -> Services { postern }

    static func handle(_ request: Request, call: Call, services: Services) async throws -> EmptyResponse {
        let group = try await services.requireGroup(poolId: request.UserPoolId, name: request.GroupName).1.group
        try await services.commit([group.delete()], to: group, call: call)
        return EmptyResponse()
    }
}
