import Foundation
import PosternCore
import PosternStore

/// SetUserPoolMfaConfig: the pool's MfaConfiguration and its factors, replaced as a whole.
enum SetUserPoolMfaConfig: AWSOperation {
    static let name = "SetUserPoolMfaConfig"

    static func handle(_ request: JSONObject, call: Call, postern: Postern) async throws -> JSONValue {
        let id = try request.required("UserPoolId")
        try Validate.userPoolId(id)
        let pool = try await postern.userPoolConfiguration(id)
        let updated = try UserPoolConfiguration.setMFAConfig(pool, request: request.members)
        let stream = Stream.userPool(pool.poolId)
        try await postern.commit(
            .init(stream: stream, expected: .exact(pool.version), events: [NewEvent(streamID: stream, updated)]), metadata: call.metadata())
        return .object(UserPoolSettings(json: updated.settings).mfaConfigurationDescription)
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
