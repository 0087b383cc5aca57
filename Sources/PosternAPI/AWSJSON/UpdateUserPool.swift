import Foundation
import PosternCore
import PosternCrypto
import PosternStore

/// UpdateUserPool: replaces the mutable settings; omitted ones return to their defaults.
enum UpdateUserPool: AWSOperation {
    static let name = "UpdateUserPool"

    typealias Services = any EventLogService
    static func services(_ postern: Postern) -> Services { postern }

    static func handle(_ request: JSONObject, call: Call, services: Services) async throws -> EmptyResponse {
        let id = try request.required("UserPoolId")
        try Validate.userPoolId(id)
        let pool = try await services.userPoolConfiguration(id)
        let updated = try UserPoolConfiguration.update(pool, request: request.members)
        let stream = Stream.userPool(pool.poolId)
        try await services.commit(
            .init(stream: stream, expected: .exact(pool.version), events: [NewEvent(streamID: stream, updated)]), metadata: call.metadata())
        return EmptyResponse()
    }
}
