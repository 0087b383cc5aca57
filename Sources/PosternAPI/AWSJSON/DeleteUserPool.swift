import Foundation
import PosternCore
import PosternCrypto
import PosternStore

/// DeleteUserPool: removes the pool, its clients and users; every user's data key is destroyed with it.
enum DeleteUserPool: AWSOperation {
    static let name = "DeleteUserPool"

    struct Request: Decodable, Sendable { var UserPoolId: String }

    static func handle(_ request: Request, call: Call, postern: Postern) async throws -> EmptyResponse {
        try Validate.userPoolId(request.UserPoolId)
        let pool = try await postern.directory.pool(request.UserPoolId)
        if pool.settings.deletionProtected {
            throw DomainError.invalidParameter("The user pool \(pool.id) has deletion protection enabled.")
        }
        let stream = Stream.userPool(pool.id)
        let version = try await postern.store.version(of: stream)
        var batch = AppendBatch(
            stream: stream, expected: .exact(version), events: [NewEvent(streamID: stream, UserPoolDeleted(poolId: pool.id))])
        batch.dataKeysToDestroy = try await postern.directory.subs(pool: pool.id)
        try await postern.commit(batch, metadata: call.metadata())
        await postern.signingKeys.forget(pool.id)
        return EmptyResponse()
    }
}
