import Foundation

/// The first factors a choice-based sign-in (USER_AUTH) offers a user: what the pool allows
/// (`AllowedFirstAuthFactors`) and the user can use — a password (plain or SRP), a code to a verified
/// email address or phone number, a registered passkey.
public enum FirstFactors {
    /// The challenge names of SELECT_CHALLENGE's `AvailableChallenges`, in Cognito's order.
    public static func available(
        allowed: Set<String>, hasPassword: Bool, hasPasskey: Bool = false, hasVerifiedEmail: Bool, hasVerifiedPhoneNumber: Bool
    ) -> [String] {
        var challenges: [String] = []
        if allowed.contains("WEB_AUTHN"), hasPasskey { challenges.append("WEB_AUTHN") }
        if allowed.contains("PASSWORD"), hasPassword { challenges += ["PASSWORD", "PASSWORD_SRP"] }
        if allowed.contains("EMAIL_OTP"), hasVerifiedEmail { challenges.append("EMAIL_OTP") }
        if allowed.contains("SMS_OTP"), hasVerifiedPhoneNumber { challenges.append("SMS_OTP") }
        return challenges
    }
}
