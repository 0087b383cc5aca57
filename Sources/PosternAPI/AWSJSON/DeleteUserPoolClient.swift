import Foundation
import PosternCore
import PosternCrypto
import PosternStore

/// DeleteUserPoolClient.
enum DeleteUserPoolClient: AWSOperation {
    static let name = "DeleteUserPoolClient"

    struct Request: Decodable, Sendable {
        var UserPoolId: String
        var ClientId: String
    }

    static func handle(_ request: Request, call: Call, postern: Postern) async throws -> EmptyResponse {
        let client = try await postern.appClientConfiguration(
            try await DescribeUserPoolClient.load(poolId: request.UserPoolId, clientId: request.ClientId, postern: postern))
        let stream = Stream.client(client.clientId)
        try await postern.commit(
            .init(stream: stream, expected: .exact(client.version), events: [NewEvent(streamID: stream, AppClientConfiguration.delete(client))]),
            metadata: call.metadata())
        return EmptyResponse()
    }
}
