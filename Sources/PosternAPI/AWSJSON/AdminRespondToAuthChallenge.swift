import Foundation
import PosternCore
import PosternCrypto
import PosternStore

/// AdminRespondToAuthChallenge: the admin variant of RespondToAuthChallenge.
enum AdminRespondToAuthChallenge: AWSOperation {
    static let name = "AdminRespondToAuthChallenge"

    struct Request: Decodable, Sendable {
        var UserPoolId: String
        var ClientId: String
        var ChallengeName: String
        var ChallengeResponses: [String: String]?
        var Session: String?
        var ClientMetadata: [String: String]?
    }

    typealias Services = any SignInService
    static func services(_ postern: Postern) -> Services { postern }

    static func handle(_ request: Request, call: Call, services: Services) async throws -> AuthResponse {
        let client = try await DescribeUserPoolClient.load(poolId: request.UserPoolId, clientId: request.ClientId, directory: services.directory)
        let pool = try await services.directory.pool(request.UserPoolId)
        return try await AuthChallenges.answer(
            request.ChallengeName, pool: pool, client: client, session: request.Session, responses: request.ChallengeResponses ?? [:],
            clientMetadata: request.ClientMetadata, call: call, services: services)
    }
}
