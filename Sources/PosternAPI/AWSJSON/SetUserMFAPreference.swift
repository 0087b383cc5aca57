import Foundation
import PosternCore
import PosternStore

/// `SMSMfaSettingsType`, `SoftwareTokenMfaSettingsType`, `EmailMfaSettingsType`.
struct MFASettingsType: Decodable, Sendable {
    var Enabled: Bool?
    var PreferredMfa: Bool?
}

/// SetUserMFAPreference: the signed-in user turns factors on or off and picks the preferred one.
enum SetUserMFAPreference: AWSOperation {
    static let name = "SetUserMFAPreference"

    struct Request: Decodable, Sendable, CarriesAccessToken {
        var AccessToken: String
        var SMSMfaSettings: MFASettingsType?
        var SoftwareTokenMfaSettings: MFASettingsType?
        var EmailMfaSettings: MFASettingsType?
    }

    typealias Services = any EventLogService
    static func services(_ postern: Postern) -> Services { postern }

    static func handle(_ request: Request, call: Call, services: Services) async throws -> EmptyResponse {
        let identity = try call.signedIn()
        try await services.changeMFAPreference(
            of: identity.user, sms: request.SMSMfaSettings, softwareToken: request.SoftwareTokenMfaSettings, email: request.EmailMfaSettings,
            by: "self", clientId: identity.client.id, call: call)
        return EmptyResponse()
    }
}

/// AdminSetUserMFAPreference: the same for any user of the pool.
enum AdminSetUserMFAPreference: AWSOperation {
    static let name = "AdminSetUserMFAPreference"

    struct Request: Decodable, Sendable, NamesUserPool {
        var UserPoolId: String
        var Username: String
        var SMSMfaSettings: MFASettingsType?
        var SoftwareTokenMfaSettings: MFASettingsType?
        var EmailMfaSettings: MFASettingsType?
    }

    typealias Services = any ClientAccessService & EventLogService
    static func services(_ postern: Postern) -> Services { postern }

    static func handle(_ request: Request, call: Call, services: Services) async throws -> EmptyResponse {
        let (_, user) = try await services.adminUser(poolId: request.UserPoolId, username: request.Username)
        try await services.changeMFAPreference(
            of: user, sms: request.SMSMfaSettings, softwareToken: request.SoftwareTokenMfaSettings, email: request.EmailMfaSettings,
            by: "admin", clientId: nil, call: call)
        return EmptyResponse()
    }
}

extension EventLogService {
    /// Applies a preference request with Cognito's rules (`UserMFA.applying`) and records the result when
    /// it changes anything.
    func changeMFAPreference(
        of user: UserRecord, sms: MFASettingsType?, softwareToken: MFASettingsType?, email: MFASettingsType?, by: String, clientId: ClientID?,
        call: Call
    ) async throws {
        var preferences: [MFAFactor: UserMFA.Preference] = [:]
        for (factor, settings) in [(MFAFactor.sms, sms), (.softwareToken, softwareToken), (.email, email)] {
            if let settings { preferences[factor] = .init(enabled: settings.Enabled, preferred: settings.PreferredMfa) }
        }
        let current = user.mfa.settings
        let next = try current.applying(
            preferences, hasPhoneNumber: !(user.attributes["phone_number"] ?? "").isEmpty, hasEmail: !(user.attributes["email"] ?? "").isEmpty)
        guard next.enabled != current.enabled || next.preferred != current.preferred else { return }
        try await appendToUser(
            user, [MFAPreferenceChanged(enabled: next.enabled.sorted(), preferred: next.preferred, by: by)], call: call,
            actor: by == "self" ? user.sub.rawValue : nil, clientId: clientId)
    }
}
