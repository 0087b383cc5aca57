import Foundation
import PosternStore
import PosternCrypto
import PosternCore

/// GlobalSignOut: revokes every refresh token of the signed-in user, and the access tokens minted from them.
enum GlobalSignOut: AWSOperation {
    static let name = "GlobalSignOut"

    struct Request: Decodable, Sendable { var AccessToken: String }

    static func handle(_ request: Request, call: Call, postern: Postern) async throws -> EmptyResponse {
        try await postern.retrying {
            let identity = try await postern.authenticate(accessToken: request.AccessToken, now: call.now)
            try await postern.appendToUser(
                identity.user, [UserSignedOutGlobally(tokensValidAfter: call.now)], call: call, actor: identity.user.sub.rawValue,
                clientId: identity.claims.string("client_id").map { ClientID($0) })
        }
        return EmptyResponse()
    }
}
