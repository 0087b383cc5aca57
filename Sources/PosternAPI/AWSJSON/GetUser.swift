import Foundation
import PosternCore
import PosternCrypto
import PosternStore

/// GetUser: the signed-in user's own attributes, authorized by the access token.
enum GetUser: AWSOperation {
    static let name = "GetUser"

    struct Request: Decodable, Sendable { var AccessToken: String }

    struct Response: Encodable, Sendable {
        var Username: String
        var UserAttributes: [AttributeType]
        var MFAOptions: [MFAOptionType]?
        var PreferredMfaSetting: String?
        var UserMFASettingList: [String]?
    }

    /// Only the caller the pipeline authenticated (`Call.signedIn()`, with the user as of this attempt).
    typealias Services = NoServices
    static func services(_ postern: Postern) -> Services { NoServices() }

    static func handle(_ request: Request, call: Call, services: Services) async throws -> Response {
        let identity = try call.signedIn()
        let mfa = identity.user.mfa.settings
        return Response(
            Username: identity.user.username, UserAttributes: identity.readableAttributes, MFAOptions: mfa.legacyOptions,
            PreferredMfaSetting: mfa.preferred?.rawValue,
            UserMFASettingList: mfa.settingList)
    }
}

extension UserMFA {
    /// `UserMFASettingList`: the enabled factors, absent when there are none (as Cognito answers).
    var settingList: [String]? { enabled.isEmpty ? nil : enabled.sorted().map(\.rawValue) }
}
