import Foundation

/// The rules of setting up a TOTP authenticator (AssociateSoftwareToken, then VerifySoftwareToken), by
/// access token or through the MFA_SETUP challenge of a sign-in.
///
/// Pure: the caller draws the secret and checks the code (RFC 6238 in PosternCrypto); this decides what
/// is recorded. A verified secret through MFA_SETUP also turns TOTP MFA on, so the sign-in can finish.
public enum SoftwareTokenSetup {
    /// Why a setup step is refused (the API maps each to Cognito's exception).
    public enum Refusal: Error, Equatable, Sendable {
        /// The pool does not offer TOTP (SoftwareTokenMFANotFoundException).
        case poolOffersNoSoftwareToken
        /// VerifySoftwareToken before AssociateSoftwareToken (InvalidParameterException).
        case nothingAssociated
    }

    /// What a VerifySoftwareToken call records.
    public enum Verification: Sendable {
        /// The code matched: the secret becomes the user's TOTP factor.
        case verified(SoftwareTokenVerified)
        /// The code did not match (EnableSoftwareTokenMFAException; counts toward the wrong-code limit).
        case rejected(SoftwareTokenCodeRejected)
    }

    /// AssociateSoftwareToken: `secret` (base32, drawn by the caller) is pending until verified.
    public static func associate(secret: String, poolFactors: Set<MFAFactor>, sessionId: String?) throws(Refusal) -> SoftwareTokenAssociated {
        guard poolFactors.contains(.softwareToken) else { throw .poolOffersNoSoftwareToken }
        return SoftwareTokenAssociated(sealedSecret: .plaintext(secret), sessionId: sessionId)
    }

    /// VerifySoftwareToken: `pendingSecret` is the associated secret (nil: none), `matchedStep` the TOTP
    /// step the code matched (nil: no match).
    public static func verify(
        pendingSecret: String?, matchedStep: Int64?, friendlyDeviceName: String?, sessionId: String?
    ) throws(Refusal) -> Verification {
        guard let secret = pendingSecret else { throw .nothingAssociated }
        guard let step = matchedStep else {
            return .rejected(SoftwareTokenCodeRejected(context: "VerifySoftwareToken", reason: "code_mismatch", sessionId: sessionId))
        }
        return .verified(
            SoftwareTokenVerified(
                sealedSecret: .plaintext(secret), sealedFriendlyDeviceName: friendlyDeviceName.map(Sealed.plaintext), timeStep: step,
                enablesMFA: sessionId != nil, sessionId: sessionId))
    }
}
