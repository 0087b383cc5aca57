import Crypto
import Foundation
import SwiftASN1
import X509
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
            guard let signature = statement?[text: "sig"]?.bytesValue, let algorithm = statement?[text: "alg"]?.intValue else {
                throw .malformed("packed attestation without alg or sig")
            }
            let signed = authBytes + Array(SHA256.hash(data: clientDataJSON))
            if let chain = statement?[text: "x5c"] {
                // Full attestation (§8.2.1): the attestation certificate signs; its form is checked, the
                // chain's trust is the relying party's policy and is not evaluated here.
                guard let leafBytes = chain.arrayValue?.first?.bytesValue else { throw .malformed("packed x5c without a certificate") }
                try Self.verifyAttestationCertificate(leafBytes, algorithm: algorithm, signature: signature, signed: signed, aaguid: aaguid)
            } else {
                guard algorithm == publicKey.algorithm else {
                    throw .unsupportedAttestation("packed self-attestation must use the credential's own algorithm")
                }
                guard publicKey.isValidSignature(signature, for: signed) else { throw .badSignature }
            }
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

    /// The packed attestation certificate's requirements (WebAuthn §8.2.1) and its signature over the
    /// authenticator data and the client data hash.
    static func verifyAttestationCertificate(
        _ der: [UInt8], algorithm: Int64, signature: [UInt8], signed: [UInt8], aaguid: [UInt8]
    ) throws(WebAuthnError) {
        let certificate: Certificate
        do { certificate = try Certificate(derEncoded: der) } catch { throw .malformed("the attestation certificate is not DER X.509") }
        guard certificate.version == .v3 else { throw .unsupportedAttestation("the attestation certificate is not version 3") }
        let unit = certificate.subject.flatMap { $0 }.first { $0.type == .RDNAttributeType.organizationalUnitName }
        guard let unit, String(describing: unit.value) == "Authenticator Attestation" else {
            throw .unsupportedAttestation("the attestation certificate's OU is not \"Authenticator Attestation\"")
        }
        if case .isCertificateAuthority = (try? certificate.extensions.basicConstraints) ?? .notCertificateAuthority {
            throw .unsupportedAttestation("the attestation certificate is a CA")
        }
        // id-fido-gen-ce-aaguid, when present, must name the authenticator's AAGUID (an OCTET STRING).
        if let extensionValue = certificate.extensions[oid: [1, 3, 6, 1, 4, 1, 45724, 1, 1, 4]]?.value,
            Array(extensionValue.suffix(16)) != aaguid || extensionValue.count != 18
        {
            throw .unsupportedAttestation("the attestation certificate names another AAGUID")
        }
        let valid: Bool
        switch algorithm {
        case -7:
            guard let key = P256.Signing.PublicKey(certificate.publicKey),
                let parsed = try? P256.Signing.ECDSASignature(derRepresentation: signature)
            else { throw .unsupportedAlgorithm }
            valid = key.isValidSignature(parsed, for: signed)
        case -257:
            guard let key = _RSA.Signing.PublicKey(certificate.publicKey) else { throw .unsupportedAlgorithm }
            valid = key.isValidSignature(_RSA.Signing.RSASignature(rawRepresentation: signature), for: signed, padding: .insecurePKCS1v1_5)
        default:
            throw .unsupportedAlgorithm
        }
        guard valid else { throw .badSignature }
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
