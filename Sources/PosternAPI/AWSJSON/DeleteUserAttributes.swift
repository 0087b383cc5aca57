import Foundation
import PosternCore
import PosternCrypto
import PosternStore

/// DeleteUserAttributes: the signed-in user removes attributes the app client may write.
enum DeleteUserAttributes: AWSOperation {
    static let name = "DeleteUserAttributes"

    struct Request: Decodable, Sendable {
        var AccessToken: String
        var UserAttributeNames: [String]
    }

    typealias Services = any AttributeService
    static func services(_ postern: Postern) -> Services { postern }

    static func handle(_ request: Request, call: Call, services: Services) async throws -> EmptyResponse {
        let identity = try call.signedIn()
        _ = try await services.updateAttributes(
            user: identity.user, pool: identity.pool, changes: [], deletions: request.UserAttributeNames,
            writer: .client(identity.client.settings.attributePermissions), clientId: identity.client.id, clientMetadata: nil, call: call)
        return EmptyResponse()
    }
}

/// AdminDeleteUserAttributes: an administrator removes a user's attributes.
enum AdminDeleteUserAttributes: AWSOperation {
    static let name = "AdminDeleteUserAttributes"

    struct Request: Decodable, Sendable {
        var UserPoolId: String
        var Username: String
        var UserAttributeNames: [String]
    }

    typealias Services = any AttributeService & ClientAccessService
    static func services(_ postern: Postern) -> Services { postern }

    static func handle(_ request: Request, call: Call, services: Services) async throws -> EmptyResponse {
        let (pool, user) = try await services.adminUser(poolId: request.UserPoolId, username: request.Username)
        _ = try await services.updateAttributes(
            user: user, pool: pool, changes: [], deletions: request.UserAttributeNames, writer: .admin, clientId: nil, clientMetadata: nil,
            call: call)
        return EmptyResponse()
    }
}
