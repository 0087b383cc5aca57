import Foundation
import PosternCore
import PosternCrypto
import PosternStore

/// DescribeUserPool: the pool's configuration exactly as set, plus Cognito's computed members.
enum DescribeUserPool: AWSOperation {
    static let name = "DescribeUserPool"

    struct Request: Decodable, Sendable { var UserPoolId: String }
    struct Response: Encodable, Sendable { var UserPool: JSONValue }

    static func handle(_ request: Request, call: Call, postern: Postern) async throws -> Response {
        try Validate.userPoolId(request.UserPoolId)
        return Response(UserPool: try await describe(try await postern.directory.pool(request.UserPoolId), postern: postern))
    }

    /// The `UserPoolType` of a pool.
    static func describe(_ pool: PoolRecord, postern: Postern) async throws -> JSONValue {
        var object = pool.settings.describedMembers
        object["Id"] = .string(pool.id.rawValue)
        object["Name"] = .string(pool.name)
        object["Arn"] = .string("arn:aws:cognito-idp:\(pool.id.region):\(postern.configuration.accountId):userpool/\(pool.id.rawValue)")
        object["CreationDate"] = .double(pool.createdAt.timeIntervalSince1970)
        object["LastModifiedDate"] = .double(pool.updatedAt.timeIntervalSince1970)
        object["EstimatedNumberOfUsers"] = .int(try await postern.directory.userCount(pool: pool.id))
        return .object(object)
    }
}
