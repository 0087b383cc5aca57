import Foundation
import PosternCore
import PosternCrypto
import PosternStore

/// UpdateUserAttributes: the signed-in user changes their own attributes; changed contacts get codes.
enum UpdateUserAttributes: AWSOperation {
    static let name = "UpdateUserAttributes"

    struct Request: Decodable, Sendable {
        var AccessToken: String
        var UserAttributes: [AttributeType]
        var ClientMetadata: [String: String]?
    }

    struct Response: Encodable, Sendable { var CodeDeliveryDetailsList: [CodeDeliveryDetails] }

    typealias Services = any AttributeService
    static func services(_ postern: Postern) -> Services { postern }

    static func handle(_ request: Request, call: Call, services: Services) async throws -> Response {
        try await services.retrying {
            let identity = try call.signedIn()
            let deliveries = try await services.updateAttributes(
                user: identity.user, pool: identity.pool, changes: request.UserAttributes,
                writer: .client(identity.client.settings.attributePermissions), clientId: identity.client.id, clientMetadata: request.ClientMetadata,
                call: call)
            return Response(CodeDeliveryDetailsList: deliveries)
        }
    }
}

/// AdminUpdateUserAttributes: an administrator changes a user's attributes (and may mark contacts verified).
enum AdminUpdateUserAttributes: AWSOperation {
    static let name = "AdminUpdateUserAttributes"

    struct Request: Decodable, Sendable {
        var UserPoolId: String
        var Username: String
        var UserAttributes: [AttributeType]
        var ClientMetadata: [String: String]?
    }

    typealias Services = any AttributeService & ClientAccessService
    static func services(_ postern: Postern) -> Services { postern }

    static func handle(_ request: Request, call: Call, services: Services) async throws -> EmptyResponse {
        let (pool, user) = try await services.adminUser(poolId: request.UserPoolId, username: request.Username)
        _ = try await services.updateAttributes(
            user: user, pool: pool, changes: request.UserAttributes, writer: .admin, clientId: nil, clientMetadata: request.ClientMetadata,
            call: call)
        return EmptyResponse()
    }
}

/// GetUserAttributeVerificationCode: sends a code for the user's email or phone number.
enum GetUserAttributeVerificationCode: AWSOperation {
    static let name = "GetUserAttributeVerificationCode"

    struct Request: Decodable, Sendable {
        var AccessToken: String
        var AttributeName: String
        var ClientMetadata: [String: String]?
    }

    struct Response: Encodable, Sendable { var CodeDeliveryDetails: CodeDeliveryDetails }

    typealias Services = any AttributeService
    static func services(_ postern: Postern) -> Services { postern }

    static func handle(_ request: Request, call: Call, services: Services) async throws -> Response {
        try await services.retrying {
            let identity = try call.signedIn()
            let delivery = try await services.sendAttributeCode(
                user: identity.user, pool: identity.pool, attribute: request.AttributeName,
                clientId: identity.client.id, clientMetadata: request.ClientMetadata, call: call)
            return Response(CodeDeliveryDetails: delivery)
        }
    }
}

/// VerifyUserAttribute: the code sent for an email or phone number; the attribute becomes verified.
enum VerifyUserAttribute: AWSOperation {
    static let name = "VerifyUserAttribute"

    struct Request: Decodable, Sendable {
        var AccessToken: String
        var AttributeName: String
        var Code: String
    }

    typealias Services = any AttributeService
    static func services(_ postern: Postern) -> Services { postern }

    static func handle(_ request: Request, call: Call, services: Services) async throws -> EmptyResponse {
        let identity = try call.signedIn()
        try await services.verifyAttribute(
            user: identity.user, pool: identity.pool, attribute: request.AttributeName, code: request.Code,
            clientId: identity.client.id, call: call)
        return EmptyResponse()
    }
}
