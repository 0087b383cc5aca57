import Foundation
import PosternCore
import PosternCrypto
import PosternStore

/// UpdateGroup: the request's `Description`, `RoleArn` and `Precedence` replace the group's; one it omits
/// returns to its default (none), as the UpdateGroup reference says of omitted attributes.
enum UpdateGroup: AWSOperation {
    static let name = "UpdateGroup"

    struct Request: Decodable, Sendable {
        var GroupName: String
        var UserPoolId: String
        var Description: String?
        var RoleArn: String?
        var Precedence: Int?
    }

    struct Response: Encodable, Sendable { var Group: GroupType }

    typealias Services = any EventLogService
    static func services(_ postern: Postern) -> Services { postern }

    static func handle(_ request: Request, call: Call, services: Services) async throws -> Response {
        let settings = GroupSettings(description: request.Description, roleArn: request.RoleArn, precedence: request.Precedence)
        try Validate.userPoolId(request.UserPoolId)
        try UserPoolGroup.validate(name: request.GroupName)
        try settings.validate()
        let group = try await services.requireGroup(poolId: request.UserPoolId, name: request.GroupName).1.group
        try await services.commit([try group.update(settings)], to: group, call: call)
        return Response(Group: GroupType(try await services.reloadGroup(group)))
    }
}
