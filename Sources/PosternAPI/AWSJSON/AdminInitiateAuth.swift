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

    static func handle(_ request: Request, call: Call, postern: Postern) async throws -> AuthResponse {
        try Validate.userPoolId(request.UserPoolId)
        let client = try await DescribeUserPoolClient.load(poolId: request.UserPoolId, clientId: request.ClientId, postern: postern)
        let pool = try await postern.directory.pool(request.UserPoolId)
        let parameters = request.AuthParameters ?? [:]
        let flow = try AuthFlows.parse(request.AuthFlow, admin: true)
        try AuthFlows.requireEnabled(flow, wire: request.AuthFlow, client: client)
        switch flow {
        case .adminUserPassword:
            return try await postern.passwordSignIn(
                pool: pool, client: client, parameters: parameters, flow: flow, clientMetadata: request.ClientMetadata, call: call)
        case .userSRP:
            return try await postern.srpSignIn(
                pool: pool, client: client, parameters: parameters, flow: flow, clientMetadata: request.ClientMetadata, call: call)
        case .userAuth:
            return try await postern.choiceSignIn(
                pool: pool, client: client, parameters: parameters, clientMetadata: request.ClientMetadata, call: call)
        case .refreshToken:
            return try await postern.refreshSignIn(
                pool: pool, client: client, parameters: parameters, clientMetadata: request.ClientMetadata, call: call)
        case .custom:
            return try await postern.customSignIn(
                pool: pool, client: client, parameters: parameters, flow: flow, clientMetadata: request.ClientMetadata, call: call)
        default:
            throw DomainError.invalidParameter("\(request.AuthFlow) is not supported by this server yet.")
        }
    }
}
