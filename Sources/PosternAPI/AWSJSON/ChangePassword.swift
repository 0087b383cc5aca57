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
        let policy = pool.settings.passwordPolicy
        try policy.validate(request.ProposedPassword)
        try await services.requireNotRecent(request.ProposedPassword, user: user, pool: pool, size: policy.passwordHistorySize)
        let verifier = services.newVerifier(password: request.ProposedPassword, pool: pool, username: user.username)
        try await services.apply(
            .changePassword(verifier), to: user, context: AccountCommandContext(now: call.now), call: call, actor: user.sub.rawValue,
            clientId: clientId)
        return EmptyResponse()
    }
}

extension PasswordService where Self: EventLogService {
    /// PasswordHistoryPolicyViolationException when `password` is one of the user's last `size` passwords
    /// (`PasswordHistory`, read from the user's stream and opened with their key).
    func requireNotRecent(_ password: String, user: UserRecord, pool: PoolRecord, size: Int) async throws {
        guard size > 0, let key = try dataKey(of: user) else { return }
        let events: [any EventPayload] = try await store.readStream(Stream.user(user.sub)).compactMap { recorded in
            switch recorded.type {
            case UserRegistered.eventType: try recorded.payload(as: UserRegistered.self)
            case PasswordChanged.eventType: try recorded.payload(as: PasswordChanged.self)
            default: nil
            }
        }
        for sealed in PasswordHistory.recentVerifiers(events, size: size) {
            guard let ciphertext = sealed.ciphertext else { continue }
            let verifier = try key.open(ciphertext, as: PasswordVerifier.self)
            if verifier.matches(password: password, poolName: pool.id.poolName, userID: user.username) {
                throw DomainError.passwordHistoryPolicyViolation
            }
        }
    }
}
