import Foundation
import PosternCore
import PosternCrypto
import PosternStore

/// AdminCreateUser: an administrator creates a user with a temporary password (FORCE_CHANGE_PASSWORD)
/// and, unless suppressed, sends the invitation.
enum AdminCreateUser: AWSOperation {
    static let name = "AdminCreateUser"

    struct Request: Decodable, Sendable {
        var UserPoolId: String
        var Username: String
        var UserAttributes: [AttributeType]?
        var ValidationData: [AttributeType]?
        var TemporaryPassword: String?
        var ForceAliasCreation: Bool?
        var MessageAction: String?
        var DesiredDeliveryMediums: [String]?
        var ClientMetadata: [String: String]?
    }

    struct Response: Encodable, Sendable { var User: UserType }

    typealias Services = any AliasService & ClientAccessService & EventLogService & MessageService & PasswordService
    static func services(_ postern: Postern) -> Services { postern }

    static func handle(_ request: Request, call: Call, services: Services) async throws -> Response {
        try Validate.userPoolId(request.UserPoolId)
        try Validate.username(request.Username)
        if let action = request.MessageAction, !["RESEND", "SUPPRESS"].contains(action) {
            throw DomainError.validation("messageAction", "Member must satisfy enum value set: [RESEND, SUPPRESS]")
        }
        for medium in request.DesiredDeliveryMediums ?? [] where !["SMS", "EMAIL"].contains(medium) {
            throw DomainError.validation("desiredDeliveryMediums", "Member must satisfy enum value set: [SMS, EMAIL]")
        }
        let pool = try await services.directory.pool(request.UserPoolId)
        let policy = pool.settings.passwordPolicy
        if let given = request.TemporaryPassword { try policy.validate(given) }
        let password = request.TemporaryPassword ?? TemporaryPassword.generate(for: policy)
        let mediums = (request.DesiredDeliveryMediums ?? ["SMS"]).map { $0 == "EMAIL" ? "email" : "phone_number" }

        if request.MessageAction == "RESEND" {
            return try await resend(request, pool: pool, password: password, mediums: mediums, call: call, services: services)
        }
        let registration = try UserRegistration(
            pool: pool, requestedUsername: request.Username, attributes: request.UserAttributes ?? [], writer: .admin)
        let hook = try await services.triggers.preSignUp(
            source: "PreSignUp_AdminCreateUser", pool: pool, userName: registration.username, clientId: nil,
            attributes: registration.attributes, validationData: request.ValidationData, clientMetadata: request.ClientMetadata)
        let sub = registration.sub
        let stream = Stream.user(sub)
        let registered = registration.registered(
            poolId: pool.id, origin: "AdminCreateUser",
            verifier: services.newVerifier(password: password, pool: pool, username: registration.username),
            status: .forceChangePassword, clientId: nil, preSignUp: hook?.record)
        var events = [NewEvent(streamID: stream, registered)]
        if request.MessageAction != "SUPPRESS" {
            events += try await invitation(
                sub: sub, username: registration.username, attributes: registration.attributes, pool: pool, password: password,
                mediums: mediums, clientMetadata: request.ClientMetadata, call: call, services: services)
        }
        var batch = AppendBatch()
        batch.appends = try await services.aliasTransfers(
            pool: pool, sub: sub, attributes: registration.attributes, force: request.ForceAliasCreation ?? false)
        batch.append(stream: stream, expected: .noStream, events: events, sealingKey: .new)
        do {
            try await services.commit(batch, metadata: call.metadata())
        } catch {
            if error == .uniqueValueTaken(constraint: "users_username_unique") {
                throw DomainError.usernameExists("User account already exists")
            }
            throw error
        }
        guard let user = try await services.directory.user(sub: sub.rawValue) else { throw DomainError.userNotFound }
        return Response(User: UserType(user))
    }

    /// The invitation: a message carrying the temporary password, which is otherwise kept only as a verifier.
    static func invitation(
        sub: Sub, username: String, attributes: [String: String], pool: PoolRecord, password: String, mediums: [String],
        clientMetadata: [String: String]?, call: Call, services: Services
    ) async throws -> [NewEvent] {
        let message = try await services.messageEvent(
            for: (sub, username, attributes), pool: pool, template: "AdminCreateUser", kind: "AdminCreateUser", preferred: mediums,
            code: password, context: MessageContext(clientMetadata: clientMetadata, userStatus: .forceChangePassword))
        return message.map { [$0.event] } ?? []
    }

    /// `MessageAction=RESEND`: a new temporary password for a user still in FORCE_CHANGE_PASSWORD.
    static func resend(_ request: Request, pool: PoolRecord, password: String, mediums: [String], call: Call, services: Services)
        async throws -> Response
    {
        try await services.retrying {
            let user = try await services.requireUser(pool: pool, login: request.Username, client: nil)
            guard user.status == .forceChangePassword else {
                throw DomainError.unsupportedOperation("Resend not possible. \(user.username) status is not FORCE_CHANGE_PASSWORD.")
            }
            guard user.wrappedDataKey != nil else { throw DomainError.userNotFound }
            let changed = PasswordChanged(
                sealedVerifier: .plaintext(services.newVerifier(password: password, pool: pool, username: user.username)),
                status: .forceChangePassword, reason: "admin_resend")
            let stream = Stream.user(user.sub)
            let events =
                [NewEvent(streamID: stream, changed)]
                + (try await invitation(
                    sub: user.sub, username: user.username, attributes: user.attributes, pool: pool, password: password, mediums: mediums,
                    clientMetadata: request.ClientMetadata, call: call, services: services))
            try await services.commit(
                .init(stream: stream, expected: .exact(user.version), events: events, sealingKey: user.sealingKey), metadata: call.metadata())
            guard let updated = try await services.directory.user(sub: user.sub.rawValue) else { throw DomainError.userNotFound }
            return Response(User: UserType(updated))
        }
    }
}

/// Temporary passwords that satisfy the pool's policy.
enum TemporaryPassword {
    static func generate(for policy: PasswordPolicy) -> String {
        let lower = "abcdefghijkmnopqrstuvwxyz", upper = "ABCDEFGHJKLMNPQRSTUVWXYZ", digits = "23456789", symbols = "^$*.!@#%&-_=+"
        var characters = Array(
            Random.string(1, alphabet: lower) + Random.string(1, alphabet: upper) + Random.string(1, alphabet: digits)
                + Random.string(1, alphabet: symbols))
        characters += Array(Random.string(max(policy.minimumLength, 12) - characters.count, alphabet: lower + upper + digits))
        var generator = SystemRandomNumberGenerator()
        return String(characters.shuffled(using: &generator))
    }
}
