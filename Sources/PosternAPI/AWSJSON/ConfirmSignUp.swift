import Foundation
import PosternCore
import PosternCrypto
import PosternStore

/// ConfirmSignUp: the user proves the code sent at sign-up; the contact it went to becomes verified.
enum ConfirmSignUp: AWSOperation {
    static let name = "ConfirmSignUp"

    struct Request: Decodable, Sendable {
        var ClientId: String
        var Username: String
        var ConfirmationCode: String
        var SecretHash: String?
        var ForceAliasCreation: Bool?
        var ClientMetadata: [String: String]?
        var Session: String?
    }

    struct Response: Encodable, Sendable {
        /// With SignUp's session: InitiateAuth USER_AUTH takes it and signs the user in with the code just proved.
        var Session: String?
    }

    typealias Services = any SignInService
    static func services(_ postern: Postern) -> Services { postern }

    static func handle(_ request: Request, call: Call, services: Services) async throws -> Response {
        try Validate.username(request.Username)
        let (client, pool) = try await services.publicClient(request.ClientId)
        try services.checkSecretHash(request.SecretHash, client: client, usernames: [request.Username])
        guard request.ConfirmationCode.range(of: #"^[\S]+\z"#, options: .regularExpression) != nil, request.ConfirmationCode.count <= 2048 else {
            throw DomainError.validation("confirmationCode", "Member must satisfy regular expression pattern: [\\S]+")
        }
        let confirmed = try await services.retrying {
            guard let user = try await services.directory.user(pool: pool, login: request.Username) else {
                if client.settings.preventUserExistenceErrors { throw DomainError.codeMismatch }
                throw DomainError.userNotFound
            }
            let hides = client.settings.preventUserExistenceErrors
            try user.account.requireConfirmable(hidesUserExistence: hides)
            let proven = try await services.checkCode(request.ConfirmationCode, user: user, purpose: "SignUp", clientId: client.id, call: call)
            let events = try user.account.decide(
                .confirmSignUp(provedAttribute: proven),
                context: AccountCommandContext(
                    now: call.now, hidesUserExistence: hides, autoVerifiedAttributes: pool.settings.autoVerifiedAttributes,
                    contactsOnFile: user.contactsOnFile))
            var proved = user.attributes
            for case let confirmed as UserConfirmed in events {
                if let verified = confirmed.verifiedAttribute { proved["\(verified)_verified"] = "true" }
            }
            var batch = AppendBatch()
            batch.appends = try await services.aliasTransfers(
                pool: pool, sub: user.sub, attributes: proved, force: request.ForceAliasCreation ?? false)
            let stream = Stream.user(user.sub)
            batch.append(
                stream: stream, expected: .exact(user.version),
                events: events.map { NewEvent(streamID: stream, $0) })
            try await services.commit(batch, metadata: call.metadata(actor: user.sub.rawValue, clientId: client.id))
            return user.sub
        }
        if let user = try await services.directory.user(sub: confirmed.rawValue) {
            try await services.triggers.postConfirmation(
                pool: pool, user: user, clientId: client.id, clientMetadata: request.ClientMetadata, call: call, log: services)
        }
        // SignUp's session for this user and client carries on into a sign-in; any other is ignored.
        guard let given = request.Session, client.settings.allows(.userAuth), let opened = try? services.openSession(given, now: call.now),
            opened.challenge == "SIGN_UP", opened.sub == confirmed.rawValue, opened.clientId == client.id.rawValue
        else { return Response() }
        return Response(Session: try services.signUpSession(pool: pool, client: client, sub: confirmed, stage: "SIGN_UP_CONFIRMED", call: call))
    }
}
