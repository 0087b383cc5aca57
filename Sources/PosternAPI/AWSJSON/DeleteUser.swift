import Foundation
import PosternCore
import PosternCrypto
import PosternStore

/// DeleteUser: the signed-in user deletes themself (and their data key).
enum DeleteUser: AWSOperation {
    static let name = "DeleteUser"

    struct Request: Decodable, Sendable { var AccessToken: String }

    typealias Services = any EventLogService
    static func services(_ postern: Postern) -> Services { postern }

    static func handle(_ request: Request, call: Call, services: Services) async throws -> EmptyResponse {
        let identity = try call.signedIn()
        try await services.deleteUser(identity.user, pool: identity.pool, by: "self", call: call)
        return EmptyResponse()
    }
}
