import Foundation

/// CompleteWebAuthnRegistration: a passkey the user registered, with its COSE public key (base64) and
/// counter. The friendly name is sealed: authenticators name it after the person or the device.
public struct WebAuthnCredentialRegistered: EventPayload {
    public static let eventType = "WebAuthnCredentialRegistered"
    /// base64url, as WebAuthn's `id`.
    public var credentialId: String
    public var publicKey: String
    public var signCount: Int
    public var relyingPartyId: String
    public var sealedName: Sealed<String>?
    public var attachment: String?
    public var transports: [String]
    public var attestationFormat: String
    public init(
        credentialId: String, publicKey: String, signCount: Int, relyingPartyId: String, sealedName: Sealed<String>?, attachment: String?,
        transports: [String], attestationFormat: String
    ) {
        self.credentialId = credentialId
        self.publicKey = publicKey
        self.signCount = signCount
        self.relyingPartyId = relyingPartyId
        self.sealedName = sealedName
        self.attachment = attachment
        self.transports = transports
        self.attestationFormat = attestationFormat
    }
}

/// DeleteWebAuthnCredential: the passkey no longer signs in.
public struct WebAuthnCredentialDeleted: EventPayload {
    public static let eventType = "WebAuthnCredentialDeleted"
    public var credentialId: String
    public init(credentialId: String) { self.credentialId = credentialId }
}
