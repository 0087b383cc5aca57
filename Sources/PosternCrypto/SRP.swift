import Crypto
import Foundation

/// The maths of Cognito's SRP-6a variant (auth-flows.md §8), shared by ``PasswordVerifier`` and
/// ``SRPServerChallenge``.
///
/// It differs from RFC 5054: `k = H(padHex(N) ‖ padHex(g))` (g is not padded to |N|), every hashed
/// number uses the `padHex` encoding (minimal big-endian bytes plus a `00` byte when the top bit is set),
/// and the session key is a 16-byte HKDF output with info "Caldera Derived Key".
public enum SRP {
    /// The RFC 3526 3072-bit MODP prime `N`.
    package static let modulus: BigNumber = {
        let hex =
            "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD"
            + "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
            + "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F"
            + "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
            + "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510"
            + "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7"
            + "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C"
            + "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF"
        guard let modulus = BigNumber(hex: hex) else { preconditionFailure("invalid SRP modulus literal") }
        return modulus
    }()

    /// The generator `g = 2`.
    package static let generator = BigNumber(2)

    /// The multiplier `k = H(padHex(N) ‖ padHex(g))`.
    package static let multiplier = hashNumber(paddedBytes(modulus) + paddedBytes(generator))

    /// The size of `N` in bytes; every value mod N fits.
    package static let modulusByteCount = 384

    /// The HKDF info string of Cognito's session key.
    static let keyDerivationInfo = Array("Caldera Derived Key".utf8)

    // MARK: Encoding

    /// The bytes behind Cognito's `padHex(n)`: minimal big-endian bytes, with a leading `00` when the top bit
    /// is set (so the value stays positive as two's complement); zero is a single `00`.
    package static func paddedBytes(_ number: BigNumber) -> [UInt8] {
        let bytes = number.bytes
        guard let first = bytes.first, first < 0x80 else { return [0] + bytes }
        return bytes
    }

    /// Cognito's `padHex(n)` as lowercase hex.
    package static func padHex(_ number: BigNumber) -> String {
        BigNumber.hexString(paddedBytes(number))
    }

    /// SHA-256 of `bytes`, read as a big-endian integer.
    package static func hashNumber(_ bytes: [UInt8]) -> BigNumber {
        BigNumber(bytes: Array(SHA256.hash(data: bytes)))
    }

    // MARK: Steps

    /// The private key `x = H(padHex(salt) ‖ H("{poolName}{userID}:{password}"))`.
    package static func privateKey(poolName: String, userID: String, password: String, salt: BigNumber) -> BigNumber {
        let identity = SHA256.hash(data: Array("\(poolName)\(userID):\(password)".utf8))
        return hashNumber(paddedBytes(salt) + Array(identity))
    }

    /// The verifier `v = g^x mod N` (constant time: `x` is password-equivalent).
    package static func verifier(privateKey x: BigNumber) -> BigNumber {
        generator.power(secret: x, modulo: modulus)
    }

    /// The scrambling parameter `u = H(padHex(A) ‖ padHex(B))`.
    package static func scramblingParameter(clientPublic a: BigNumber, serverPublic b: BigNumber) -> BigNumber {
        hashNumber(paddedBytes(a) + paddedBytes(b))
    }

    /// The 16-byte session key `K = HKDF-SHA256(IKM: padHex(S), salt: padHex(u), info: "Caldera Derived Key")`.
    package static func sessionKey(premasterSecret s: BigNumber, scramblingParameter u: BigNumber) -> SymmetricKey {
        HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: paddedBytes(s)),
            salt: paddedBytes(u),
            info: keyDerivationInfo,
            outputByteCount: 16
        )
    }

    /// `HMAC-SHA256(K, poolName ‖ userID ‖ secretBlock ‖ timestamp)`, the raw PASSWORD_CLAIM_SIGNATURE.
    package static func passwordClaimSignature(
        key: SymmetricKey,
        poolName: String,
        userID: String,
        secretBlock: [UInt8],
        timestamp: String
    ) -> [UInt8] {
        var hmac = HMAC<SHA256>(key: key)
        hmac.update(data: Array(poolName.utf8))
        hmac.update(data: Array(userID.utf8))
        hmac.update(data: secretBlock)
        hmac.update(data: Array(timestamp.utf8))
        return Array(hmac.finalize())
    }

    // MARK: Public helpers

    /// The `poolName` SRP hashes: the part of a user pool id after `_` (`us-east-1_AbC123` → `AbC123`).
    public static func poolName(fromUserPoolID userPoolID: String) -> String {
        guard let separator = userPoolID.firstIndex(of: "_") else { return userPoolID }
        return String(userPoolID[userPoolID.index(after: separator)...])
    }

    /// Formats `date` as a Cognito SRP `TIMESTAMP`: `EEE MMM d HH:mm:ss UTC yyyy`, English, UTC, day not
    /// zero-padded (`Sun Feb 4 11:08:36 UTC 2018`).
    ///
    /// Verification uses the client's string verbatim; this is for clients (tests, CLI) that must produce one.
    public static func timestamp(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .gmt
        let parts = calendar.dateComponents([.weekday, .month, .day, .hour, .minute, .second, .year], from: date)
        let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let weekday = weekdays[((parts.weekday ?? 1) - 1) % 7]
        let month = months[((parts.month ?? 1) - 1) % 12]
        return "\(weekday) \(month) \(parts.day ?? 1) \(twoDigits(parts.hour)):\(twoDigits(parts.minute)):"
            + "\(twoDigits(parts.second)) UTC \(fourDigits(parts.year))"
    }

    /// Reads a client's `TIMESTAMP`, or nil unless it is exactly what ``timestamp(_:)`` writes for that
    /// instant: Cognito refuses a zero-padded day or a weekday that does not match the date.
    public static func parseTimestamp(_ text: String) -> Date? {
        let fields = text.split(separator: " ", omittingEmptySubsequences: false)
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        guard fields.count == 6, fields[4] == "UTC", let month = months.firstIndex(of: String(fields[1])),
            let day = Int(fields[2]), let year = Int(fields[5])
        else { return nil }
        let clock = fields[3].split(separator: ":", omittingEmptySubsequences: false).map { Int($0) }
        guard clock.count == 3, let hour = clock[0], let minute = clock[1], let second = clock[2] else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .gmt
        let components = DateComponents(year: year, month: month + 1, day: day, hour: hour, minute: minute, second: second)
        guard components.isValidDate(in: calendar), let date = calendar.date(from: components), timestamp(date) == text else {
            return nil
        }
        return date
    }

    /// Checks a PASSWORD_CLAIM_SIGNATURE (base64) with the session key `K` the server derived when it issued
    /// the challenge (``SRPServerChallenge/sessionKey``), in constant time.
    public static func isValidPasswordClaim(
        sessionKey: [UInt8], poolName: String, userID: String, secretBlock: [UInt8], timestamp: String, signature: String
    ) -> Bool {
        let expected = passwordClaimSignature(
            key: SymmetricKey(data: sessionKey), poolName: poolName, userID: userID, secretBlock: secretBlock, timestamp: timestamp)
        let provided = Data(base64Encoded: signature).map { Array($0) } ?? []
        return constantTimeEquals(expected, provided)
    }

    private static func twoDigits(_ value: Int?) -> String {
        let value = value ?? 0
        return value < 10 ? "0\(value)" : "\(value)"
    }

    private static func fourDigits(_ value: Int?) -> String {
        let digits = String(value ?? 0)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
