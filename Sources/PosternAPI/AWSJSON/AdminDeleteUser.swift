import Foundation
import PosternCore
import PosternCrypto
import PosternStore

/// AdminDeleteUser: deletes the user and destroys their data key, so no event of theirs reveals
/// personal data any more (crypto-shredding); the events themselves stay.
enum AdminDeleteUser: AWSOperation {
    static let name = "AdminDeleteUser"

    struct Request: Decodable, Sendable {
        var UserPoolId: String
        var Username: String
    }

    typealias Services = any ClientAccessService & EventLogService
    static func services(_ postern: Postern) -> Services { postern }

    static func handle(_ request: Request, call: Call, services: Services) async throws -> EmptyResponse {
        let (pool, user) = try await services.adminUser(poolId: request.UserPoolId, username: request.Username)
        try await services.deleteUser(user, pool: pool, by: "admin", call: call)
        return EmptyResponse()
    }
}

extension EventLogService {
    func deleteUser(_ user: UserRecord, pool: PoolRecord, by: String, call: Call) async throws {
        let stream = Stream.user(user.sub)
        let events = try user.account.decide(.delete(byUser: by == "self"), context: AccountCommandContext(now: call.now))
        var batch = AppendBatch(stream: stream, expected: .exact(user.version), events: events.map { NewEvent(streamID: stream, $0) })
        batch.dataKeysToDestroy = [user.sub.rawValue]
        try await commit(batch, metadata: call.metadata(actor: by == "self" ? user.sub.rawValue : nil))
    }
}
