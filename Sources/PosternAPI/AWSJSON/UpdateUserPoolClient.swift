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
        let client = try await DescribeUserPoolClient.load(poolId: poolId, clientId: clientId, postern: postern)
        var members = request.members
        if members["ClientName"] == nil { members["ClientName"] = .string(client.settings.name) }
        let settings = try ClientSettings.from(request: members)
        try settings.validateAttributePermissions(schema: try await postern.directory.pool(poolId).settings.schema)
        let stream = Stream.client(client.id)
        try await postern.commit(
            .init(
                stream: stream, expected: .exact(try await postern.store.version(of: stream)),
                events: [
                    NewEvent(streamID: stream, UserPoolClientUpdated(poolId: client.poolId, clientId: client.id, settings: settings.json))
                ]),
            metadata: call.metadata())
        return Response(UserPoolClient: try DescribeUserPoolClient.describe(try await postern.directory.client(clientId), postern: postern))
    }
}
