import Foundation

/// A user pool's configuration as Cognito's API describes it, normalized with Cognito's defaults.
///
/// Stored as JSON so every setting a caller gave is returned verbatim by DescribeUserPool; the accessors
/// below interpret the parts Postern enforces.
public struct UserPoolSettings: Equatable, Sendable {
    public var json: JSONValue

    public init(json: JSONValue) { self.json = json }

    /// Members of CreateUserPool that are stored and described back.
    static let storedMembers: Set<String> = [
        "Policies", "DeletionProtection", "LambdaConfig", "AutoVerifiedAttributes", "AliasAttributes",
        "UsernameAttributes", "SmsVerificationMessage", "EmailVerificationMessage", "EmailVerificationSubject",
        "VerificationMessageTemplate", "SmsAuthenticationMessage", "MfaConfiguration", "UserAttributeUpdateSettings",
        "DeviceConfiguration", "EmailConfiguration", "SmsConfiguration", "UserPoolTags", "AdminCreateUserConfig",
        "UserPoolAddOns", "UsernameConfiguration", "AccountRecoverySetting", "UserPoolTier",
    ]
    /// The factor settings of SetUserPoolMfaConfig, kept under these names in the settings and described by
    /// GetUserPoolMfaConfig only (DescribeUserPool has no such members). UpdateUserPool keeps them.
    public static let softwareTokenMFAMember = "SoftwareTokenMfaConfiguration"
    public static let smsMFAMember = "SmsMfaConfiguration"
    public static let emailMFAMember = "EmailMfaConfiguration"
    public static let webAuthnMember = "WebAuthnConfiguration"
    static let mfaConfigurationMembers: Set<String> = [softwareTokenMFAMember, smsMFAMember, emailMFAMember, webAuthnMember]

    /// Members UpdateUserPool may not change (they are fixed at creation).
    static let immutableMembers: Set<String> = ["AliasAttributes", "UsernameAttributes", "UsernameConfiguration"]

    /// Builds the settings of a new pool from a CreateUserPool request body.
    public static func forNewPool(request: [String: JSONValue]) throws(DomainError) -> UserPoolSettings {
        var object = request.filter { storedMembers.contains($0.key) && !$0.value.isNull }
        object["SchemaAttributes"] = .array(try schema(custom: request["Schema"]?.arrayValue ?? []).map(\.json))
        try validateSignInAttributes(object)
        try validatePolicies(object)
        return UserPoolSettings(json: .object(withDefaults(object)))
    }

    /// Applies an UpdateUserPool request: omitted mutable settings return to their defaults (not a patch).
    public func updated(request: [String: JSONValue]) throws(DomainError) -> UserPoolSettings {
        var object = request.filter { Self.storedMembers.contains($0.key) && !Self.immutableMembers.contains($0.key) && !$0.value.isNull }
        try Self.validatePolicies(object)
        for member in Self.immutableMembers.union(Self.mfaConfigurationMembers) { object[member] = json[member] }
        object["SchemaAttributes"] = json["SchemaAttributes"]
        return UserPoolSettings(json: .object(Self.withDefaults(object)))
    }

    static func withDefaults(_ input: [String: JSONValue]) -> [String: JSONValue] {
        var object = input
        let factors = input["Policies"]?["SignInPolicy"]?["AllowedFirstAuthFactors"] ?? .array(["PASSWORD"])
        object["Policies"] = .object([
            "PasswordPolicy": PasswordPolicy(json: input["Policies"]?["PasswordPolicy"]).json,
            "SignInPolicy": .object(["AllowedFirstAuthFactors": factors]),
        ])
        if object["MfaConfiguration"] == nil { object["MfaConfiguration"] = .string("OFF") }
        if object["DeletionProtection"] == nil { object["DeletionProtection"] = .string("INACTIVE") }
        if object["LambdaConfig"] == nil { object["LambdaConfig"] = .object([:]) }
        if object["UserPoolTier"] == nil { object["UserPoolTier"] = .string("ESSENTIALS") }
        var adminCreate = object["AdminCreateUserConfig"]?.objectValue ?? [:]
        if adminCreate["AllowAdminCreateUserOnly"] == nil { adminCreate["AllowAdminCreateUserOnly"] = .bool(false) }
        if adminCreate["UnusedAccountValidityDays"] == nil { adminCreate["UnusedAccountValidityDays"] = .int(7) }
        object["AdminCreateUserConfig"] = .object(adminCreate)
        if object["VerificationMessageTemplate"] == nil {
            object["VerificationMessageTemplate"] = .object(["DefaultEmailOption": .string("CONFIRM_WITH_CODE")])
        }
        if object["EmailConfiguration"] == nil {
            object["EmailConfiguration"] = .object(["EmailSendingAccount": .string("COGNITO_DEFAULT")])
        }
        return object
    }

    static func schema(custom: [JSONValue]) throws(DomainError) -> [SchemaAttribute] {
        var attributes = StandardAttributes.all
        for entry in custom {
            guard var attribute = SchemaAttribute(json: entry) else {
                throw .invalidParameter("Schema attributes must have a Name.")
            }
            if let index = attributes.firstIndex(where: { $0.name == attribute.name }) {
                // A standard attribute named in Schema overrides its Required/Mutable flags.
                attributes[index].required = entry["Required"]?.boolValue ?? attributes[index].required
                attributes[index].mutable = entry["Mutable"]?.boolValue ?? attributes[index].mutable
                if let maxLength = attribute.maxLength { attributes[index].maxLength = maxLength }
                if let minLength = attribute.minLength { attributes[index].minLength = minLength }
                continue
            }
            guard attribute.name.count <= 20, !attribute.name.isEmpty, !attribute.name.contains(":") else {
                throw .invalidParameter("Invalid custom attribute name \(attribute.name): a name has 1 to 20 characters and no colon.")
            }
            if attribute.required { throw .invalidParameter("Required custom attributes are not supported currently.") }
            attribute.name = (attribute.developerOnly ? "dev:" : "") + "custom:" + attribute.name
            if attribute.dataType == .string, entry["StringAttributeConstraints"] == nil {
                attribute.minLength = nil
                attribute.maxLength = nil
            }
            attributes.append(attribute)
        }
        return attributes
    }

    /// Ranges of the botocore model: MinimumLength 6–99, TemporaryPasswordValidityDays 0–365, PasswordHistorySize 0–24,
    /// and the enums.
    static func validatePolicies(_ object: [String: JSONValue]) throws(DomainError) {
        let policy = object["Policies"]?["PasswordPolicy"]
        if let length = policy?["MinimumLength"]?.intValue, !(6...99).contains(length) {
            throw .validation("policies.passwordPolicy.minimumLength", "Member must have value between 6 and 99")
        }
        if let days = policy?["TemporaryPasswordValidityDays"]?.intValue, !(0...365).contains(days) {
            throw .validation("policies.passwordPolicy.temporaryPasswordValidityDays", "Member must have value between 0 and 365")
        }
        if let size = policy?["PasswordHistorySize"]?.intValue {
            guard (0...24).contains(size) else {
                throw .validation("policies.passwordPolicy.passwordHistorySize", "Member must have value between 0 and 24")
            }
            // Password history is a feature of the Essentials and Plus plans.
            if size > 0, object["UserPoolTier"]?.stringValue == "LITE" {
                throw .featureUnavailableInTier("Password history needs the Essentials or Plus feature plan.")
            }
        }
        if let factors = object["Policies"]?["SignInPolicy"]?["AllowedFirstAuthFactors"]?.arrayValue {
            let names = factors.compactMap(\.stringValue)
            guard (1...4).contains(factors.count), names.count == factors.count,
                names.allSatisfy({ ["PASSWORD", "EMAIL_OTP", "SMS_OTP", "WEB_AUTHN"].contains($0) })
            else {
                throw .validation(
                    "policies.signInPolicy.allowedFirstAuthFactors", "Member must satisfy enum value set: [PASSWORD, EMAIL_OTP, SMS_OTP, WEB_AUTHN]")
            }
            if !names.contains("PASSWORD") {
                throw .invalidParameter("The first factors of a user pool must include PASSWORD.")
            }
            if names != ["PASSWORD"], object["UserPoolTier"]?.stringValue == "LITE" {
                throw .featureUnavailableInTier("Choice-based sign-in with passwordless factors needs the Essentials or Plus feature plan.")
            }
        }
        if let mfa = object["MfaConfiguration"]?.stringValue, !["OFF", "ON", "OPTIONAL"].contains(mfa) {
            throw .validation("mfaConfiguration", "Member must satisfy enum value set: [OFF, ON, OPTIONAL]")
        }
        if let protection = object["DeletionProtection"]?.stringValue, !["ACTIVE", "INACTIVE"].contains(protection) {
            throw .validation("deletionProtection", "Member must satisfy enum value set: [ACTIVE, INACTIVE]")
        }
        for attribute in object["AutoVerifiedAttributes"]?.arrayValue?.compactMap(\.stringValue) ?? []
        where !["phone_number", "email"].contains(attribute) {
            throw .validation("autoVerifiedAttributes", "Member must satisfy enum value set: [phone_number, email]")
        }
    }

    static func validateSignInAttributes(_ object: [String: JSONValue]) throws(DomainError) {
        let aliases = object["AliasAttributes"]?.arrayValue?.compactMap(\.stringValue) ?? []
        let usernames = object["UsernameAttributes"]?.arrayValue?.compactMap(\.stringValue) ?? []
        if !aliases.isEmpty, !usernames.isEmpty {
            throw .invalidParameter("Only one of the aliasAttributes or usernameAttributes can be set in a User Pool.")
        }
        for alias in aliases where !["phone_number", "email", "preferred_username"].contains(alias) {
            throw .validation("aliasAttributes", "Member must satisfy enum value set: [phone_number, email, preferred_username]")
        }
        for attribute in usernames where !["phone_number", "email"].contains(attribute) {
            throw .validation("usernameAttributes", "Member must satisfy enum value set: [phone_number, email]")
        }
    }

    /// The settings as DescribeUserPool shows them (without what only GetUserPoolMfaConfig shows).
    public var describedMembers: [String: JSONValue] {
        (json.objectValue ?? [:]).filter { !Self.mfaConfigurationMembers.contains($0.key) }
    }

    /// Applies SetUserPoolMfaConfig: `MfaConfiguration` and every factor are replaced by the request's
    /// (an omitted factor is turned off), with Cognito's rules: OFF cannot come with a factor, and ON or
    /// OPTIONAL need one. SMS configuration goes where CreateUserPool keeps it.
    public func withMFAConfiguration(_ request: [String: JSONValue]) throws(DomainError) -> UserPoolSettings {
        var object = json.objectValue ?? [:]
        let mode = request["MfaConfiguration"]?.stringValue ?? object["MfaConfiguration"]?.stringValue ?? "OFF"
        guard ["OFF", "ON", "OPTIONAL"].contains(mode) else {
            throw .validation("mfaConfiguration", "Member must satisfy enum value set: [OFF, ON, OPTIONAL]")
        }
        let totp = request[Self.softwareTokenMFAMember].flatMap { $0.isNull ? nil : $0 }
        let sms = request[Self.smsMFAMember].flatMap { $0.isNull ? nil : $0 }
        let email = request[Self.emailMFAMember].flatMap { $0.isNull ? nil : $0 }
        if let message = sms?["SmsAuthenticationMessage"]?.stringValue, !message.contains("{####}") {
            throw .validation("smsMfaConfiguration.smsAuthenticationMessage", "Member must satisfy regular expression pattern: .*\\{####\\}.*")
        }
        if let message = email?["Message"]?.stringValue, !message.contains("{####}") {
            throw .validation("emailMfaConfiguration.message", "Member must satisfy regular expression pattern: .*\\{####\\}.*")
        }
        let lite = object["UserPoolTier"]?.stringValue == "LITE"
        if lite, email != nil {
            throw .featureUnavailableInTier("Email MFA needs the Essentials or Plus feature plan.")
        }
        if lite, let webAuthn = request[Self.webAuthnMember], !webAuthn.isNull {
            throw .featureUnavailableInTier("Passkeys need the Essentials or Plus feature plan.")
        }
        let totpOn = totp?["Enabled"]?.boolValue == true
        let anyFactor = totpOn || sms != nil || email != nil
        if mode == "OFF", anyFactor {
            throw .invalidParameter("Invalid MFA configuration given, can't turn off MFA and configure an MFA together.")
        }
        if mode != "OFF", !anyFactor {
            throw .invalidParameter("Invalid MFA configuration given, can't disable all MFAs with a required or optional configuration.")
        }
        object["MfaConfiguration"] = .string(mode)
        object[Self.softwareTokenMFAMember] = totpOn ? .object(["Enabled": .bool(true)]) : nil
        object[Self.smsMFAMember] = sms
        object[Self.emailMFAMember] = email
        if let message = sms?["SmsAuthenticationMessage"] { object["SmsAuthenticationMessage"] = message }
        if let configuration = sms?["SmsConfiguration"] { object["SmsConfiguration"] = configuration }
        if let webAuthn = request[Self.webAuthnMember], !webAuthn.isNull { object[Self.webAuthnMember] = webAuthn }
        return UserPoolSettings(json: .object(object))
    }

    /// What GetUserPoolMfaConfig and SetUserPoolMfaConfig answer.
    public var mfaConfigurationDescription: [String: JSONValue] {
        var out: [String: JSONValue] = ["MfaConfiguration": json["MfaConfiguration"] ?? .string("OFF")]
        out[Self.softwareTokenMFAMember] = .object(["Enabled": .bool(json[Self.softwareTokenMFAMember]?["Enabled"]?.boolValue == true)])
        if let sms = json[Self.smsMFAMember] { out[Self.smsMFAMember] = sms }
        if let email = json[Self.emailMFAMember] { out[Self.emailMFAMember] = email }
        out[Self.webAuthnMember] = json[Self.webAuthnMember] ?? .object(["UserVerification": .string("preferred")])
        return out
    }

    public var passwordPolicy: PasswordPolicy { PasswordPolicy(json: json["Policies"]?["PasswordPolicy"]) }
    /// `Policies.SignInPolicy.AllowedFirstAuthFactors`: what USER_AUTH may start with (PASSWORD by default).
    public var allowedFirstAuthFactors: Set<String> {
        Set(json["Policies"]?["SignInPolicy"]?["AllowedFirstAuthFactors"]?.arrayValue?.compactMap(\.stringValue) ?? ["PASSWORD"])
    }
    public var schema: [SchemaAttribute] { json["SchemaAttributes"]?.arrayValue?.compactMap(SchemaAttribute.init(json:)) ?? [] }
    /// `UsernameAttributes`: email and/or phone_number serve as the username.
    public var usernameAttributes: [String] { json["UsernameAttributes"]?.arrayValue?.compactMap(\.stringValue) ?? [] }
    public var aliasAttributes: [String] { json["AliasAttributes"]?.arrayValue?.compactMap(\.stringValue) ?? [] }
    public var autoVerifiedAttributes: [String] { json["AutoVerifiedAttributes"]?.arrayValue?.compactMap(\.stringValue) ?? [] }
    /// `UsernameConfiguration.CaseSensitive`; the botocore model documents `true` when omitted.
    public var caseSensitive: Bool { json["UsernameConfiguration"]?["CaseSensitive"]?.boolValue ?? true }
    public var deletionProtected: Bool { json["DeletionProtection"]?.stringValue == "ACTIVE" }
    public var allowAdminCreateUserOnly: Bool { json["AdminCreateUserConfig"]?["AllowAdminCreateUserOnly"]?.boolValue ?? false }

    /// The lookup key of a username: lowercased when the pool is case-insensitive.
    public func usernameKey(_ username: String) -> String { caseSensitive ? username : username.lowercased() }

    /// The unique sign-in key of a user. In pools with `UsernameAttributes` the internal username is the
    /// sub and the email or phone number the user signs in with must be unique, so that value is the key.
    public func signInKey(username: String, attributes: [String: String]) -> String {
        if usernameAttributes.contains("email"), let email = attributes["email"], !email.isEmpty { return usernameKey(email) }
        if usernameAttributes.contains("phone_number"), let phone = attributes["phone_number"], !phone.isEmpty { return usernameKey(phone) }
        return usernameKey(username)
    }
}
