import Foundation
import PosternCore
import PosternCrypto
import PosternStore

/// CreateGroup: a new group in the pool, within Cognito's quota of groups per pool.
enum CreateGroup: AWSOperation {
    static let name = "CreateGroup"

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
        try Validate.userPoolId(request.UserPoolId)
        try UserPoolGroup.validate(name: request.GroupName)
        let settings = GroupSettings(description: request.Description, roleArn: request.RoleArn, precedence: request.Precedence)
        try settings.validate()
        let pool = try await services.directory.pool(request.UserPoolId)
        let existing = try await services.directory.group(pool: pool.id, name: request.GroupName)
        let created = try UserPoolGroup.create(
            poolId: pool.id, name: request.GroupName, settings: settings, existing: existing?.group,
            groupsInPool: try await services.directory.groupCount(pool: pool.id))
        // A group deleted and created again continues its stream.
        let stream = Stream.group(pool: pool.id, name: request.GroupName)
        let version = try await services.store.version(of: stream)
        try await services.commit(
            AppendBatch(stream: stream, expected: version == 0 ? .noStream : .exact(version), events: [NewEvent(streamID: stream, created)]),
            metadata: call.metadata())
        return Response(
            Group: GroupType(
                try await services.reloadGroup(UserPoolGroup(poolId: pool.id, name: request.GroupName, settings: settings, version: version + 1))))
    }
}
