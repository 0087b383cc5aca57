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

    typealias Services = any ClientAccessService & EventLogService & TriggerService
    static func services(_ postern: Postern) -> Services { postern }

    static func handle(_ request: Request, call: Call, services: Services) async throws -> EmptyResponse {
        let (pool, sub) = try await services.retrying {
            let (pool, user) = try await services.adminUser(poolId: request.UserPoolId, username: request.Username)
            try await services.apply(.confirmByAdmin, to: user, context: AccountCommandContext(now: call.now), call: call)
            return (pool, user.sub)
        }
        if let user = try await services.directory.user(sub: sub.rawValue) {
            try await services.triggers.postConfirmation(
                pool: pool, user: user, clientId: nil, clientMetadata: request.ClientMetadata, call: call, log: services)
        }
        return EmptyResponse()
    }
}
