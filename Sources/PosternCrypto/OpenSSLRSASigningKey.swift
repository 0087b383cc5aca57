import COpenSSL

/// An RSA private key in OpenSSL that makes RS256 (or RS512) signatures (RSASSA-PKCS1-v1_5 with SHA-256 or
/// SHA-512, RFC 8017 §8.2; identity-pool tokens are RS512 as AWS signs them).
///
/// Hand-written because jwt-kit signs through swift-crypto's BoringSSL, which needs ~0.9 ms for a 2048-bit
/// signature where OpenSSL 3 needs ~0.4 ms, and every sign-in signs two tokens. Verification runs here too,
/// on bytes already split and decoded once (jwt-kit decoded every token's JSON twice). The `EVP_PKEY` is written only in `init`, OpenSSL allows concurrent read use of a
/// key after that, and each `sign` call has its own `EVP_MD_CTX`: that is what makes `@unchecked Sendable` sound.
package final class OpenSSLRSASigningKey: @unchecked Sendable {
    /// The owned `EVP_PKEY *`; written only during `init`, then read-only.
    private let key: OpaquePointer

    /// The signature length in bytes (the modulus size).
    package let signatureByteCount: Int

    /// The digest of RSASSA-PKCS1-v1_5.
    package enum Digest: Sendable {
        case sha256, sha512
        var algorithm: OpaquePointer? { self == .sha256 ? EVP_sha256() : EVP_sha512() }
    }

    package let digest: Digest

    /// Parses an unencrypted PEM RSA private key (PKCS #1 `RSA PRIVATE KEY` or PKCS #8 `PRIVATE KEY`).
    /// Throws `CryptoError.invalidKey` for anything else, including RSA-PSS-only and encrypted keys.
    package init(pem: String, digest: Digest = .sha256) throws(CryptoError) {
        self.digest = digest
        var pem = pem
        let parsed: OpaquePointer? = pem.withUTF8 { text in
            guard let bio = BIO_new_mem_buf(text.baseAddress, Int32(text.count)) else { return nil }
            defer { BIO_free(bio) }
            // A callback that offers no passphrase: with none, OpenSSL would prompt on the terminal for an encrypted key.
            return PEM_read_bio_PrivateKey(bio, nil, { _, _, _, _ in 0 }, nil)
        }
        guard let parsed else {
            ERR_clear_error()
            throw .invalidKey
        }
        // Only a plain RSA key signs PKCS #1 v1.5 by default; an RSA-PSS key would make randomized PSS signatures.
        guard EVP_PKEY_get_base_id(parsed) == EVP_PKEY_RSA, EVP_PKEY_get_size(parsed) > 0 else {
            EVP_PKEY_free(parsed)
            throw .invalidKey
        }
        key = parsed
        signatureByteCount = Int(EVP_PKEY_get_size(parsed))
    }

    deinit {
        EVP_PKEY_free(key)
    }

    /// The signature of `message`. Safe to call from many threads at once.
    package func sign(_ message: some Collection<UInt8>) throws(CryptoError) -> [UInt8] {
        let signature = message.withContiguousStorageIfAvailable(sign(contiguous:)) ?? Array(message).withUnsafeBufferPointer(sign(contiguous:))
        guard let signature else {
            ERR_clear_error()
            throw .signingFailed
        }
        return signature
    }

    /// One `EVP_DigestSign` with a fresh context; `nil` on any OpenSSL failure.
    private func sign(contiguous message: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        guard let context = EVP_MD_CTX_new() else { return nil }
        defer { EVP_MD_CTX_free(context) }
        guard EVP_DigestSignInit(context, nil, digest.algorithm, nil, key) == 1 else { return nil }
        var signature = [UInt8](repeating: 0, count: signatureByteCount)
        var length = signature.count
        let status = signature.withUnsafeMutableBufferPointer { output in
            EVP_DigestSign(context, output.baseAddress, &length, message.baseAddress, message.count)
        }
        guard status == 1, length == signatureByteCount else { return nil }
        return signature
    }

    /// Whether `signature` is this key's signature of `message`. Safe to call from many threads at once.
    package func isValidSignature(_ signature: [UInt8], for message: some Collection<UInt8>) -> Bool {
        // PKCS #1 v1.5 signatures are exactly the modulus long; anything else is refused before OpenSSL sees it.
        guard signature.count == signatureByteCount else { return false }
        let valid =
            message.withContiguousStorageIfAvailable { verify(signature, contiguous: $0) }
            ?? Array(message).withUnsafeBufferPointer { verify(signature, contiguous: $0) }
        if !valid { ERR_clear_error() }
        return valid
    }

    private func verify(_ signature: [UInt8], contiguous message: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let context = EVP_MD_CTX_new() else { return false }
        defer { EVP_MD_CTX_free(context) }
        guard EVP_DigestVerifyInit(context, nil, digest.algorithm, nil, key) == 1 else { return false }
        return signature.withUnsafeBufferPointer { signature in
            EVP_DigestVerify(context, signature.baseAddress, signature.count, message.baseAddress, message.count) == 1
        }
    }
}
