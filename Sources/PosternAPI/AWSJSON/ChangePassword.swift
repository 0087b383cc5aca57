import Foundation
import PosternCore
import PosternCrypto
import PosternStore

/// ChangePassword: the signed-in user replaces their password, proving the previous one.
///
/// A wrong previous password is a failed attempt like a sign-in's (`SignInFailed`, counted toward the
/// lockout). Cognito leaves the user's other sessions signed in, so no token is revoked.
enum ChangePassword: AWSOperation {
    static let name = "ChangePassword"

    struct Request: Decodable, Sendable {
        /// Required when the user has a password (the botocore model allows omitting it for passwordless users).
        var PreviousPassword: String?
        var ProposedPassword: String
        var AccessToken: String
    }

    typealias Services = any EventLogService & PasswordService
    static func services(_ postern: Postern) -> Services { postern }

    static func handle(_ request: Request, call: Call, services: Services) async throws -> EmptyResponse {
        let identity = try call.signedIn()
        let (pool, user, clientId) = (identity.pool, identity.user, identity.client.id)
        try user.account.requirePasswordChangeable()
        guard user.wrappedDataKey != nil else { throw DomainError.userNotFound }
        if user.sealedVerifier != nil {
            guard let previous = request.PreviousPassword else {
                throw DomainError.invalidParameter(
                    "1 validation error detected: Value null at 'previousPassword' failed to satisfy constraint: Member must not be null")
            }
            let matches = try await services.verifier(of: user)?.matches(password: previous, poolName: pool.id.poolName, userID: user.username)
            if let refusal = user.account.previousPasswordRefusal(matches: matches == true, now: call.now) {
                try await services.appendToUser(
                    user, [refusal.event(flow: name, clientId: clientId, poolId: pool.id)], call: call, actor: user.sub.rawValue, clientId: clientId)
                throw refusal.error
            }
        }
        try pool.settings.passwordPolicy.validate(request.ProposedPassword)
        let verifier = services.newVerifier(password: request.ProposedPassword, pool: pool, username: user.username)
        try await services.apply(
            .changePassword(verifier), to: user, context: AccountCommandContext(now: call.now), call: call, actor: user.sub.rawValue,
            clientId: clientId)
        return EmptyResponse()
    }
}
