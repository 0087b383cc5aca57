import Foundation
import PosternStore
import PosternCore
import PosternCrypto

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

    /// Reset codes last an hour.
    static let codeValidity: TimeInterval = 3600

    static func handle(_ request: Request, call: Call, postern: Postern) async throws -> Response {
        try Validate.username(request.Username)
        let (client, pool) = try await postern.publicClient(request.ClientId)
        try postern.checkSecretHash(request.SecretHash, client: client, usernames: [request.Username])
        return try await postern.retrying {
            var found = try await postern.directory.user(pool: pool, login: request.Username)
            if found == nil {
                found = try await postern.migrateUser(
                    pool: pool, client: client, login: request.Username, password: nil, validationData: nil,
                    clientMetadata: request.ClientMetadata, call: call)
            }
            guard let user = found else {
                if client.settings.preventUserExistenceErrors {
                    return Response(CodeDeliveryDetails: CodeDeliveryDetails(medium: "EMAIL", attribute: "email", destination: request.Username))
                }
                throw DomainError.userNotFound
            }
            if !user.enabled { throw DomainError.notAuthorized("User is disabled.") }
            let (events, delivery) = try await postern.resetCodeEvents(
                user: user, pool: pool, context: MessageContext(clientId: client.id, clientMetadata: request.ClientMetadata, userStatus: user.status),
                call: call)
            try await postern.store.append(
                .init(stream: Stream.user(user.sub), expected: .exact(user.version), events: events),
                metadata: call.metadata(actor: user.sub.rawValue, clientId: client.id))
            return Response(CodeDeliveryDetails: delivery)
        }
    }
}

extension Postern {
    /// The code events of a password reset, sent to a verified contact only.
    func resetCodeEvents(user: UserRecord, pool: PoolRecord, context: MessageContext, call: Call) async throws -> ([NewEvent], CodeDeliveryDetails)
    {
        let verified = ["phone_number", "email"].filter { user.attributes["\($0)_verified"] == "true" && !(user.attributes[$0] ?? "").isEmpty }
        guard let key = try await dataKey(of: user.sub) else { throw DomainError.userNotFound }
        let (events, delivery) = try await codeEvents(
            for: (user.sub, user.username, user.attributes), pool: pool, purpose: "ForgotPassword", key: key, now: call.now,
            preferred: verified, validity: ForgotPassword.codeValidity, context: context)
        guard let delivery else {
            throw DomainError.invalidParameter("Cannot reset password for the user as there is no registered/verified email or phone_number")
        }
        return (events, delivery)
    }
}
