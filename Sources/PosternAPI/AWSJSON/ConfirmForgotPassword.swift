import Foundation
import PosternCore
import PosternCrypto
import PosternStore

/// ConfirmForgotPassword: the code from ForgotPassword and a new password; then
/// PostConfirmation_ConfirmForgotPassword.
enum ConfirmForgotPassword: AWSOperation {
    static let name = "ConfirmForgotPassword"

    struct Request: Decodable, Sendable {
        var ClientId: String
        var Username: String
        var ConfirmationCode: String
        var Password: String
        var SecretHash: String?
        var ClientMetadata: [String: String]?
    }

    typealias Services = any ClientAccessService & OneTimeCodeService & PasswordService
    static func services(_ postern: Postern) -> Services { postern }

    static func handle(_ request: Request, call: Call, services: Services) async throws -> EmptyResponse {
        try Validate.username(request.Username)
        let (client, pool) = try await services.publicClient(request.ClientId)
        try services.checkSecretHash(request.SecretHash, client: client, usernames: [request.Username])
        guard request.ConfirmationCode.range(of: #"^[\S]+\z"#, options: .regularExpression) != nil, request.ConfirmationCode.count <= 2048 else {
            throw DomainError.validation("confirmationCode", "Member must satisfy regular expression pattern: [\\S]+")
        }
        try pool.settings.passwordPolicy.validate(request.Password)
        let reset = try await services.retrying {
            guard let user = try await services.directory.user(pool: pool, login: request.Username) else {
                if client.settings.preventUserExistenceErrors { throw DomainError.codeMismatch }
                throw DomainError.userNotFound
            }
            let hides = client.settings.preventUserExistenceErrors
            try user.account.requirePasswordResettable(hidesUserExistence: hides)
            try await services.checkCode(request.ConfirmationCode, user: user, purpose: "ForgotPassword", clientId: client.id, call: call)
            guard user.wrappedDataKey != nil else { throw DomainError.userNotFound }
            let verifier = services.newVerifier(password: request.Password, pool: pool, username: user.username)
            try await services.apply(
                .resetForgottenPassword(verifier), to: user, context: AccountCommandContext(now: call.now, hidesUserExistence: hides), call: call,
                actor: user.sub.rawValue, clientId: client.id)
            return user.sub
        }
        if let user = try await services.directory.user(sub: reset.rawValue) {
            try await services.triggers.postConfirmation(
                source: "PostConfirmation_ConfirmForgotPassword", pool: pool, user: user, clientId: client.id,
                clientMetadata: request.ClientMetadata, call: call, log: services)
        }
        return EmptyResponse()
    }
}
