import Crypto
import Foundation
import _CryptoExtras

/// Why a WebAuthn registration or assertion is refused.
public enum WebAuthnError: Error, Equatable, Sendable {
    case malformed(String)
    case wrongType
    case challengeMismatch
    case originNotAllowed(String)
    case relyingPartyMismatch
    case userNotPresent
    case userNotVerified
    case unsupportedAlgorithm
    case unsupportedAttestation(String)
    case badSignature
    /// The authenticator's counter did not move forward: a cloned authenticator.
    case signCountRegressed
}

/// The authenticator data of a registration or an assertion (WebAuthn §6.1).
public struct AuthenticatorData: Equatable, Sendable {
    public var rpIdHash: [UInt8]
    public var userPresent: Bool
    public var userVerified: Bool
    public var signCount: UInt32
    /// Present in registrations (the AT flag).
    public var credentialId: [UInt8]?
    public var aaguid: [UInt8]?
    /// The credential's public key, as COSE CBOR bytes.
    public var credentialPublicKey: [UInt8]?

    public init(_ bytes: [UInt8]) throws(WebAuthnError) {
        guard bytes.count >= 37 else { throw .malformed("authenticator data is too short") }
        rpIdHash = Array(bytes[0..<32])
        let flags = bytes[32]
        userPresent = flags & 0x01 != 0
        userVerified = flags & 0x04 != 0
        signCount = bytes[33..<37].reduce(0) { $0 << 8 | UInt32($1) }
        guard flags & 0x40 != 0 else { return }
        guard bytes.count >= 55 else { throw .malformed("attested credential data is truncated") }
        aaguid = Array(bytes[37..<53])
        let length = Int(bytes[53]) << 8 | Int(bytes[54])
        guard bytes.count >= 55 + length else { throw .malformed("credential id is truncated") }
        credentialId = Array(bytes[55..<55 + length])
        let rest = Array(bytes[(55 + length)...])
        do {
            let (_, used) = try CBOR.decodePrefix(rest)
            credentialPublicKey = Array(rest[0..<used])
        } catch {
            throw .malformed("credential public key: \(error.reason)")
        }
    }
}

/// A credential public key (COSE, RFC 9053): ES256 (P-256) or RS256 (RSA PKCS #1 v1.5, 2048 bits or more).
public struct WebAuthnPublicKey: Sendable {
    enum Key: Sendable {
        case es256(P256.Signing.PublicKey)
        case rs256(_RSA.Signing.PublicKey)
    }
    let key: Key
    /// The COSE algorithm (-7 or -257).
    public let algorithm: Int64

    public init(cose bytes: [UInt8]) throws(WebAuthnError) {
        let cose: CBOR
        do { cose = try CBOR.decode(bytes) } catch { throw .malformed("COSE key: \(error.reason)") }
        switch (cose[int: 1]?.intValue, cose[int: 3]?.intValue) {
        case (2, -7):
            guard cose[int: -1]?.intValue == 1, let x = cose[int: -2]?.bytesValue, let y = cose[int: -3]?.bytesValue, x.count == 32, y.count == 32
            else { throw .unsupportedAlgorithm }
            do {
                key = .es256(try P256.Signing.PublicKey(x963Representation: [0x04] + x + y))
            } catch {
                throw .malformed("the COSE key is not a P-256 point")
            }
            algorithm = -7
        case (3, -257):
            guard let n = cose[int: -1]?.bytesValue, let e = cose[int: -2]?.bytesValue else { throw .unsupportedAlgorithm }
            do {
                key = .rs256(try _RSA.Signing.PublicKey(n: n, e: e))
            } catch {
                throw .unsupportedAlgorithm
            }
            algorithm = -257
        default:
            throw .unsupportedAlgorithm
        }
    }

    /// Checks a signature over `message`: ECDSA P-256/SHA-256 in ASN.1 DER, or RSASSA-PKCS1-v1_5/SHA-256.
    public func isValidSignature(_ signature: [UInt8], for message: [UInt8]) -> Bool {
        switch key {
        case .es256(let key):
            guard let parsed = try? P256.Signing.ECDSASignature(derRepresentation: signature) else { return false }
            return key.isValidSignature(parsed, for: message)
        case .rs256(let key):
            return key.isValidSignature(_RSA.Signing.RSASignature(rawRepresentation: signature), for: message, padding: .insecurePKCS1v1_5)
        }
    }
}

/// What a relying party checks (WebAuthn §7): the client data, the relying party, the flags, the
/// signature and the counter. Pure: the caller keeps challenges and credentials.
public struct WebAuthnRelyingParty: Sendable {
    public var id: String
    public var allowedOrigins: Set<String>
    public var requiresUserVerification: Bool

    public init(id: String, allowedOrigins: Set<String>, requiresUserVerification: Bool) {
        self.id = id
        self.allowedOrigins = allowedOrigins
        self.requiresUserVerification = requiresUserVerification
    }

    /// A new credential from `navigator.credentials.create()`.
    public struct Registration: Equatable, Sendable {
        public var credentialId: [UInt8]
        public var publicKey: [UInt8]
        public var signCount: UInt32
        public var aaguid: [UInt8]
        public var attestationFormat: String
        public var userVerified: Bool
    }

    /// Verifies a registration: attestation `none`, or `packed` self-attestation (signed by the new key).
    public func verifyRegistration(clientDataJSON: [UInt8], attestationObject: [UInt8], challenge: [UInt8]) throws(WebAuthnError)
        -> Registration
    {
        try checkClientData(clientDataJSON, type: "webauthn.create", challenge: challenge)
        let attestation: CBOR
        do { attestation = try CBOR.decode(attestationObject) } catch { throw .malformed("attestation object: \(error.reason)") }
        guard let format = attestation[text: "fmt"]?.textValue, let authBytes = attestation[text: "authData"]?.bytesValue else {
            throw .malformed("attestation object without fmt or authData")
        }
        let data = try AuthenticatorData(authBytes)
        try checkAuthenticatorData(data)
        guard let credentialId = data.credentialId, let publicKeyBytes = data.credentialPublicKey, let aaguid = data.aaguid else {
            throw .malformed("a registration without attested credential data")
        }
        let publicKey = try WebAuthnPublicKey(cose: publicKeyBytes)
        switch format {
        case "none":
            break
        case "packed":
            let statement = attestation[text: "attStmt"]
            guard statement?[text: "x5c"] == nil else { throw .unsupportedAttestation("packed with a certificate chain") }
            guard statement?[text: "alg"]?.intValue == publicKey.algorithm, let signature = statement?[text: "sig"]?.bytesValue else {
                throw .unsupportedAttestation("packed self-attestation must use the credential's own algorithm")
            }
            let signed = authBytes + Array(SHA256.hash(data: clientDataJSON))
            guard publicKey.isValidSignature(signature, for: signed) else { throw .badSignature }
        default:
            throw .unsupportedAttestation(format)
        }
        return Registration(
            credentialId: credentialId, publicKey: publicKeyBytes, signCount: data.signCount, aaguid: aaguid, attestationFormat: format,
            userVerified: data.userVerified)
    }

    /// Verifies an assertion from `navigator.credentials.get()` by a registered credential; returns the new
    /// signature counter to store.
    public func verifyAssertion(
        clientDataJSON: [UInt8], authenticatorData: [UInt8], signature: [UInt8], challenge: [UInt8], publicKey: [UInt8],
        storedSignCount: UInt32
    ) throws(WebAuthnError) -> UInt32 {
        try checkClientData(clientDataJSON, type: "webauthn.get", challenge: challenge)
        let data = try AuthenticatorData(authenticatorData)
        try checkAuthenticatorData(data)
        let key = try WebAuthnPublicKey(cose: publicKey)
        guard key.isValidSignature(signature, for: authenticatorData + Array(SHA256.hash(data: clientDataJSON))) else { throw .badSignature }
        // Counters that both stay at zero mean the authenticator keeps none (passkeys synced across devices).
        if data.signCount != 0 || storedSignCount != 0, data.signCount <= storedSignCount { throw .signCountRegressed }
        return data.signCount
    }

    func checkClientData(_ json: [UInt8], type: String, challenge: [UInt8]) throws(WebAuthnError) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json)) as? [String: Any] else {
            throw .malformed("clientDataJSON is not a JSON object")
        }
        guard object["type"] as? String == type else { throw .wrongType }
        guard let given = object["challenge"] as? String, let decoded = Base64URL.decode(given), constantTimeEquals(Array(decoded), challenge)
        else { throw .challengeMismatch }
        let origin = object["origin"] as? String ?? ""
        guard allowedOrigins.contains(origin) else { throw .originNotAllowed(origin) }
    }

    func checkAuthenticatorData(_ data: AuthenticatorData) throws(WebAuthnError) {
        guard constantTimeEquals(data.rpIdHash, Array(SHA256.hash(data: Array(id.utf8)))) else { throw .relyingPartyMismatch }
        guard data.userPresent else { throw .userNotPresent }
        if requiresUserVerification, !data.userVerified { throw .userNotVerified }
    }
}
