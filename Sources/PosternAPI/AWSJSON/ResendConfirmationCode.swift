import Foundation
import PosternStore
import PosternCore
import PosternCrypto

/// ResendConfirmationCode: a fresh sign-up code; the previous one stops working.
enum ResendConfirmationCode: AWSOperation {
    static let name = "ResendConfirmationCode"

    struct Request: Decodable, Sendable {
        var ClientId: String
        var Username: String
        var SecretHash: String?
        var ClientMetadata: [String: String]?
    }

    struct Response: Encodable, Sendable { var CodeDeliveryDetails: CodeDeliveryDetails? }

    static func handle(_ request: Request, call: Call, postern: Postern) async throws -> Response {
        let (client, pool) = try await postern.publicClient(request.ClientId)
        try postern.checkSecretHash(request.SecretHash, client: client, usernames: [request.Username])
        return try await postern.retrying {
            guard let user = try await postern.directory.user(pool: pool, login: request.Username) else {
                if client.settings.preventUserExistenceErrors {
                    return Response(CodeDeliveryDetails: CodeDeliveryDetails(medium: "EMAIL", attribute: "email", destination: request.Username))
                }
                throw DomainError.userNotFound
            }
            if user.status != .unconfirmed { throw DomainError.invalidParameter("User is already confirmed.") }
            guard let key = try await postern.dataKey(of: user.sub) else { throw DomainError.userNotFound }
            let (events, delivery) = try await postern.codeEvents(
                for: (user.sub, user.username, user.attributes), pool: pool, purpose: "SignUp", kind: "ResendCode", key: key, now: call.now,
                context: MessageContext(clientId: client.id, clientMetadata: request.ClientMetadata, userStatus: user.status))
            guard let delivery else {
                throw DomainError.invalidParameter("Cannot resend codes. Auto verification not turned on.")
            }
            let stream = Stream.user(user.sub)
            try await postern.store.append(
                .init(stream: stream, expected: .exact(user.version), events: events),
                metadata: call.metadata(actor: user.sub.rawValue, clientId: client.id))
            return Response(CodeDeliveryDetails: delivery)
        }
    }
}
