import Foundation
import PosternCore
import PosternCrypto
import PosternStore

/// CreateUserPool: a new pool with Cognito's defaults and its own pair of signing keys.
enum CreateUserPool: AWSOperation {
    static let name = "CreateUserPool"

    struct Response: Encodable, Sendable { var UserPool: JSONValue }

    typealias Services = any EventLogService & KeyService & SettingsService
    static func services(_ postern: Postern) -> Services { postern }

    static func handle(_ request: JSONObject, call: Call, services: Services) async throws -> Response {
        let name = try request.required("PoolName")
        let settings = try UserPoolConfiguration.settings(forNewPoolNamed: name, request: request.members)
        let id = UserPoolID(
            "\(services.configuration.region)_\(Random.string(9, alphabet: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"))")
        // Two RSA keys cost more than the checks: they are made only for a request that passed them.
        let keys = try PoolSigningKeys.generate(sealer: services.master.secrets)
        let created = try UserPoolConfiguration.create(name: name, settings: settings, context: .init(poolId: id, signingKeys: keys))
        try await services.commit(
            .init(stream: Stream.userPool(id), expected: .noStream, events: [NewEvent(streamID: Stream.userPool(id), created)]),
            metadata: call.metadata())
        return Response(UserPool: try await DescribeUserPool.describe(try await services.directory.pool(id.rawValue), services: services))
    }
}
