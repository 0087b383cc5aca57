import Foundation

/// AssociateSoftwareToken: a new authenticator secret (base32), waiting for VerifySoftwareToken. The store
/// seals it with the user's data key.
public struct SoftwareTokenAssociated: EventPayload {
    public static let eventType = "SoftwareTokenAssociated"
    public var sealedSecret: Sealed<String>
    /// The MFA_SETUP session it was associated through, when the user is signing in.
    public var sessionId: String?
    public init(sealedSecret: Sealed<String>, sessionId: String? = nil) {
        self.sealedSecret = sealedSecret
        self.sessionId = sessionId
    }
}

/// VerifySoftwareToken accepted a code: the associated secret becomes the user's authenticator.
public struct SoftwareTokenVerified: EventPayload {
    public static let eventType = "SoftwareTokenVerified"
    /// The secret that was verified (the one associated last), sealed with the user's data key.
    public var sealedSecret: Sealed<String>
    /// `FriendlyDeviceName` ("Alice's phone"), sealed: it can name the person.
    public var sealedFriendlyDeviceName: Sealed<String>?
    /// The TOTP step of the code, which may not be used again.
    public var timeStep: Int64
    /// Whether verifying also turned TOTP MFA on (MFA_SETUP during sign-in does; through an access
    /// token the user turns it on with SetUserMFAPreference, as in Cognito).
    public var enablesMFA: Bool
    public var sessionId: String?
    public init(
        sealedSecret: Sealed<String>, sealedFriendlyDeviceName: Sealed<String>?, timeStep: Int64, enablesMFA: Bool, sessionId: String? = nil
    ) {
        self.sealedSecret = sealedSecret
        self.sealedFriendlyDeviceName = sealedFriendlyDeviceName
        self.timeStep = timeStep
        self.enablesMFA = enablesMFA
        self.sessionId = sessionId
    }
}

/// SetUserMFAPreference / AdminSetUserMFAPreference: the user's enabled and preferred factors after it.
public struct MFAPreferenceChanged: EventPayload {
    public static let eventType = "MFAPreferenceChanged"
    public var enabled: [MFAFactor]
    public var preferred: MFAFactor?
    /// `self` or `admin`.
    public var by: String
    public init(enabled: [MFAFactor], preferred: MFAFactor?, by: String) {
        self.enabled = enabled
        self.preferred = preferred
        self.by = by
    }
}

/// A wrong TOTP code (VerifySoftwareToken or a SOFTWARE_TOKEN_MFA answer), recorded for the audit trail.
public struct SoftwareTokenCodeRejected: EventPayload {
    public static let eventType = "SoftwareTokenCodeRejected"
    /// `VerifySoftwareToken` or `SOFTWARE_TOKEN_MFA`.
    public var context: String
    /// `code_mismatch` or `code_reused`.
    public var reason: String
    public var sessionId: String?
    public init(context: String, reason: String, sessionId: String? = nil) {
        self.context = context
        self.reason = reason
        self.sessionId = sessionId
    }
}
