import Foundation
import PosternCore
import PosternCrypto
import PosternStore

/// AdminUserGlobalSignOut: an administrator signs a user out everywhere.
enum AdminUserGlobalSignOut: AWSOperation {
    static let name = "AdminUserGlobalSignOut"

    struct Request: Decodable, Sendable {
        var UserPoolId: String
        var Username: String
    }

    static func handle(_ request: Request, call: Call, postern: Postern) async throws -> EmptyResponse {
        let (_, user) = try await postern.adminUser(poolId: request.UserPoolId, username: request.Username)
        try await postern.apply(.signOutGlobally, to: user, context: AccountCommandContext(now: call.now), call: call)
        return EmptyResponse()
    }
}
