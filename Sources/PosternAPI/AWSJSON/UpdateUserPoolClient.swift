import Foundation
import PosternCore
import PosternCrypto
import PosternStore

/// UpdateUserPoolClient: replaces the client's settings (omitted ones return to defaults); the secret stays.
enum UpdateUserPoolClient: AWSOperation {
    static let name = "UpdateUserPoolClient"

    struct Response: Encodable, Sendable { var UserPoolClient: JSONValue }

    typealias Services = any EventLogService & KeyService
    static func services(_ postern: Postern) -> Services { postern }

    static func handle(_ request: JSONObject, call: Call, services: Services) async throws -> Response {
        let poolId = try request.required("UserPoolId")
        let clientId = try request.required("ClientId")
        let client = try await services.appClientConfiguration(
            try await DescribeUserPoolClient.load(poolId: poolId, clientId: clientId, directory: services.directory))
        let schema = try await services.directory.pool(poolId).settings.schema
        let updated = try AppClientConfiguration.update(client, schema: schema, request: request.members)
        let stream = Stream.client(client.clientId)
        try await services.commit(
            .init(stream: stream, expected: .exact(client.version), events: [NewEvent(streamID: stream, updated)]), metadata: call.metadata())
        return Response(UserPoolClient: try DescribeUserPoolClient.describe(try await services.directory.client(clientId), keys: services))
    }
}
