import Foundation
import PosternCore
import PosternCrypto
import PosternStore

/// SignUp: self-service registration through an app client.
enum SignUp: AWSOperation {
    static let name = "SignUp"

    struct Request: Decodable, Sendable {
        var ClientId: String
        var Username: String
        var Password: String?
        var SecretHash: String?
        var UserAttributes: [AttributeType]?
        var ValidationData: [AttributeType]?
        var ClientMetadata: [String: String]?
    }

    struct Response: Encodable, Sendable {
        var UserConfirmed: Bool
        var CodeDeliveryDetails: CodeDeliveryDetails?
        var UserSub: String
        /// For ConfirmSignUp, when the client signs in with USER_AUTH: confirming then signs the user in.
        var Session: String?
    }

    typealias Services = any SignInService
    static func services(_ postern: Postern) -> Services { postern }

    static func handle(_ request: Request, call: Call, services: Services) async throws -> Response {
        try Validate.username(request.Username)
        let (client, pool) = try await services.publicClient(request.ClientId)
        try services.checkSecretHash(request.SecretHash, client: client, usernames: [request.Username])
        if pool.settings.allowAdminCreateUserOnly {
            throw DomainError.notAuthorized("SignUp is not permitted for this user pool")
        }
        guard let password = request.Password else {
            throw DomainError.invalidParameter(
                "1 validation error detected: Value null at 'password' failed to satisfy constraint: Member must not be null")
        }
        var registration = try UserRegistration(
            pool: pool, requestedUsername: request.Username, attributes: request.UserAttributes ?? [],
            writer: .client(client.settings.attributePermissions))
        try pool.settings.passwordPolicy.validate(password)
        let hook = try await services.triggers.preSignUp(
            source: "PreSignUp_SignUp", pool: pool, userName: registration.username, clientId: client.id, attributes: registration.attributes,
            validationData: request.ValidationData, clientMetadata: request.ClientMetadata)
        try registration.verify(email: hook?.autoVerifyEmail == true, phoneNumber: hook?.autoVerifyPhone == true)
        let attributes = registration.attributes
        let confirmed = hook?.autoConfirm == true
        let sub = registration.sub
        let stream = Stream.user(sub)
        let registered = registration.registered(
            poolId: pool.id, origin: "SignUp", verifier: services.newVerifier(password: password, pool: pool, username: registration.username),
            status: confirmed ? .confirmed : .unconfirmed, clientId: client.id, preSignUp: hook?.record)
        // An auto-confirmed user needs no code.
        let (codeEvents, delivery) =
            confirmed
            ? ([], nil)
            : try await services.codeEvents(
                for: (sub, registration.username, attributes), pool: pool, purpose: "SignUp", now: call.now,
                context: MessageContext(clientId: client.id, clientMetadata: request.ClientMetadata, userStatus: .unconfirmed))
        let batch = AppendBatch(stream: stream, expected: .noStream, events: [NewEvent(streamID: stream, registered)] + codeEvents, sealingKey: .new)
        try await services.commit(batch, metadata: call.metadata(actor: sub.rawValue, clientId: client.id))
        let session =
            try client.settings.allows(.userAuth) ? services.signUpSession(pool: pool, client: client, sub: sub, stage: "SIGN_UP", call: call) : nil
        return Response(UserConfirmed: confirmed, CodeDeliveryDetails: delivery, UserSub: sub.rawValue, Session: session)
    }
}

extension UserRegistration {
    /// A registration with a fresh sub, from the wire's attributes.
    init(pool: PoolRecord, requestedUsername: String, attributes: [AttributeType], writer: AttributeValidator.Writer) throws {
        try self.init(
            settings: pool.settings, sub: Sub(UUID().uuidString.lowercased()), requestedUsername: requestedUsername,
            attributes: attributes.map(UserAttribute.init), writer: writer)
    }
}
