import Foundation
import PosternCore
import PosternCrypto
import PosternStore

/// DeleteUser: the signed-in user deletes themself (and their data key).
enum DeleteUser: AWSOperation {
    static let name = "DeleteUser"

    struct Request: Decodable, Sendable { var AccessToken: String }

    static func handle(_ request: Request, call: Call, postern: Postern) async throws -> EmptyResponse {
        let identity = try call.signedIn()
        try await postern.deleteUser(identity.user, pool: identity.pool, by: "self", call: call)
        return EmptyResponse()
    }
}
