import Crypto
import Foundation
import PosternCore

/// Errors of the crypto layer. Descriptions never include key material or plaintext.
public enum CryptoError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidMasterKey
    case sealedDataCorrupt
    case keyUnavailable
    case invalidKey
    case signingFailed

    public var description: String {
        switch self {
        case .invalidMasterKey: "the master key must be 32 bytes, base64-encoded"
        case .sealedDataCorrupt: "sealed data could not be opened"
        case .keyUnavailable: "the data key is gone"
        case .invalidKey: "a stored key could not be read"
        case .signingFailed: "a signature could not be made"
        }
    }
}

/// The key that is never in the database: it wraps per-user data keys and seals server secrets.
///
/// Sub-keys are derived with HKDF per purpose, so a key used to wrap data keys never also seals
/// signing keys or hashes codes.
public struct MasterKey: Sendable {
    let key: SymmetricKey

    public init(base64: String) throws(CryptoError) {
        guard let bytes = Data(base64Encoded: base64.trimmingCharacters(in: .whitespacesAndNewlines)), bytes.count == 32 else {
            throw .invalidMasterKey
        }
        key = SymmetricKey(data: bytes)
    }

    /// A fresh random master key, base64-encoded (for first start and tests).
    public static func generateBase64() -> String {
        SymmetricKey(size: .bits256).withUnsafeBytes { Data($0).base64EncodedString() }
    }

    func derived(_ purpose: String) -> SymmetricKey {
        HKDF<SHA256>.deriveKey(inputKeyMaterial: key, info: Data("postern \(purpose)".utf8), outputByteCount: 32)
    }

    /// The sealer for server secrets kept in the database (signing keys, client secrets, admin secrets).
    public var secrets: Sealer { Sealer(key: derived("server secrets v1")) }

    /// The sealer for state handed to clients (challenge sessions): a key of its own, so nothing a client
    /// holds was ever sealed under the key of stored secrets, and each purpose is bound as associated
    /// data, so a sealed value of one purpose cannot be passed off as another.
    public var sessions: Sealer { Sealer(key: derived("client sessions v1")) }

    /// Keyed hash for one-time codes and refresh tokens, so a database reader cannot brute-force them.
    public var codeHasher: CodeHasher { CodeHasher(key: derived("code hashing v1")) }
    /// Seals temporary credentials into their session token (`SessionCredentials`).
    public var sessionCredentials: Sealer { Sealer(key: derived("session credentials v1")) }

    var wrapping: SymmetricKey { derived("data key wrapping v1") }

    /// The key of the event log's keyed hash chain and signed checkpoints (HKDF info "postern chain v1").
    public var chainKey: SymmetricKey { derived("chain v1") }

    /// A new per-subject data key: the raw key for sealing now, and its wrapped form for the database.
    public func newDataKey() throws -> (key: Sealer, wrapped: [UInt8]) {
        let raw = SymmetricKey(size: .bits256)
        let wrapped = try AES.GCM.seal(raw.withUnsafeBytes { Data($0) }, using: wrapping).combined ?? Data()
        return (Sealer(key: raw), [UInt8](wrapped))
    }

    /// Unwraps a data key read from the database.
    public func unwrap(_ wrapped: [UInt8]) throws(CryptoError) -> Sealer {
        do {
            let raw = try AES.GCM.open(AES.GCM.SealedBox(combined: wrapped), using: wrapping)
            return Sealer(key: SymmetricKey(data: raw))
        } catch {
            throw .sealedDataCorrupt
        }
    }
}

/// AES-256-GCM sealing to a compact string `v1.<base64url(nonce‖ciphertext‖tag)>`.
public struct Sealer: Sendable {
    let key: SymmetricKey

    public func seal(_ plaintext: some DataProtocol) throws -> String {
        guard let combined = try AES.GCM.seal(Data(plaintext), using: key).combined else { throw CryptoError.sealedDataCorrupt }
        return "v1." + Base64URL.encode(combined)
    }

    public func seal(_ text: String) throws -> String { try seal(Data(text.utf8)) }

    public func seal(json value: some Encodable) throws -> String { try seal(try JSONEncoder().encode(value)) }

    /// Seals `value` bound to `purpose` (AES-GCM associated data): it opens only for that purpose.
    public func seal(json value: some Encodable, purpose: String) throws -> String {
        let box = try AES.GCM.seal(try JSONEncoder().encode(value), using: key, authenticating: Data(purpose.utf8))
        guard let combined = box.combined else { throw CryptoError.sealedDataCorrupt }
        return "v1." + Base64URL.encode(combined)
    }

    /// Opens a value sealed for `purpose`; any other purpose, key or tampering fails.
    public func open<T: Decodable>(_ sealed: String, as type: T.Type, purpose: String) throws -> T {
        guard sealed.hasPrefix("v1."), let combined = Base64URL.decode(String(sealed.dropFirst(3))) else { throw CryptoError.sealedDataCorrupt }
        let plaintext: Data
        do {
            plaintext = try AES.GCM.open(AES.GCM.SealedBox(combined: combined), using: key, authenticating: Data(purpose.utf8))
        } catch {
            throw CryptoError.sealedDataCorrupt
        }
        return try JSONDecoder().decode(T.self, from: plaintext)
    }

    /// Seals `value` for `purpose` to raw bytes (nonce ‖ ciphertext ‖ tag), for a value a client carries
    /// in a format of its own (SRP's standard-base64 `SECRET_BLOCK`).
    ///
    /// `blockSize` pads the JSON with trailing spaces (which JSON ignores) to a multiple of it, so the sealed
    /// length says nothing about the value's (an SRP SECRET_BLOCK of a real user and of a decoy look alike).
    public func sealedBytes(json value: some Encodable, purpose: String, paddedTo blockSize: Int = 1) throws -> [UInt8] {
        var plaintext = try JSONEncoder().encode(value)
        let padded = (plaintext.count + blockSize - 1) / blockSize * blockSize
        plaintext.append(contentsOf: repeatElement(UInt8(ascii: " "), count: padded - plaintext.count))
        let box = try AES.GCM.seal(plaintext, using: key, authenticating: Data(purpose.utf8))
        guard let combined = box.combined else { throw CryptoError.sealedDataCorrupt }
        return Array(combined)
    }

    /// Opens bytes from ``sealedBytes(json:purpose:)``; any other purpose, key or tampering fails.
    public func open<T: Decodable>(bytes combined: [UInt8], as type: T.Type, purpose: String) throws -> T {
        let plaintext: Data
        do {
            plaintext = try AES.GCM.open(AES.GCM.SealedBox(combined: combined), using: key, authenticating: Data(purpose.utf8))
        } catch {
            throw CryptoError.sealedDataCorrupt
        }
        return try JSONDecoder().decode(T.self, from: plaintext)
    }

    public func open(_ sealed: String) throws(CryptoError) -> [UInt8] {
        guard sealed.hasPrefix("v1."), let combined = Base64URL.decode(String(sealed.dropFirst(3))) else { throw .sealedDataCorrupt }
        do {
            return [UInt8](try AES.GCM.open(AES.GCM.SealedBox(combined: combined), using: key))
        } catch {
            throw .sealedDataCorrupt
        }
    }

    public func open<T: Decodable>(_ sealed: String, as type: T.Type) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(try open(sealed)))
    }
}

/// The store seals events' personal data with a subject's `Sealer`.
extension Sealer: PersonalDataSealer {
    public func seal(personalData plaintext: [UInt8]) throws -> String { try seal(Data(plaintext)) }

    /// The value of an event's `Sealed` field: opened with this key when it is ciphertext.
    public func open<T>(_ sealed: Sealed<T>) throws -> T {
        switch sealed {
        case .plaintext(let value): return value
        case .ciphertext(let text): return try open(text, as: T.self)
        }
    }
}

/// HMAC-SHA256 of short secrets under a server key, hex-encoded.
public struct CodeHasher: Sendable {
    let key: SymmetricKey

    public func hash(_ value: String, context: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data("\(context)\u{1f}\(value)".utf8), using: key)
        return mac.map { String(format: "%02x", $0) }.joined()
    }
}

/// Base64url without padding (RFC 4648 §5), as JWTs and tokens use it.
public enum Base64URL {
    /// Rewrites Foundation's base64 byte by byte: three `replacingOccurrences` passes took ~0.1 ms for a
    /// token's payload and ~0.08 ms for its signature, where this takes microseconds.
    public static func encode(_ data: some DataProtocol) -> String {
        let base64 = Data(data).base64EncodedData()
        var encoded: [UInt8] = []
        encoded.reserveCapacity(base64.count)
        for byte in base64 {
            switch byte {
            case UInt8(ascii: "+"): encoded.append(UInt8(ascii: "-"))
            case UInt8(ascii: "/"): encoded.append(UInt8(ascii: "_"))
            case UInt8(ascii: "="): continue
            default: encoded.append(byte)
            }
        }
        return String(decoding: encoded, as: UTF8.self)
    }

    /// The inverse, in one pass over the bytes (it sits on every token verification and `Sealer.open`).
    public static func decode(_ string: String) -> Data? {
        var base64: [UInt8] = []
        base64.reserveCapacity(string.utf8.count + 3)
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "-"): base64.append(UInt8(ascii: "+"))
            case UInt8(ascii: "_"): base64.append(UInt8(ascii: "/"))
            default: base64.append(byte)
            }
        }
        while base64.count % 4 != 0 { base64.append(UInt8(ascii: "=")) }
        return Data(base64Encoded: Data(base64))
    }
}

/// Opens subject-sealed data for the store's projector using the master key.
public struct MasterKeyOpener: Sendable {
    public let master: MasterKey
    public init(master: MasterKey) { self.master = master }

    public func open(_ sealed: String, wrappedKey: [UInt8]) throws -> [UInt8] {
        try master.unwrap(wrappedKey).open(sealed)
    }
}

/// Random values for ids, codes and secrets.
public enum Random {
    /// `count` random bytes from the system CSPRNG.
    public static func bytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }

    /// A string of `count` characters drawn uniformly from `alphabet`.
    public static func string(_ count: Int, alphabet: String) -> String {
        let characters = Array(alphabet)
        var generator = SystemRandomNumberGenerator()
        return String((0..<count).map { _ in characters[Int.random(in: 0..<characters.count, using: &generator)] })
    }

    /// A six-digit one-time code.
    public static func code() -> String { string(6, alphabet: "0123456789") }

    /// An opaque token of 32 random bytes, base64url.
    public static func token() -> String { Base64URL.encode(bytes(32)) }
}

/// How a one-time code reaches a CustomEmailSender / CustomSMSSender hook whose declaration names a
/// code key: AES-256-GCM under that key, standard base64 of `nonce(12) ‖ ciphertext ‖ tag(16)`, which
/// any AES-GCM library opens (Cognito uses KMS here; a self-hosted server has no KMS to offer).
public enum CodeEnvelope {
    public static func seal(_ code: String, key: [UInt8]) throws -> String {
        guard key.count == 32 else { throw CryptoError.sealedDataCorrupt }
        guard let combined = try AES.GCM.seal(Data(code.utf8), using: SymmetricKey(data: key)).combined else {
            throw CryptoError.sealedDataCorrupt
        }
        return combined.base64EncodedString()
    }

    public static func open(_ sealed: String, key: [UInt8]) throws -> String {
        guard let combined = Data(base64Encoded: sealed) else { throw CryptoError.sealedDataCorrupt }
        return String(decoding: try AES.GCM.open(AES.GCM.SealedBox(combined: combined), using: SymmetricKey(data: key)), as: UTF8.self)
    }
}
