import Foundation
import PosternCore
import PosternCrypto
import PosternStore

/// AdminConfirmSignUp: an administrator confirms an UNCONFIRMED user without a code.
enum AdminConfirmSignUp: AWSOperation {
    static let name = "AdminConfirmSignUp"

    struct Request: Decodable, Sendable {
        var UserPoolId: String
        var Username: String
        var ClientMetadata: [String: String]?
    }

    static func handle(_ request: Request, call: Call, postern: Postern) async throws -> EmptyResponse {
        let (pool, sub) = try await postern.retrying {
            let (pool, user) = try await postern.adminUser(poolId: request.UserPoolId, username: request.Username)
            try await postern.apply(.confirmByAdmin, to: user, context: AccountCommandContext(now: call.now), call: call)
            return (pool, user.sub)
        }
        if let user = try await postern.directory.user(sub: sub.rawValue) {
            try await postern.triggers.postConfirmation(
                pool: pool, user: user, clientId: nil, clientMetadata: request.ClientMetadata, call: call, postern: postern)
        }
        return EmptyResponse()
    }
}
