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
    }

    static func handle(_ request: Request, call: Call, postern: Postern) async throws -> Response {
        try Validate.username(request.Username)
        let (client, pool) = try await postern.publicClient(request.ClientId)
        try postern.checkSecretHash(request.SecretHash, client: client, usernames: [request.Username])
        if pool.settings.allowAdminCreateUserOnly {
            throw DomainError.notAuthorized("SignUp is not permitted for this user pool")
        }
        guard let password = request.Password else {
            throw DomainError.invalidParameter(
                "1 validation error detected: Value null at 'password' failed to satisfy constraint: Member must not be null")
        }
        let registration = try Registration(
            pool: pool, requestedUsername: request.Username, attributes: request.UserAttributes ?? [],
            writer: .client(client.settings.attributePermissions))
        try pool.settings.passwordPolicy.validate(password)
        let hook = try await postern.triggers.preSignUp(
            source: "PreSignUp_SignUp", pool: pool, userName: registration.username, clientId: client.id, attributes: registration.attributes,
            validationData: request.ValidationData, clientMetadata: request.ClientMetadata)
        var attributes = registration.attributes
        for (flag, attribute) in [(hook?.autoVerifyEmail, "email"), (hook?.autoVerifyPhone, "phone_number")] where flag == true {
            guard attributes[attribute] != nil else {
                throw DomainError.invalidParameter("PreSignUp asked to verify \(attribute), but the user has none.")
            }
            attributes["\(attribute)_verified"] = "true"
        }
        let confirmed = hook?.autoConfirm == true
        let sub = registration.sub
        let stream = Stream.user(sub)
        let registered = UserRegistered(
            poolId: pool.id, sub: sub, origin: "SignUp",
            sealedProfile: .plaintext(UserProfile(username: registration.username, attributes: attributes)),
            sealedVerifier: postern.newVerifier(password: password, pool: pool, username: registration.username),
            status: confirmed ? .confirmed : .unconfirmed, clientId: client.id, preSignUp: hook?.record)
        // An auto-confirmed user needs no code.
        let (codeEvents, delivery) =
            confirmed
            ? ([], nil)
            : try await postern.codeEvents(
                for: (sub, registration.username, attributes), pool: pool, purpose: "SignUp", now: call.now,
                context: MessageContext(clientId: client.id, clientMetadata: request.ClientMetadata, userStatus: .unconfirmed))
        let batch = AppendBatch(stream: stream, expected: .noStream, events: [NewEvent(streamID: stream, registered)] + codeEvents, sealingKey: .new)
        try await postern.commit(batch, metadata: call.metadata(actor: sub.rawValue, clientId: client.id))
        return Response(UserConfirmed: confirmed, CodeDeliveryDetails: delivery, UserSub: sub.rawValue)
    }
}

/// The identity of a new user: sub, internal username and validated attributes.
///
/// In pools with `UsernameAttributes` the caller's username is an email or phone number that becomes an
/// attribute, and the internal username is the sub (as Cognito does).
struct Registration {
    var sub: Sub
    var username: String
    var attributes: [String: String]

    init(pool: PoolRecord, requestedUsername: String, attributes: [AttributeType], writer: AttributeValidator.Writer) throws {
        sub = Sub(UUID().uuidString.lowercased())
        var attributes = try AttributeValidator(pool: pool).validate(attributes, writer: writer, requireAll: false)
        let usernameAttributes = pool.settings.usernameAttributes
        if usernameAttributes.isEmpty {
            if let conflict = pool.settings.usernameConflict(
                requestedUsername, isEmail: AttributeValidator.isEmail(requestedUsername),
                isPhoneNumber: AttributeValidator.isPhoneNumber(requestedUsername))
            {
                throw conflict
            }
            username = requestedUsername
        } else {
            if usernameAttributes.contains("email"), AttributeValidator.isEmail(requestedUsername) {
                attributes["email"] = requestedUsername
            } else if usernameAttributes.contains("phone_number"), AttributeValidator.isPhoneNumber(requestedUsername) {
                attributes["phone_number"] = requestedUsername
            } else {
                throw DomainError.invalidParameter(
                    usernameAttributes.contains("phone_number") && usernameAttributes.contains("email")
                        ? "Username should be either an email or a phone number."
                        : usernameAttributes.contains("email") ? "Username should be an email." : "Username should be a phone number.")
            }
            username = sub.rawValue
        }
        self.attributes = try AttributeValidator(pool: pool).validate(
            attributes.map { AttributeType(Name: $0.key, Value: $0.value) }, writer: .admin, requireAll: true)
    }
}
