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
        let client = try await DescribeUserPoolClient.load(poolId: request.UserPoolId, clientId: request.ClientId, postern: postern)
        let stream = Stream.client(client.id)
        try await postern.commit(
            .init(
                stream: stream, expected: .exact(try await postern.store.version(of: stream)),
                events: [NewEvent(streamID: stream, UserPoolClientDeleted(poolId: client.poolId, clientId: client.id))]),
            metadata: call.metadata())
        return EmptyResponse()
    }
}
