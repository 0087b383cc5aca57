import Foundation
import Testing

@testable import PosternCore

@Suite struct UserMFAPreferenceTests {
    let withToken = UserMFA(hasSoftwareToken: true)

    @Test func enablingTOTPNeedsAVerifiedAuthenticator() {
        #expect(throws: DomainError.invalidParameter("User does not have delivery config set to turn on SOFTWARE_TOKEN_MFA")) {
            try UserMFA().applying([.softwareToken: .init(enabled: true, preferred: nil)], hasPhoneNumber: true, hasEmail: true)
        }
        let enabled = try? withToken.applying([.softwareToken: .init(enabled: true, preferred: true)], hasPhoneNumber: false, hasEmail: false)
        #expect(enabled?.enabled == [.softwareToken] && enabled?.preferred == .softwareToken)
    }

    @Test func smsAndEmailNeedTheContact() {
        #expect(throws: DomainError.invalidParameter("User does not have delivery config set to turn on SMS_MFA")) {
            try UserMFA().applying([.sms: .init(enabled: true, preferred: nil)], hasPhoneNumber: false, hasEmail: true)
        }
        #expect(throws: DomainError.invalidParameter("User does not have delivery config set to turn on EMAIL_OTP")) {
            try UserMFA().applying([.email: .init(enabled: true, preferred: nil)], hasPhoneNumber: true, hasEmail: false)
        }
    }

    @Test func preferringOneReplacesTheOtherAndDisablingThePreferredClearsIt() throws {
        var mfa = try withToken.applying(
            [.softwareToken: .init(enabled: true, preferred: true), .sms: .init(enabled: true, preferred: nil)], hasPhoneNumber: true, hasEmail: true)
        #expect(mfa.enabled == [.softwareToken, .sms] && mfa.preferred == .softwareToken)
        mfa = try mfa.applying([.sms: .init(enabled: nil, preferred: true)], hasPhoneNumber: true, hasEmail: true)
        #expect(mfa.preferred == .sms)
        mfa = try mfa.applying([.sms: .init(enabled: false, preferred: nil)], hasPhoneNumber: true, hasEmail: true)
        #expect(mfa.enabled == [.softwareToken] && mfa.preferred == nil)
    }

    @Test func aFactorNotEnabledCannotBePreferred() {
        #expect(throws: DomainError.self) {
            try UserMFA().applying([.sms: .init(enabled: false, preferred: true)], hasPhoneNumber: true, hasEmail: true)
        }
    }

    @Test func omittedFactorsAreLeftAlone() throws {
        let start = UserMFA(enabled: [.softwareToken], preferred: .softwareToken, hasSoftwareToken: true)
        #expect(try start.applying([:], hasPhoneNumber: false, hasEmail: false) == start)
    }
}

@Suite struct MFANextStepTests {
    let totpPool = PoolMFAConfiguration(mode: .optional, factors: [.softwareToken])

    @Test func offNeverChallenges() {
        let user = UserMFA(enabled: [.softwareToken], preferred: .softwareToken, hasSoftwareToken: true)
        #expect(user.nextStep(pool: .init(mode: .off, factors: [.softwareToken])) == .none)
    }

    @Test func optionalChallengesOnlyUsersWithAFactor() {
        #expect(UserMFA().nextStep(pool: totpPool) == .none)
        #expect(UserMFA(enabled: [.softwareToken], hasSoftwareToken: true).nextStep(pool: totpPool) == .challenge(.softwareToken))
    }

    @Test func thePreferredFactorWinsAndSeveralWithoutPreferenceAreAChoice() {
        let pool = PoolMFAConfiguration(mode: .optional, factors: [.softwareToken, .sms])
        let both = UserMFA(enabled: [.softwareToken, .sms], hasSoftwareToken: true)
        #expect(both.nextStep(pool: pool) == .selectType([.sms, .softwareToken]))
        var preferring = both
        preferring.preferred = .sms
        #expect(preferring.nextStep(pool: pool) == .challenge(.sms))
    }

    @Test func requiredMFAWithoutAFactorIsSetUp() {
        #expect(UserMFA().nextStep(pool: .init(mode: .on, factors: [.softwareToken])) == .setUp([.softwareToken]))
        #expect(UserMFA().nextStep(pool: .init(mode: .on, factors: [.softwareToken]), hasPhoneNumber: true) == .setUp([.softwareToken]))
    }

    @Test func requiredSMSTextsAUserWithAPhoneNumberAndNoFactor() {
        let pool = PoolMFAConfiguration(mode: .on, factors: [.sms, .softwareToken])
        #expect(UserMFA().nextStep(pool: pool, hasPhoneNumber: true) == .challenge(.sms))
        #expect(UserMFA().nextStep(pool: pool, hasPhoneNumber: false) == .setUp([.softwareToken]))
        #expect(UserMFA().nextStep(pool: .init(mode: .optional, factors: [.sms]), hasPhoneNumber: true) == .none)
    }

    @Test func aVerifiedAuthenticatorKeepsWorkingAfterThePoolDropsTOTP() {
        let user = UserMFA(enabled: [.softwareToken], hasSoftwareToken: true)
        #expect(user.nextStep(pool: .init(mode: .optional, factors: [.sms])) == .challenge(.softwareToken))
        #expect(UserMFA(enabled: [.sms]).nextStep(pool: .init(mode: .optional, factors: [.email])) == .none)
    }
}

@Suite struct PoolMFAConfigurationTests {
    let settings = UserPoolSettings(json: .object(["MfaConfiguration": "OFF"]))

    @Test func settingTOTPOptionalIsDescribedBack() throws {
        let updated = try settings.withMFAConfiguration([
            "MfaConfiguration": "OPTIONAL", "SoftwareTokenMfaConfiguration": .object(["Enabled": .bool(true)]),
        ])
        let config = PoolMFAConfiguration(settings: updated)
        #expect(config.mode == .optional && config.factors == [.softwareToken])
        #expect(updated.mfaConfigurationDescription["SoftwareTokenMfaConfiguration"]?["Enabled"]?.boolValue == true)
        #expect(updated.describedMembers["SoftwareTokenMfaConfiguration"] == nil, "DescribeUserPool has no such member")
    }

    @Test func offWithAFactorAndOnWithoutOneAreRefused() {
        #expect(throws: DomainError.invalidParameter("Invalid MFA configuration given, can't turn off MFA and configure an MFA together.")) {
            try settings.withMFAConfiguration(["MfaConfiguration": "OFF", "SoftwareTokenMfaConfiguration": .object(["Enabled": .bool(true)])])
        }
        #expect(
            throws: DomainError.invalidParameter("Invalid MFA configuration given, can't disable all MFAs with a required or optional configuration.")
        ) {
            try settings.withMFAConfiguration(["MfaConfiguration": "ON"])
        }
    }

    @Test func eachCallReplacesTheFactors() throws {
        let both = try settings.withMFAConfiguration([
            "MfaConfiguration": "ON", "SoftwareTokenMfaConfiguration": .object(["Enabled": .bool(true)]),
            "EmailMfaConfiguration": .object(["Message": "Code {####}", "Subject": "Sign-in"]),
        ])
        #expect(PoolMFAConfiguration(settings: both).factors == [.softwareToken, .email])
        let emailOnly = try both.withMFAConfiguration(["MfaConfiguration": "ON", "EmailMfaConfiguration": .object(["Message": "Code {####}"])])
        #expect(PoolMFAConfiguration(settings: emailOnly).factors == [.email])
        let off = try emailOnly.withMFAConfiguration(["MfaConfiguration": "OFF"])
        #expect(PoolMFAConfiguration(settings: off) == .init(mode: .off, factors: []))
    }

    @Test func updateUserPoolKeepsTheFactors() throws {
        let set = try settings.withMFAConfiguration([
            "MfaConfiguration": "OPTIONAL", "SoftwareTokenMfaConfiguration": .object(["Enabled": .bool(true)]),
        ])
        let updated = try set.updated(request: ["MfaConfiguration": "OPTIONAL"])
        #expect(PoolMFAConfiguration(settings: updated).factors == [.softwareToken])
    }
}

@Suite struct FirstFactorsTests {
    @Test func theUserIsOfferedWhatThePoolAllowsAndTheyCanUse() {
        let all: Set<String> = ["PASSWORD", "EMAIL_OTP", "SMS_OTP"]
        #expect(
            FirstFactors.available(allowed: all, hasPassword: true, hasVerifiedEmail: true, hasVerifiedPhoneNumber: true)
                == ["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP", "SMS_OTP"])
        #expect(FirstFactors.available(allowed: all, hasPassword: false, hasVerifiedEmail: true, hasVerifiedPhoneNumber: false) == ["EMAIL_OTP"])
        #expect(
            FirstFactors.available(
                allowed: ["PASSWORD", "WEB_AUTHN"], hasPassword: true, hasPasskey: true, hasVerifiedEmail: true, hasVerifiedPhoneNumber: false)
                == ["WEB_AUTHN", "PASSWORD", "PASSWORD_SRP"])
        #expect(
            FirstFactors.available(allowed: ["PASSWORD"], hasPassword: true, hasPasskey: true, hasVerifiedEmail: false, hasVerifiedPhoneNumber: false)
                == ["PASSWORD", "PASSWORD_SRP"])
        #expect(
            FirstFactors.available(allowed: ["PASSWORD"], hasPassword: true, hasVerifiedEmail: true, hasVerifiedPhoneNumber: true)
                == ["PASSWORD", "PASSWORD_SRP"])
    }

    @Test func poolsKeepTheirFirstFactorsAndMustAllowPasswords() throws {
        let pool = try UserPoolSettings.forNewPool(request: [
            "Policies": .object(["SignInPolicy": .object(["AllowedFirstAuthFactors": .array(["PASSWORD", "EMAIL_OTP"])])])
        ])
        #expect(pool.allowedFirstAuthFactors == ["PASSWORD", "EMAIL_OTP"])
        #expect(try UserPoolSettings.forNewPool(request: [:]).allowedFirstAuthFactors == ["PASSWORD"])
        #expect(throws: DomainError.self) {
            try UserPoolSettings.forNewPool(request: [
                "Policies": .object(["SignInPolicy": .object(["AllowedFirstAuthFactors": .array(["EMAIL_OTP"])])])
            ])
        }
        #expect(throws: DomainError.self) {
            try UserPoolSettings.forNewPool(request: [
                "Policies": .object(["SignInPolicy": .object(["AllowedFirstAuthFactors": .array(["PASSWORD", "CARRIER_PIGEON"])])])
            ])
        }
    }
}

@Suite struct FeaturePlanTests {
    @Test func theLitePlanHasNoEmailMFAPasskeysOrPasswordlessFirstFactors() throws {
        let lite = UserPoolSettings(json: .object(["MfaConfiguration": "OFF", "UserPoolTier": "LITE"]))
        #expect(throws: DomainError.featureUnavailableInTier("Email MFA needs the Essentials or Plus feature plan.")) {
            try lite.withMFAConfiguration(["MfaConfiguration": "OPTIONAL", "EmailMfaConfiguration": .object(["Message": "Code {####}"])])
        }
        #expect(throws: DomainError.self) {
            try lite.withMFAConfiguration(["MfaConfiguration": "OFF", "WebAuthnConfiguration": .object(["RelyingPartyId": "example.com"])])
        }
        _ = try lite.withMFAConfiguration(["MfaConfiguration": "OPTIONAL", "SoftwareTokenMfaConfiguration": .object(["Enabled": .bool(true)])])
        #expect(throws: DomainError.self) {
            try UserPoolSettings.forNewPool(request: [
                "UserPoolTier": "LITE",
                "Policies": .object(["SignInPolicy": .object(["AllowedFirstAuthFactors": .array(["PASSWORD", "EMAIL_OTP"])])]),
            ])
        }
    }
}
