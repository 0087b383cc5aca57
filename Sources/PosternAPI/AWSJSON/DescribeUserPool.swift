import Foundation
import PosternCore
import PosternCrypto
import PosternStore

/// DescribeUserPool: the pool's configuration exactly as set, plus Cognito's computed members.
enum DescribeUserPool: AWSOperation {
    static let name = "DescribeUserPool"

    struct Request: Decodable, Sendable { var UserPoolId: String }
    struct Response: Encodable, Sendable { var UserPool: JSONValue }

    typealias Services = any DirectoryService & SettingsService
    static func services(_ postern: Postern) -> Services { postern }

    static func handle(_ request: Request, call: Call, services: Services) async throws -> Response {
        try Validate.userPoolId(request.UserPoolId)
        return Response(UserPool: try await describe(try await services.directory.pool(request.UserPoolId), services: services))
    }

    /// The `UserPoolType` of a pool.
    static func describe(_ pool: PoolRecord, services: any DirectoryService & SettingsService) async throws -> JSONValue {
        var object = pool.settings.describedMembers
        object["Id"] = .string(pool.id.rawValue)
        object["Name"] = .string(pool.name)
        object["Arn"] = .string("arn:aws:cognito-idp:\(pool.id.region):\(services.configuration.accountId):userpool/\(pool.id.rawValue)")
        object["CreationDate"] = .double(pool.createdAt.timeIntervalSince1970)
        object["LastModifiedDate"] = .double(pool.updatedAt.timeIntervalSince1970)
        object["EstimatedNumberOfUsers"] = .int(try await services.directory.userCount(pool: pool.id))
        return .object(object)
    }
}
