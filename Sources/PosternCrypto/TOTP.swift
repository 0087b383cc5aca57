import Crypto
import Foundation

/// Time-based one-time passwords as Cognito's SOFTWARE_TOKEN_MFA uses them (RFC 6238 over RFC 4226):
/// HMAC-SHA1, 30-second steps, 6 digits, one step of clock drift either way (spec/auth-flows.md §6).
///
/// Authenticator apps (and pyotp) read the secret as base32 without padding, which is what
/// AssociateSoftwareToken returns as `SecretCode`.
public enum TOTP {
    /// Seconds per time step.
    public static let period: Int64 = 30
    /// Digits per code.
    public static let digits = 6
    /// Steps accepted before and after the current one.
    public static let drift: Int64 = 1
    /// Bytes of a new secret: 256 bits, 52 base32 characters (Cognito's `SecretCode` length).
    public static let secretByteCount = 32

    /// A fresh random secret.
    public static func newSecret() -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<secretByteCount).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }

    /// The time step `date` falls in.
    public static func step(at date: Date) -> Int64 { Int64((date.timeIntervalSince1970 / Double(period)).rounded(.down)) }

    /// The code for `step` (RFC 4226 §5.3 dynamic truncation), zero-padded to `digits`.
    public static func code(secret: [UInt8], step: Int64, digits: Int = TOTP.digits) -> String {
        let counter = withUnsafeBytes(of: UInt64(bitPattern: step).bigEndian) { Array($0) }
        let mac = Array(HMAC<Insecure.SHA1>.authenticationCode(for: counter, using: SymmetricKey(data: secret)))
        let offset = Int(mac[mac.count - 1] & 0x0F)
        let binary =
            (UInt32(mac[offset] & 0x7F) << 24) | (UInt32(mac[offset + 1]) << 16) | (UInt32(mac[offset + 2]) << 8) | UInt32(mac[offset + 3])
        var modulus: UInt32 = 1
        for _ in 0..<digits { modulus *= 10 }
        let value = String(binary % modulus)
        return String(repeating: "0", count: digits - value.count) + value
    }

    /// The step whose code is `given`, looking `drift` steps either side of `now`, or nil. Every candidate
    /// is compared in constant time, so the answer's timing does not say which step (if any) matched.
    public static func matchingStep(_ given: String, secret: [UInt8], now: Date) -> Int64? {
        let current = step(at: now)
        let provided = Array(given.utf8)
        var found: Int64?
        for candidate in (current - drift)...(current + drift) {
            if constantTimeEquals(Array(code(secret: secret, step: candidate).utf8), provided), found == nil { found = candidate }
        }
        return found
    }
}

/// RFC 4648 base32 (upper case, no padding), the alphabet of TOTP secrets.
public enum Base32 {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".utf8)

    public static func encode(_ bytes: [UInt8]) -> String {
        var output: [UInt8] = []
        output.reserveCapacity((bytes.count * 8 + 4) / 5)
        var buffer: UInt32 = 0
        var bits = 0
        for byte in bytes {
            buffer = (buffer << 8) | UInt32(byte)
            bits += 8
            while bits >= 5 {
                output.append(alphabet[Int((buffer >> UInt32(bits - 5)) & 0x1F)])
                bits -= 5
            }
        }
        if bits > 0 { output.append(alphabet[Int((buffer << UInt32(5 - bits)) & 0x1F)]) }
        return String(decoding: output, as: UTF8.self)
    }

    /// Decodes upper- or lower-case base32, ignoring `=` padding; nil for any other character.
    public static func decode(_ text: String) -> [UInt8]? {
        var output: [UInt8] = []
        var buffer: UInt32 = 0
        var bits = 0
        for character in text.utf8 where character != UInt8(ascii: "=") {
            let upper = (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(character) ? character - 32 : character
            guard let value = alphabet.firstIndex(of: upper) else { return nil }
            buffer = (buffer << 5) | UInt32(value)
            bits += 5
            if bits >= 8 {
                output.append(UInt8((buffer >> UInt32(bits - 8)) & 0xFF))
                bits -= 8
            }
        }
        return output
    }
}
