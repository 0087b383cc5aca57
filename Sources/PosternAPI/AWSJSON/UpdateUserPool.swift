import Foundation
import PosternCore
import PosternCrypto
import PosternStore

/// UpdateUserPool: replaces the mutable settings; omitted ones return to their defaults.
enum UpdateUserPool: AWSOperation {
    static let name = "UpdateUserPool"

    static func handle(_ request: JSONObject, call: Call, postern: Postern) async throws -> EmptyResponse {
        let id = try request.required("UserPoolId")
        try Validate.userPoolId(id)
        let pool = try await postern.directory.pool(id)
        let settings = try pool.settings.updated(request: request.members)
        let stream = Stream.userPool(pool.id)
        let version = try await postern.store.version(of: stream)
        try await postern.commit(
            .init(
                stream: stream, expected: .exact(version),
                events: [NewEvent(streamID: stream, UserPoolUpdated(poolId: pool.id, settings: settings.json))]),
            metadata: call.metadata())
        return EmptyResponse()
    }
}
