import Foundation
import PosternCore
import PosternCrypto
import PosternStore

/// AdminResetUserPassword: invalidates the user's password (RESET_REQUIRED: sign-in answers
/// PasswordResetRequiredException) and sends a reset code (CustomMessage_ForgotPassword).
enum AdminResetUserPassword: AWSOperation {
    static let name = "AdminResetUserPassword"

    struct Request: Decodable, Sendable {
        var UserPoolId: String
        var Username: String
        var ClientMetadata: [String: String]?
    }

    typealias Services = any ClientAccessService & OneTimeCodeService
    static func services(_ postern: Postern) -> Services { postern }

    static func handle(_ request: Request, call: Call, services: Services) async throws -> EmptyResponse {
        let (pool, user) = try await services.adminUser(poolId: request.UserPoolId, username: request.Username)
        let (events, _) = try await services.resetCodeEvents(
            user: user, pool: pool, context: MessageContext(clientMetadata: request.ClientMetadata, userStatus: .resetRequired), call: call)
        let stream = Stream.user(user.sub)
        try await services.commit(
            .init(
                stream: stream, expected: .exact(user.version),
                events: try user.account.decide(.requirePasswordReset, context: AccountCommandContext(now: call.now)).map {
                    NewEvent(streamID: stream, $0)
                } + events,
                sealingKey: user.sealingKey),
            metadata: call.metadata())
        return EmptyResponse()
    }
}
