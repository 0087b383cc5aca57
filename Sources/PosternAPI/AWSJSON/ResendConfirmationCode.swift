import Foundation
import PosternCore
import PosternCrypto
import PosternStore

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

    static let noAutoVerification = "Cannot resend codes. Auto verification not turned on."

    typealias Services = any ClientAccessService & OneTimeCodeService & UserExistenceService
    static func services(_ postern: Postern) -> Services { postern }

    static func handle(_ request: Request, call: Call, services: Services) async throws -> Response {
        try Validate.username(request.Username)
        let (client, pool) = try await services.publicClient(request.ClientId)
        try services.checkSecretHash(request.SecretHash, client: client, usernames: [request.Username])
        try await services.countCodeRequest(call: call)
        let hidesExistence = client.settings.preventUserExistenceErrors
        // A pool that sends no codes says so to everyone, known or not.
        if pool.settings.autoVerifiedAttributes.isEmpty { throw DomainError.invalidParameter(Self.noAutoVerification) }
        func hidden(_ user: UserRecord?, _ reason: String) async throws -> Response {
            Response(
                CodeDeliveryDetails: try await services.hiddenCodeDelivery(
                    login: request.Username, pool: pool, client: client, user: user, purpose: "SignUp", reason: reason, call: call))
        }
        guard let user = try await services.directory.user(pool: pool, login: request.Username) else {
            if hidesExistence { return try await hidden(nil, "user_not_found") }
            throw DomainError.userNotFound
        }
        let pending = try await services.directory.confirmationCode(sub: user.sub, purpose: CodeRequest.signUp.purpose)
        if case .refuse(let error, let hiddenAs) = user.account.decide(.signUp, pending: pending?.counters, now: call.now) {
            if hidesExistence, let hiddenAs { return try await hidden(user, hiddenAs) }
            throw error
        }
        guard user.wrappedDataKey != nil else { throw DomainError.userNotFound }
        let (events, delivery) = try await services.codeEvents(
            for: (user.sub, user.username, user.attributes), pool: pool, purpose: "SignUp", kind: "ResendCode", now: call.now,
            context: MessageContext(clientId: client.id, clientMetadata: request.ClientMetadata, userStatus: user.status))
        guard let delivery else {
            if hidesExistence { return try await hidden(user, "no_verified_contact") }
            throw DomainError.invalidParameter(Self.noAutoVerification)
        }
        let stream = Stream.user(user.sub)
        try await services.commit(
            .init(stream: stream, expected: .exact(user.version), events: events, sealingKey: user.sealingKey),
            metadata: call.metadata(actor: user.sub.rawValue, clientId: client.id))
        return Response(CodeDeliveryDetails: delivery)
    }
}
