import Foundation
import PosternCore
import PosternCrypto
import PosternStore

/// CreateUserPoolClient: an app client, optionally with a generated or caller-chosen secret.
enum CreateUserPoolClient: AWSOperation {
    static let name = "CreateUserPoolClient"

    struct Response: Encodable, Sendable { var UserPoolClient: JSONValue }

    typealias Services = any EventLogService & KeyService
    static func services(_ postern: Postern) -> Services { postern }

    static func handle(_ request: JSONObject, call: Call, services: Services) async throws -> Response {
        let poolId = try request.required("UserPoolId")
        try Validate.userPoolId(poolId)
        let pool = try await services.directory.pool(poolId)
        let id = ClientID(Random.string(26, alphabet: "abcdefghijklmnopqrstuvwxyz0123456789"))
        let creation = try AppClientConfiguration.create(
            poolId: pool.id, schema: pool.settings.schema, request: request.members,
            context: .init(clientId: id, generatedSecret: Random.string(51, alphabet: "abcdefghijklmnopqrstuvwxyz0123456789")))
        let created = try creation.event(sealingSecretWith: { try services.master.secrets.seal($0) })
        try await services.commit(
            .init(stream: Stream.client(id), expected: .noStream, events: [NewEvent(streamID: Stream.client(id), created)]),
            metadata: call.metadata())
        return Response(UserPoolClient: try DescribeUserPoolClient.describe(try await services.directory.client(id.rawValue), keys: services))
    }
}
