import Foundation
import PosternCore
import PosternStore

/// SetUserPoolMfaConfig: the pool's MfaConfiguration and its factors, replaced as a whole.
enum SetUserPoolMfaConfig: AWSOperation {
    static let name = "SetUserPoolMfaConfig"

    static func handle(_ request: JSONObject, call: Call, postern: Postern) async throws -> JSONValue {
        let id = try request.required("UserPoolId")
        try Validate.userPoolId(id)
        let pool = try await postern.directory.pool(id)
        let settings = try pool.settings.withMFAConfiguration(request.members)
        let stream = Stream.userPool(pool.id)
        try await postern.commit(
            .init(
                stream: stream, expected: .exact(try await postern.store.version(of: stream)),
                events: [NewEvent(streamID: stream, UserPoolUpdated(poolId: pool.id, settings: settings.json))]),
            metadata: call.metadata())
        return .object(settings.mfaConfigurationDescription)
    }
}

/// GetUserPoolMfaConfig: what SetUserPoolMfaConfig set.
enum GetUserPoolMfaConfig: AWSOperation {
    static let name = "GetUserPoolMfaConfig"

    struct Request: Decodable, Sendable, NamesUserPool { var UserPoolId: String }

    static func handle(_ request: Request, call: Call, postern: Postern) async throws -> JSONValue {
        try Validate.userPoolId(request.UserPoolId)
        return .object(try await postern.directory.pool(request.UserPoolId).settings.mfaConfigurationDescription)
    }
}
