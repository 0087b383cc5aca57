import Foundation
import PosternCore
import PosternCrypto
import PosternStore

/// CreateUserPool: a new pool with Cognito's defaults and its own pair of signing keys.
enum CreateUserPool: AWSOperation {
    static let name = "CreateUserPool"

    struct Response: Encodable, Sendable { var UserPool: JSONValue }

    static func handle(_ request: JSONObject, call: Call, postern: Postern) async throws -> Response {
        let name = try request.required("PoolName")
        guard (1...128).contains(name.count), name.range(of: #"^[\w\s+=,.@-]+\z"#, options: .regularExpression) != nil else {
            throw DomainError.validation("poolName", "Member must satisfy regular expression pattern: [\\w\\s+=,.@-]+")
        }
        let settings = try UserPoolSettings.forNewPool(request: request.members)
        let id = UserPoolID(
            "\(postern.configuration.region)_\(Random.string(9, alphabet: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"))")
        let keys = try PoolSigningKeys.generate(sealer: postern.master.secrets)
        let created = UserPoolCreated(poolId: id, name: name, settings: settings.json, signingKeys: keys)
        try await postern.commit(
            .init(stream: Stream.userPool(id), expected: .noStream, events: [NewEvent(streamID: Stream.userPool(id), created)]),
            metadata: call.metadata())
        return Response(UserPool: try await DescribeUserPool.describe(try await postern.directory.pool(id.rawValue), postern: postern))
    }
}
