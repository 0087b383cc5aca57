import Crypto
import PosternCore

/// Making and checking SRP password verifiers (the value type lives in PosternCore: events carry it).
extension PasswordVerifier {
    /// The salt size drawn by ``make(password:poolName:userID:)``.
    static let saltByteCount = 16

    /// A verifier for `password` with a fresh random 16-byte salt (sign-up, password change).
    ///
    /// `poolName` is the part of the pool id after `_`, `userID` the user's `USER_ID_FOR_SRP`; neither may
    /// change afterwards, because both are hashed into the verifier.
    public static func make(password: String, poolName: String, userID: String) -> PasswordVerifier {
        var generator = SystemRandomNumberGenerator()
        return make(password: password, poolName: poolName, userID: userID, using: &generator)
    }

    /// A verifier with a salt drawn from `generator`.
    public static func make(
        password: String,
        poolName: String,
        userID: String,
        using generator: inout some RandomNumberGenerator
    ) -> PasswordVerifier {
        var salt = BigNumber(randomByteCount: saltByteCount, using: &generator)
        while salt.isZero {
            salt = BigNumber(randomByteCount: saltByteCount, using: &generator)
        }
        return make(password: password, poolName: poolName, userID: userID, salt: salt)
    }

    /// A verifier with the given salt, for tests and deterministic fixtures. The salt is read as an integer
    /// and stored re-encoded with `padHex`, as clients hash it.
    ///
    /// - Precondition: `saltHex` is non-empty hex (a programming error otherwise, never client input).
    public static func make(password: String, poolName: String, userID: String, saltHex: String) -> PasswordVerifier {
        guard let salt = BigNumber(hex: saltHex) else { preconditionFailure("PasswordVerifier salt must be hex") }
        return make(password: password, poolName: poolName, userID: userID, salt: salt)
    }

    private static func make(password: String, poolName: String, userID: String, salt: BigNumber) -> PasswordVerifier {
        let x = SRP.privateKey(poolName: poolName, userID: userID, password: password, salt: salt)
        return PasswordVerifier(saltHex: SRP.padHex(salt), verifierHex: SRP.verifier(privateKey: x).hex)
    }

    /// Whether `password` produces this verifier (USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH).
    /// Compares in constant time; a malformed stored value never matches.
    public func matches(password: String, poolName: String, userID: String) -> Bool {
        guard let salt = BigNumber(hex: saltHex),
            let stored = BigNumber(hex: verifierHex)?.paddedBytes(count: SRP.modulusByteCount)
        else {
            Self.simulateCheck(password: password, poolName: poolName, userID: userID)
            return false
        }
        let x = SRP.privateKey(poolName: poolName, userID: userID, password: password, salt: salt)
        let computed = SRP.verifier(privateKey: x).paddedBytes(count: SRP.modulusByteCount) ?? []
        return constantTimeEquals(computed, stored)
    }

    /// Does the work of ``matches(password:poolName:userID:)`` and discards it, so that a sign-in for an
    /// unknown user takes as long as one with a wrong password (PreventUserExistenceErrors).
    public static func simulateCheck(password: String, poolName: String, userID: String) {
        let x = SRP.privateKey(poolName: poolName, userID: userID, password: password, salt: simulatedSalt)
        let computed = SRP.verifier(privateKey: x).paddedBytes(count: SRP.modulusByteCount) ?? []
        _ = constantTimeEquals(computed, computed)
    }

    /// A verifier for a user who does not exist, drawn from `seed` (a server-keyed hash of pool and name):
    /// the same salt every time that name is tried, and a verifier that costs the same exponentiations as a
    /// real one, so a PASSWORD_VERIFIER challenge cannot tell a missing user from a real one
    /// (PreventUserExistenceErrors). It matches no password.
    public static func decoy(seed: [UInt8]) -> PasswordVerifier {
        let key = SymmetricKey(data: seed)
        func expand(_ label: String, _ count: Int) -> [UInt8] {
            HKDF<SHA256>.deriveKey(inputKeyMaterial: key, info: Array("postern srp decoy \(label)".utf8), outputByteCount: count)
                .withUnsafeBytes { Array($0) }
        }
        var salt = expand("salt", saltByteCount)
        salt[0] |= 0x01  // never zero
        let verifier = BigNumber(bytes: expand("verifier", SRP.modulusByteCount)).reduced(modulo: SRP.modulus)
        return PasswordVerifier(saltHex: SRP.padHex(BigNumber(bytes: salt)), verifierHex: verifier.hex)
    }

    /// A fixed 16-byte salt for ``simulateCheck(password:poolName:userID:)``.
    private static let simulatedSalt = BigNumber(bytes: (0..<saltByteCount).map { UInt8(0x80 | $0) })
}
