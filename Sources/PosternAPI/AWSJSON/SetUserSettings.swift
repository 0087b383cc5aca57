import Foundation
import PosternCore
import PosternStore

/// `MFAOptionType`: the legacy SMS MFA setting (SetUserSettings, GetUser's `MFAOptions`).
struct MFAOptionType: Codable, Sendable, Equatable {
    var DeliveryMedium: String?
    var AttributeName: String?

    /// The only option Cognito still accepts: SMS to the phone number.
    static let sms = MFAOptionType(DeliveryMedium: "SMS", AttributeName: "phone_number")
}

/// SetUserSettings: the legacy way to turn SMS MFA on (`MFAOptions` with SMS) or off (an empty list).
enum SetUserSettings: AWSOperation {
    static let name = "SetUserSettings"

    struct Request: Decodable, Sendable, CarriesAccessToken {
        var AccessToken: String
        var MFAOptions: [MFAOptionType]
    }

    typealias Services = any EventLogService
    static func services(_ postern: Postern) -> Services { postern }

    static func handle(_ request: Request, call: Call, services: Services) async throws -> EmptyResponse {
        let identity = try call.signedIn()
        try await services.applyLegacyMFAOptions(
            request.MFAOptions, to: identity.user, by: "self", clientId: identity.client.id, call: call)
        return EmptyResponse()
    }
}

/// AdminSetUserSettings: the same for any user of the pool.
enum AdminSetUserSettings: AWSOperation {
    static let name = "AdminSetUserSettings"

    struct Request: Decodable, Sendable, NamesUserPool {
        var UserPoolId: String
        var Username: String
        var MFAOptions: [MFAOptionType]
    }

    typealias Services = any ClientAccessService & EventLogService
    static func services(_ postern: Postern) -> Services { postern }

    static func handle(_ request: Request, call: Call, services: Services) async throws -> EmptyResponse {
        let (_, user) = try await services.adminUser(poolId: request.UserPoolId, username: request.Username)
        try await services.applyLegacyMFAOptions(request.MFAOptions, to: user, by: "admin", clientId: nil, call: call)
        return EmptyResponse()
    }
}

extension EventLogService {
    /// `MFAOptions` as SetUserMFAPreference's SMS setting: SMS to `phone_number` turns SMS MFA on, an
    /// empty list turns it off; anything else is refused, as Cognito refuses it.
    func applyLegacyMFAOptions(_ options: [MFAOptionType], to user: UserRecord, by: String, clientId: ClientID?, call: Call) async throws {
        for option in options where option != .sms {
            throw DomainError.invalidParameter("Only SMS to phone_number can be set in MFAOptions; use SetUserMFAPreference.")
        }
        let sms = MFASettingsType(Enabled: !options.isEmpty, PreferredMfa: nil)
        try await changeMFAPreference(of: user, sms: sms, softwareToken: nil, email: nil, by: by, clientId: clientId, call: call)
    }
}

extension UserMFA {
    /// `MFAOptions`: SMS when SMS MFA is on (the only legacy option), absent otherwise.
    var legacyOptions: [MFAOptionType]? { enabled.contains(.sms) ? [.sms] : nil }
}
