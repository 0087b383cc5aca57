import Foundation
import PosternCore
import PosternCrypto
import PosternStore

/// AdminEnableUser: an administrator lets a disabled user sign in again.
enum AdminEnableUser: AWSOperation {
    static let name = "AdminEnableUser"

    struct Request: Decodable, Sendable {
        var UserPoolId: String
        var Username: String
    }

    typealias Services = any ClientAccessService & EventLogService
    static func services(_ postern: Postern) -> Services { postern }

    static func handle(_ request: Request, call: Call, services: Services) async throws -> EmptyResponse {
        let (_, user) = try await services.adminUser(poolId: request.UserPoolId, username: request.Username)
        try await services.apply(.enable, to: user, context: AccountCommandContext(now: call.now), call: call)
        return EmptyResponse()
    }
}
