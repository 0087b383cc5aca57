import Foundation
import PosternStore
import PosternCrypto
import PosternCore

/// DeleteUser: the signed-in user deletes themself (and their data key).
enum DeleteUser: AWSOperation {
    static let name = "DeleteUser"

    struct Request: Decodable, Sendable { var AccessToken: String }

    static func handle(_ request: Request, call: Call, postern: Postern) async throws -> EmptyResponse {
        try await postern.retrying {
            let identity = try await postern.authenticate(accessToken: request.AccessToken, now: call.now)
            try await postern.deleteUser(identity.user, pool: identity.pool, by: "self", call: call)
        }
        return EmptyResponse()
    }
}
