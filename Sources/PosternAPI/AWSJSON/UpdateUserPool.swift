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
        let pool = try await postern.userPoolConfiguration(id)
        let updated = try UserPoolConfiguration.update(pool, request: request.members)
        let stream = Stream.userPool(pool.poolId)
        try await postern.commit(
            .init(stream: stream, expected: .exact(pool.version), events: [NewEvent(streamID: stream, updated)]), metadata: call.metadata())
        return EmptyResponse()
    }
}
