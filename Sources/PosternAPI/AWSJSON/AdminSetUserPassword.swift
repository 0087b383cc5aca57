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

    static func handle(_ request: Request, call: Call, postern: Postern) async throws -> EmptyResponse {
        let (pool, user) = try await postern.adminUser(poolId: request.UserPoolId, username: request.Username)
        try pool.settings.passwordPolicy.validate(request.Password)
        guard user.wrappedDataKey != nil else { throw DomainError.userNotFound }
        let verifier = postern.newVerifier(password: request.Password, pool: pool, username: user.username)
        try await postern.apply(
            .setPassword(verifier, permanent: request.Permanent ?? false), to: user, context: AccountCommandContext(now: call.now), call: call)
        return EmptyResponse()
    }
}
