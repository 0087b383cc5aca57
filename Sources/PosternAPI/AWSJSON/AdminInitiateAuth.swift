import Foundation
import PosternCore
import PosternCrypto
import PosternStore

/// AdminInitiateAuth: server-side sign-in (USER_SRP_AUTH, ADMIN_USER_PASSWORD_AUTH, REFRESH_TOKEN_AUTH, CUSTOM_AUTH, USER_AUTH).
enum AdminInitiateAuth: AWSOperation {
    static let name = "AdminInitiateAuth"

    struct Request: Decodable, Sendable {
        var UserPoolId: String
        var ClientId: String
        var AuthFlow: String
        var AuthParameters: [String: String]?
        var ClientMetadata: [String: String]?
    }

    typealias Services = any SignInService
    static func services(_ postern: Postern) -> Services { postern }

    static func handle(_ request: Request, call: Call, services: Services) async throws -> AuthResponse {
        try Validate.userPoolId(request.UserPoolId)
        let client = try await DescribeUserPoolClient.load(poolId: request.UserPoolId, clientId: request.ClientId, directory: services.directory)
        let pool = try await services.directory.pool(request.UserPoolId)
        let parameters = request.AuthParameters ?? [:]
        let flow = try AuthFlows.parse(request.AuthFlow, admin: true)
        try AuthFlows.requireEnabled(flow, wire: request.AuthFlow, client: client)
        switch flow {
        case .adminUserPassword:
            return try await services.passwordSignIn(
                pool: pool, client: client, parameters: parameters, flow: flow, clientMetadata: request.ClientMetadata, call: call)
        case .userSRP:
            return try await services.srpSignIn(
                pool: pool, client: client, parameters: parameters, flow: flow, clientMetadata: request.ClientMetadata, call: call)
        case .userAuth:
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
