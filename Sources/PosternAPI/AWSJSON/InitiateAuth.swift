import Foundation
import PosternCore
import PosternCrypto
import PosternStore

/// InitiateAuth: the public sign-in entry point (USER_SRP_AUTH, USER_PASSWORD_AUTH, REFRESH_TOKEN_AUTH, CUSTOM_AUTH, USER_AUTH).
enum InitiateAuth: AWSOperation {
    static let name = "InitiateAuth"

    struct Request: Decodable, Sendable {
        var AuthFlow: String
        var AuthParameters: [String: String]?
        var ClientMetadata: [String: String]?
        var ClientId: String
        /// USER_AUTH: ConfirmSignUp's session signs the new user in.
        var Session: String?
    }

    typealias Services = any SignInService
    static func services(_ postern: Postern) -> Services { postern }

    static func handle(_ request: Request, call: Call, services: Services) async throws -> AuthResponse {
        let (client, pool) = try await services.publicClient(request.ClientId)
        let parameters = request.AuthParameters ?? [:]
        let flow = try AuthFlows.parse(request.AuthFlow, admin: false)
        try AuthFlows.requireEnabled(flow, wire: request.AuthFlow, client: client)
        switch flow {
        case .userPassword:
            return try await services.passwordSignIn(
                pool: pool, client: client, parameters: parameters, flow: flow, clientMetadata: request.ClientMetadata, call: call)
        case .userSRP:
            return try await services.srpSignIn(
                pool: pool, client: client, parameters: parameters, flow: flow, clientMetadata: request.ClientMetadata, call: call)
        case .userAuth:
            if let session = request.Session {
                return try await services.signInAfterSignUp(
                    pool: pool, client: client, parameters: parameters, session: session, clientMetadata: request.ClientMetadata, call: call)
            }
            return try await services.choiceSignIn(
                pool: pool, client: client, parameters: parameters, clientMetadata: request.ClientMetadata, call: call)
        case .refreshToken:
            return try await services.refreshSignIn(
                pool: pool, client: client, parameters: parameters, clientMetadata: request.ClientMetadata, call: call)
        case .custom:
            return try await services.customSignIn(
                pool: pool, client: client, parameters: parameters, flow: flow, clientMetadata: request.ClientMetadata, call: call)
        default:
            throw DomainError.invalidParameter("\(request.AuthFlow) is not supported by this server yet.")
        }
    }
}

/// Parsing and gating of `AuthFlow` values (spec/auth-flows.md §2).
enum AuthFlows {
    static func parse(_ wire: String, admin: Bool) throws -> AuthFlow {
        guard let flow = AuthFlow(wire: wire) else {
            throw DomainError.validation(
                "authFlow",
                "Member must satisfy enum value set: [USER_SRP_AUTH, REFRESH_TOKEN_AUTH, REFRESH_TOKEN, CUSTOM_AUTH, ADMIN_NO_SRP_AUTH, USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH, USER_AUTH]"
            )
        }
        if flow == .adminUserPassword, !admin { throw DomainError.invalidParameter("Initiate Auth method not supported.") }
        if flow == .userPassword, admin { throw DomainError.invalidParameter("Initiate Auth method not supported.") }
        return flow
    }

    static func requireEnabled(_ flow: AuthFlow, wire: String, client: ClientRecord) throws {
        if !client.settings.allows(flow) { throw DomainError.invalidParameter("\(wire) flow not enabled for this client") }
    }
}
