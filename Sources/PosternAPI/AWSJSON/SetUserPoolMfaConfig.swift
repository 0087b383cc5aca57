import Foundation
import PosternCore
import PosternStore

/// SetUserPoolMfaConfig: the pool's MfaConfiguration and its factors, replaced as a whole.
enum SetUserPoolMfaConfig: AWSOperation {
    static let name = "SetUserPoolMfaConfig"

    typealias Services = any EventLogService
    static func services(_ postern: Postern) -> Services { postern }

    static func handle(_ request: JSONObject, call: Call, services: Services) async throws -> JSONValue {
        let id = try request.required("UserPoolId")
        try Validate.userPoolId(id)
        let pool = try await services.userPoolConfiguration(id)
        let updated = try UserPoolConfiguration.setMFAConfig(pool, request: request.members)
        let stream = Stream.userPool(pool.poolId)
        try await services.commit(
            .init(stream: stream, expected: .exact(pool.version), events: [NewEvent(streamID: stream, updated)]), metadata: call.metadata())
        return .object(UserPoolSettings(json: updated.settings).mfaConfigurationDescription)
    }
}

/// GetUserPoolMfaConfig: what SetUserPoolMfaConfig set.
enum GetUserPoolMfaConfig: AWSOperation {
    static let name = "GetUserPoolMfaConfig"

    struct Request: Decodable, Sendable, NamesUserPool { var UserPoolId: String }

    typealias Services = any DirectoryService
    static func services(_ postern: Postern) -> Services { postern }

    static func handle(_ request: Request, call: Call, services: Services) async throws -> JSONValue {
        try Validate.userPoolId(request.UserPoolId)
        return .object(try await services.directory.pool(request.UserPoolId).settings.mfaConfigurationDescription)
    }
}
