import Foundation
import PosternCore
import PosternCrypto
import PosternStore

/// GlobalSignOut: revokes every refresh token of the signed-in user, and the access tokens minted from them.
enum GlobalSignOut: AWSOperation {
    static let name = "GlobalSignOut"

    struct Request: Decodable, Sendable { var AccessToken: String }

    typealias Services = any EventLogService
    static func services(_ postern: Postern) -> Services { postern }

    static func handle(_ request: Request, call: Call, services: Services) async throws -> EmptyResponse {
        let identity = try call.signedIn()
        try await services.apply(
            .signOutGlobally, to: identity.user, context: AccountCommandContext(now: call.now), call: call, actor: identity.user.sub.rawValue,
            clientId: identity.claims.string("client_id").map { ClientID($0) })
        return EmptyResponse()
    }
}
