import Foundation
import PosternCore
import PosternCrypto
import PosternStore

/// AdminSetUserPassword: a permanent password confirms the user; a temporary one forces a change.
enum AdminSetUserPassword: AWSOperation {
    static let name = "AdminSetUserPassword"

    struct Request: Decodable, Sendable {
        var UserPoolId: String
        var Username: String
        var Password: String
        var Permanent: Bool?
    }

    typealias Services = any ClientAccessService & EventLogService & PasswordService
    static func services(_ postern: Postern) -> Services { postern }

    static func handle(_ request: Request, call: Call, services: Services) async throws -> EmptyResponse {
        let (pool, user) = try await services.adminUser(poolId: request.UserPoolId, username: request.Username)
        try pool.settings.passwordPolicy.validate(request.Password)
        guard user.wrappedDataKey != nil else { throw DomainError.userNotFound }
        let verifier = services.newVerifier(password: request.Password, pool: pool, username: user.username)
        try await services.apply(
            .setPassword(verifier, permanent: request.Permanent ?? false), to: user, context: AccountCommandContext(now: call.now), call: call)
        return EmptyResponse()
    }
}
