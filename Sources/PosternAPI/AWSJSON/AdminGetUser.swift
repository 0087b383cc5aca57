import Foundation
import PosternCore
import PosternCrypto
import PosternStore

/// AdminGetUser: a user's attributes and status, by username or alias.
enum AdminGetUser: AWSOperation {
    static let name = "AdminGetUser"

    struct Request: Decodable, Sendable {
        var UserPoolId: String
        var Username: String
    }

    struct Response: Encodable, Sendable {
        var Username: String
        var UserAttributes: [AttributeType]
        var UserCreateDate: Date
        var UserLastModifiedDate: Date
        var Enabled: Bool
        var UserStatus: String
        var MFAOptions: [MFAOptionType]?
        var PreferredMfaSetting: String?
        var UserMFASettingList: [String]?
    }

    typealias Services = any ClientAccessService
    static func services(_ postern: Postern) -> Services { postern }

    static func handle(_ request: Request, call: Call, services: Services) async throws -> Response {
        let (_, user) = try await services.adminUser(poolId: request.UserPoolId, username: request.Username, cached: true)
        let type = UserType(user)
        return Response(
            Username: type.Username, UserAttributes: type.Attributes, UserCreateDate: type.UserCreateDate,
            UserLastModifiedDate: type.UserLastModifiedDate, Enabled: type.Enabled, UserStatus: type.UserStatus,
            MFAOptions: user.mfa.settings.legacyOptions, PreferredMfaSetting: user.mfa.settings.preferred?.rawValue,
            UserMFASettingList: user.mfa.settings.settingList)
    }
}

extension ClientAccessService {
    /// The pool and user named by an admin request; `cached` reads through `UserCache`, for a request that
    /// only reads.
    func adminUser(poolId: String, username: String, cached: Bool = false) async throws -> (PoolRecord, UserRecord) {
        try Validate.userPoolId(poolId)
        try Validate.username(username)
        let pool = try await directory.pool(poolId)
        return (pool, try await requireUser(pool: pool, login: username, client: nil, cached: cached))
    }
}
