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

    typealias Services = any ClientAccessService & EventLogService
    static func services(_ postern: Postern) -> Services { postern }

    static func handle(_ request: Request, call: Call, services: Services) async throws -> EmptyResponse {
        let (_, user) = try await services.adminUser(poolId: request.UserPoolId, username: request.Username)
        try await services.apply(.signOutGlobally, to: user, context: AccountCommandContext(now: call.now), call: call)
        return EmptyResponse()
    }
}
