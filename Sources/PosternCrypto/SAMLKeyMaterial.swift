import Crypto
import Foundation
import PosternCore
import SwiftASN1
import X509
import _CryptoExtras

/// The key material of IAM SAML providers: the signing certificates their metadata lists and the private keys
/// that decrypt their encrypted assertions (UpdateSAMLProvider AddPrivateKey), sealed for the event log.
public enum SAMLKeyMaterial {
    /// The associated data every private key is sealed with, so a sealed SAML key opens as nothing else.
    static let purpose = "iam saml provider private key v1"

    /// Whether `der` is an X.509 certificate (swift-certificates parses it).
    public static func isCertificate(_ der: [UInt8]) -> Bool {
        (try? Certificate(derEncoded: der)) != nil
    }

    /// The key id IAM lists for a private key (`privateKeyIdType`: `[A-Z0-9]{22,64}`): the first 128 bits of the
    /// SHA-256 of its public key (SubjectPublicKeyInfo DER), base32, 26 characters. The same key always gets the
    /// same id, so a key uploaded twice is recognised, and the id says nothing the public key does not.
    ///
    /// The key must be an unencrypted PEM RSA private key (PKCS #1 or PKCS #8) of at least 2048 bits: SAML's
    /// assertion encryption wraps the AES key with RSA-OAEP or RSA 1.5 (XML Encryption § 5.4).
    public static func keyId(ofPrivateKey pem: String) throws(CryptoError) -> String {
        let key: _RSA.Encryption.PrivateKey
        do { key = try _RSA.Encryption.PrivateKey(pemRepresentation: pem) } catch { throw .invalidKey }
        let digest = SHA256.hash(data: key.publicKey.derRepresentation)
        return Base32.encode(Array(digest.prefix(16)))
    }

    /// Checks and names `pem`, then seals it with `sealer` (the master key's server-secrets sealer).
    public static func seal(privateKey pem: String, with sealer: Sealer) throws -> (keyId: String, sealedKey: String) {
        let keyId = try keyId(ofPrivateKey: pem)
        return (keyId, try sealer.seal(json: pem, purpose: purpose))
    }

    /// The PEM text of a sealed private key, for the assertion decrypter.
    public static func openPrivateKey(_ sealed: String, with sealer: Sealer) throws -> String {
        try sealer.open(sealed, as: String.self, purpose: purpose)
    }
}
