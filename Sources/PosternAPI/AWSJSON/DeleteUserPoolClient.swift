import Foundation
import PosternStore
import PosternCrypto
import PosternCore

/// DeleteUserPoolClient.
enum DeleteUserPoolClient: AWSOperation {
    static let name = "DeleteUserPoolClient"

    struct Request: Decodable, Sendable {
        var UserPoolId: String
        var ClientId: String
    }

    static func handle(_ request: Request, call: Call, postern: Postern) async throws -> EmptyResponse {
        try await postern.retrying {
            let client = try await DescribeUserPoolClient.load(poolId: request.UserPoolId, clientId: request.ClientId, postern: postern)
            let stream = Stream.client(client.id)
            try await postern.store.append(
                .init(stream: stream, expected: .exact(try await postern.store.version(of: stream)),
                      events: [try NewEvent(streamID: stream, UserPoolClientDeleted(poolId: client.poolId, clientId: client.id))]),
                metadata: call.metadata())
        }
        return EmptyResponse()
    }
}
