import Foundation
import PosternCore
import PosternCrypto
import PosternStore

/// RevokeToken: revokes one refresh token and every token minted from the same sign-in.
enum RevokeToken: AWSOperation {
    static let name = "RevokeToken"

    struct Request: Decodable, Sendable {
        var Token: String
        var ClientId: String
        var ClientSecret: String?
    }

    typealias Services = any ClientAccessService & EventLogService
    static func services(_ postern: Postern) -> Services { postern }

    static func handle(_ request: Request, call: Call, services: Services) async throws -> EmptyResponse {
        let (client, _) = try await services.publicClient(request.ClientId)
        if let secret = try services.secret(of: client) {
            guard let given = request.ClientSecret, constantTimeEquals(given, secret) else {
                throw DomainError.unauthorized("Client secret is incorrect.")
            }
        }
        guard client.settings.tokenRevocationEnabled else {
            throw DomainError.unsupportedOperation("Token revocation is not enabled for this client.")
        }
        if request.Token.split(separator: ".").count == 3, request.Token.hasPrefix("eyJ") {
            throw DomainError.unsupportedTokenType("Only refresh tokens can be revoked.")
        }
        let token = try await services.directory.refreshToken(hash: services.master.codeHasher.hash(request.Token, context: "refresh"))
        let events = try RefreshTokenGrant.decideRevoke(token, client: client.id)
        guard let token, !events.isEmpty, let user = try await services.directory.user(sub: token.sub.rawValue) else { return EmptyResponse() }
        try await services.appendToUser(user, events, call: call, actor: user.sub.rawValue, clientId: client.id)
        return EmptyResponse()
    }
}
