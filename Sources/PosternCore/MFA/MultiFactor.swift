import Foundation

/// A second factor, as Cognito names it in challenges, `UserMFASettingList` and `PreferredMfaSetting`.
public enum MFAFactor: String, Codable, Sendable, CaseIterable, Comparable {
    case sms = "SMS_MFA"
    case softwareToken = "SOFTWARE_TOKEN_MFA"
    case email = "EMAIL_OTP"

    public static func < (lhs: MFAFactor, rhs: MFAFactor) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// A pool's MFA configuration: `MfaConfiguration` and the factors SetUserPoolMfaConfig turned on.
public struct PoolMFAConfiguration: Equatable, Sendable {
    /// `MfaConfiguration`.
    public enum Mode: String, Sendable {
        case off = "OFF"
        case on = "ON"
        case optional = "OPTIONAL"
    }

    public var mode: Mode
    /// The factors users of the pool may use.
    public var factors: Set<MFAFactor>

    public init(mode: Mode, factors: Set<MFAFactor>) {
        self.mode = mode
        self.factors = factors
    }

    public init(settings: UserPoolSettings) {
        let json = settings.json
        mode = json["MfaConfiguration"]?.stringValue.flatMap(Mode.init(rawValue:)) ?? .off
        var factors: Set<MFAFactor> = []
        if json[UserPoolSettings.softwareTokenMFAMember]?["Enabled"]?.boolValue == true { factors.insert(.softwareToken) }
        if json[UserPoolSettings.smsMFAMember] != nil { factors.insert(.sms) }
        if json[UserPoolSettings.emailMFAMember] != nil { factors.insert(.email) }
        self.factors = factors
    }
}

/// A user's second factors: which are enabled, which is preferred, whether a TOTP authenticator is
/// verified, and the last TOTP step used (a code works once).
public struct UserMFA: Codable, Equatable, Sendable {
    public var enabled: Set<MFAFactor>
    public var preferred: MFAFactor?
    /// A verified authenticator app (VerifySoftwareToken succeeded).
    public var hasSoftwareToken: Bool
    /// The step of the last TOTP code accepted; a code of that step or an earlier one is refused.
    public var lastSoftwareTokenStep: Int64?

    public init(enabled: Set<MFAFactor> = [], preferred: MFAFactor? = nil, hasSoftwareToken: Bool = false, lastSoftwareTokenStep: Int64? = nil) {
        self.enabled = enabled
        self.preferred = preferred
        self.hasSoftwareToken = hasSoftwareToken
        self.lastSoftwareTokenStep = lastSoftwareTokenStep
    }

    /// One factor's part of SetUserMFAPreference / AdminSetUserMFAPreference (`SMSMfaSettings` …): nil
    /// members leave the setting as it is.
    public struct Preference: Equatable, Sendable {
        public var enabled: Bool?
        public var preferred: Bool?
        public init(enabled: Bool?, preferred: Bool?) {
            self.enabled = enabled
            self.preferred = preferred
        }
    }

    /// The settings after a preference request, as Cognito applies it: a factor is enabled only when the
    /// user can receive it (a phone number, an email, a verified authenticator); preferring one enables
    /// it; at most one is preferred, and disabling the preferred one clears the preference.
    public func applying(
        _ preferences: [MFAFactor: Preference], hasPhoneNumber: Bool, hasEmail: Bool
    ) throws(DomainError) -> UserMFA {
        var next = self
        for factor in MFAFactor.allCases {
            guard let preference = preferences[factor] else { continue }
            let enable = preference.enabled ?? (preference.preferred == true ? true : nil)
            if enable == true {
                let deliverable: Bool
                switch factor {
                case .sms: deliverable = hasPhoneNumber
                case .email: deliverable = hasEmail
                case .softwareToken: deliverable = hasSoftwareToken
                }
                guard deliverable else { throw .invalidParameter("User does not have delivery config set to turn on \(factor.rawValue)") }
                next.enabled.insert(factor)
            } else if enable == false {
                next.enabled.remove(factor)
                if next.preferred == factor { next.preferred = nil }
            }
            if preference.preferred == true {
                guard next.enabled.contains(factor) else {
                    throw .invalidParameter("Cannot set \(factor.rawValue) as the preferred MFA type: it is not enabled.")
                }
                next.preferred = factor
            } else if preference.preferred == false, next.preferred == factor {
                next.preferred = nil
            }
        }
        return next
    }

    /// What a sign-in that proved the password must do next (spec/auth-flows.md §7). Only factors the
    /// pool still offers count, except a verified authenticator: a factor the pool turned off later keeps
    /// working for users who configured it.
    public func nextStep(pool: PoolMFAConfiguration, hasPhoneNumber: Bool = false) -> MFAStep {
        guard pool.mode != .off else { return .none }
        let usable = enabled.filter { pool.factors.contains($0) || ($0 == .softwareToken && hasSoftwareToken) }
        if let preferred, usable.contains(preferred) { return .challenge(preferred) }
        if usable.count == 1, let only = usable.first { return .challenge(only) }
        if usable.count > 1 { return .selectType(usable.sorted()) }
        guard pool.mode == .on else { return .none }
        // Required, and the user has no factor: a phone number receives SMS codes as it is (verified or
        // not, as Cognito does); otherwise TOTP can be set up in the sign-in itself. (SMS and email need
        // the contact added first, so they are not offered for set-up.)
        if pool.factors.contains(.sms), hasPhoneNumber { return .challenge(.sms) }
        if pool.factors.contains(.softwareToken) { return .setUp([.softwareToken]) }
        return .setUp(pool.factors.sorted())
    }
}

/// The MFA part of a sign-in after the password.
public enum MFAStep: Equatable, Sendable {
    /// No second factor: go on to PostAuthentication and tokens.
    case none
    /// Challenge this factor (SOFTWARE_TOKEN_MFA, SMS_MFA, EMAIL_OTP).
    case challenge(MFAFactor)
    /// SELECT_MFA_TYPE with `MFAS_CAN_CHOOSE`.
    case selectType([MFAFactor])
    /// MFA_SETUP with `MFAS_CAN_SETUP`.
    case setUp([MFAFactor])
}
