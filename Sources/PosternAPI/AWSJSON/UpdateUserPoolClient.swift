import Foundation
import PosternCore
import PosternCrypto
import PosternStore

/// UpdateUserPoolClient: replaces the client's settings (omitted ones return to defaults); the secret stays.
enum UpdateUserPoolClient: AWSOperation {
    static let name = "UpdateUserPoolClient"

    struct Response: Encodable, Sendable { var UserPoolClient: JSONValue }

    static func handle(_ request: JSONObject, call: Call, postern: Postern) async throws -> Response {
        let poolId = try request.required("UserPoolId")
        let clientId = try request.required("ClientId")
        let client = try await postern.appClientConfiguration(
            try await DescribeUserPoolClient.load(poolId: poolId, clientId: clientId, postern: postern))
        let schema = try await postern.directory.pool(poolId).settings.schema
        let updated = try AppClientConfiguration.update(client, schema: schema, request: request.members)
        let stream = Stream.client(client.clientId)
        try await postern.commit(
            .init(stream: stream, expected: .exact(client.version), events: [NewEvent(streamID: stream, updated)]), metadata: call.metadata())
        return Response(UserPoolClient: try DescribeUserPoolClient.describe(try await postern.directory.client(clientId), postern: postern))
    }
}
