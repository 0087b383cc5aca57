import Foundation
import PosternCore
import PosternCrypto
import PosternStore

/// DeleteUserPool: removes the pool, its clients and users; every user's data key is destroyed with it.
enum DeleteUserPool: AWSOperation {
    static let name = "DeleteUserPool"

    struct Request: Decodable, Sendable { var UserPoolId: String }

    typealias Services = any TokenService
    static func services(_ postern: Postern) -> Services { postern }

    static func handle(_ request: Request, call: Call, services: Services) async throws -> EmptyResponse {
        try Validate.userPoolId(request.UserPoolId)
        let pool = try await services.userPoolConfiguration(request.UserPoolId)
        let deleted = try UserPoolConfiguration.delete(pool)
        let stream = Stream.userPool(pool.poolId)
        var batch = AppendBatch(stream: stream, expected: .exact(pool.version), events: [NewEvent(streamID: stream, deleted)])
        batch.dataKeysToDestroy = try await services.directory.subs(pool: pool.poolId)
        try await services.commit(batch, metadata: call.metadata())
        await services.signingKeys.forget(pool.poolId)
        return EmptyResponse()
    }
}
