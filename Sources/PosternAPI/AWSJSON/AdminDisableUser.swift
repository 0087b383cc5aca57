import Foundation
import PosternCore
import PosternCrypto
import PosternStore

/// AdminDisableUser: an administrator deactivates a user and revokes their tokens; the user still appears in
/// AdminGetUser and ListUsers (`Enabled: false`).
enum AdminDisableUser: AWSOperation {
    static let name = "AdminDisableUser"

    struct Request: Decodable, Sendable {
        var UserPoolId: String
        var Username: String
    }

    typealias Services = any ClientAccessService & EventLogService
    static func services(_ postern: Postern) -> Services { postern }

    static func handle(_ request: Request, call: Call, services: Services) async throws -> EmptyResponse {
        let (_, user) = try await services.adminUser(poolId: request.UserPoolId, username: request.Username)
        try await services.apply(.disable, to: user, context: AccountCommandContext(now: call.now), call: call)
        return EmptyResponse()
    }
}
