import Foundation
import PosternCore
import PosternCrypto
import PosternStore

/// ForgotPassword: sends a code for resetting the password to the user's verified email or phone
/// (CustomMessage_ForgotPassword). A user the pool does not know may be migrated first
/// (UserMigration_ForgotPassword).
enum ForgotPassword: AWSOperation {
    static let name = "ForgotPassword"

    struct Request: Decodable, Sendable {
        var ClientId: String
        var Username: String
        var SecretHash: String?
        var ClientMetadata: [String: String]?
    }

    struct Response: Encodable, Sendable { var CodeDeliveryDetails: CodeDeliveryDetails? }

    static let noVerifiedContact = "Cannot reset password for the user as there is no registered/verified email or phone_number"

    /// Reset codes last an hour.
    static let codeValidity: TimeInterval = 3600

    typealias Services = any ClientAccessService & OneTimeCodeService & UserExistenceService & UserMigrationService
    static func services(_ postern: Postern) -> Services { postern }

    static func handle(_ request: Request, call: Call, services: Services) async throws -> Response {
        try Validate.username(request.Username)
        let (client, pool) = try await services.publicClient(request.ClientId)
        try services.checkSecretHash(request.SecretHash, client: client, usernames: [request.Username])
        try await services.countCodeRequest(call: call)
        var found = try await services.directory.user(pool: pool, login: request.Username)
        if found == nil {
            found = try await services.migrateUser(
                pool: pool, client: client, login: request.Username, password: nil, validationData: nil,
                clientMetadata: request.ClientMetadata, call: call)
        }
        let hidesExistence = client.settings.preventUserExistenceErrors
        func hidden(_ user: UserRecord?, _ reason: String) async throws -> Response {
            Response(
                CodeDeliveryDetails: try await services.hiddenCodeDelivery(
                    login: request.Username, pool: pool, client: client, user: user, purpose: "ForgotPassword", reason: reason, call: call))
        }
        guard let user = found else {
            if hidesExistence { return try await hidden(nil, "user_not_found") }
            throw DomainError.userNotFound
        }
        let pending = try await services.directory.confirmationCode(sub: user.sub, purpose: CodeRequest.passwordReset.purpose)
        if case .refuse(let error, let hiddenAs) = user.account.decide(.passwordReset, pending: pending?.counters, now: call.now) {
            if hidesExistence, let hiddenAs { return try await hidden(user, hiddenAs) }
            throw error
        }
        let events: [NewEvent], delivery: CodeDeliveryDetails
        do {
            (events, delivery) = try await services.resetCodeEvents(
                user: user, pool: pool,
                context: MessageContext(clientId: client.id, clientMetadata: request.ClientMetadata, userStatus: user.status), call: call)
        } catch DomainError.invalidParameter(let message) where hidesExistence && message == ForgotPassword.noVerifiedContact {
            return try await hidden(user, "no_verified_contact")
        }
        try await services.commit(
            .init(stream: Stream.user(user.sub), expected: .exact(user.version), events: events, sealingKey: user.sealingKey),
            metadata: call.metadata(actor: user.sub.rawValue, clientId: client.id))
        return Response(CodeDeliveryDetails: delivery)
    }
}

extension OneTimeCodeService {
    /// The code events of a password reset, sent to a verified contact only.
    func resetCodeEvents(user: UserRecord, pool: PoolRecord, context: MessageContext, call: Call) async throws -> ([NewEvent], CodeDeliveryDetails) {
        let verified = ["phone_number", "email"].filter { user.attributes["\($0)_verified"] == "true" && !(user.attributes[$0] ?? "").isEmpty }
        guard user.wrappedDataKey != nil else { throw DomainError.userNotFound }
        let (events, delivery) = try await codeEvents(
            for: (user.sub, user.username, user.attributes), pool: pool, purpose: "ForgotPassword", now: call.now,
            preferred: verified, validity: ForgotPassword.codeValidity, context: context)
        guard let delivery else {
            throw DomainError.invalidParameter(ForgotPassword.noVerifiedContact)
        }
        return (events, delivery)
    }
}
