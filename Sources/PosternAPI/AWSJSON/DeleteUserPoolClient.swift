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

    typealias Services = any EventLogService
    static func services(_ postern: Postern) -> Services { postern }

    static func handle(_ request: Request, call: Call, services: Services) async throws -> EmptyResponse {
        let client = try await services.appClientConfiguration(
            try await DescribeUserPoolClient.load(poolId: request.UserPoolId, clientId: request.ClientId, directory: services.directory))
        let stream = Stream.client(client.clientId)
        try await services.commit(
            .init(stream: stream, expected: .exact(client.version), events: [NewEvent(streamID: stream, AppClientConfiguration.delete(client))]),
            metadata: call.metadata())
        return EmptyResponse()
    }
}
