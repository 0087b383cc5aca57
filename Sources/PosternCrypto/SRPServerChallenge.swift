import Crypto
import Foundation
import PosternCore

/// A client or stored SRP value that cannot be used.
public enum SRPError: Error, Sendable, Equatable {
    /// `SRP_A` is not hex, is implausibly long, or is `0 mod N`.
    case invalidClientPublicValue
    /// A stored verifier or a restored server secret is malformed or degenerate.
    case invalidStoredValue
}

/// The server half of one USER_SRP_AUTH exchange: picks `b`, answers `SRP_B`, and later checks the
/// client's PASSWORD_CLAIM_SIGNATURE (auth-flows.md §8).
///
/// The two steps arrive in different requests (InitiateAuth, then RespondToAuthChallenge), so the caller
/// keeps `srpAHex` and ``serverSecretHex`` (sealed, e.g. inside the session) and rebuilds the challenge with
/// ``init(verifier:srpAHex:serverSecretHex:)``. Pure: randomness comes from the generator parameter.
public struct SRPServerChallenge: Sendable {
    /// `SRP_B = (k·v + g^b) mod N`, lowercase hex, to send to the client.
    public let srpBHex: String
    /// `SALT` to send to the client (the verifier's salt).
    public let saltHex: String

    /// `A`.
    package let clientPublic: BigNumber
    /// `b` (secret).
    package let serverSecret: BigNumber
    /// `B`.
    package let serverPublic: BigNumber
    /// `v`.
    package let verifier: BigNumber
    /// `u = H(padHex(A) ‖ padHex(B))`, never zero.
    package let scramblingParameter: BigNumber

    /// Bytes of randomness in `b` (≥ 256 bits, per auth-flows.md §8).
    static let serverSecretByteCount = 32
    /// Longest `SRP_A` accepted: a 3072-bit value with generous zero padding.
    static let maxClientPublicHexDigits = 1024

    /// Starts a challenge with a fresh `b` from the system's secure generator.
    public init(verifier: PasswordVerifier, srpAHex: String) throws(SRPError) {
        var generator = SystemRandomNumberGenerator()
        try self.init(verifier: verifier, srpAHex: srpAHex, using: &generator)
    }

    /// Starts a challenge with `b` drawn from `generator` (which must be cryptographically secure outside tests).
    public init(verifier: PasswordVerifier, srpAHex: String, using generator: inout some RandomNumberGenerator) throws(SRPError) {
        let (a, v) = try Self.parse(verifier: verifier, srpAHex: srpAHex)
        while true {
            let b = BigNumber(randomByteCount: Self.serverSecretByteCount, using: &generator)
            if let challenge = Self(saltHex: verifier.saltHex, clientPublic: a, verifier: v, serverSecret: b) {
                self = challenge
                return
            }
        }
    }

    /// Rebuilds the challenge from the values kept between InitiateAuth and RespondToAuthChallenge.
    public init(verifier: PasswordVerifier, srpAHex: String, serverSecretHex: String) throws(SRPError) {
        let (a, v) = try Self.parse(verifier: verifier, srpAHex: srpAHex)
        guard let b = BigNumber(hex: serverSecretHex),
            let challenge = Self(saltHex: verifier.saltHex, clientPublic: a, verifier: v, serverSecret: b)
        else { throw .invalidStoredValue }
        self = challenge
    }

    /// Computes `B` and `u`; `nil` when `b` is unusable (zero, `B ≡ 0`, or `u = 0`).
    private init?(saltHex: String, clientPublic: BigNumber, verifier: BigNumber, serverSecret: BigNumber) {
        guard !serverSecret.isZero else { return nil }
        let n = SRP.modulus
        let serverPublic = SRP.multiplier.multiplying(verifier, modulo: n)
            .adding(SRP.generator.power(secret: serverSecret, modulo: n), modulo: n)
        guard !serverPublic.isZero else { return nil }
        let u = SRP.scramblingParameter(clientPublic: clientPublic, serverPublic: serverPublic)
        guard !u.isZero else { return nil }
        self.saltHex = saltHex
        self.clientPublic = clientPublic
        self.verifier = verifier
        self.serverSecret = serverSecret
        self.serverPublic = serverPublic
        self.scramblingParameter = u
        self.srpBHex = serverPublic.hex
    }

    /// Checks a client's `SRP_A` before anything else is done for the request: hex, not implausibly long,
    /// not `0 mod N` (which would make the session key predictable).
    public static func validate(srpAHex: String) throws(SRPError) { _ = try parseClientPublic(srpAHex) }

    private static func parseClientPublic(_ srpAHex: String) throws(SRPError) -> BigNumber {
        guard srpAHex.utf8.count <= maxClientPublicHexDigits, let a = BigNumber(hex: srpAHex),
            !a.reduced(modulo: SRP.modulus).isZero
        else { throw .invalidClientPublicValue }
        return a
    }

    private static func parse(verifier: PasswordVerifier, srpAHex: String) throws(SRPError) -> (BigNumber, BigNumber) {
        let a = try parseClientPublic(srpAHex)
        guard let v = BigNumber(hex: verifier.verifierHex), !v.isZero, v.reduced(modulo: SRP.modulus) == v else {
            throw .invalidStoredValue
        }
        return (a, v)
    }

    /// The secret `b` as hex; persist it only sealed, and only until the challenge is answered.
    public var serverSecretHex: String { serverSecret.hex }

    /// The premaster secret `S = (A · v^u)^b mod N`.
    package var premasterSecret: BigNumber {
        let n = SRP.modulus
        // v is password-equivalent, so even v^u (public exponent) takes the constant-time path.
        return clientPublic.multiplying(verifier.power(secret: scramblingParameter, modulo: n), modulo: n)
            .power(secret: serverSecret, modulo: n)
    }

    /// The 16-byte session key `K` both sides derive (two modular exponentiations). Keep it only sealed:
    /// with it, anyone can answer this one challenge.
    public var sessionKey: [UInt8] {
        SRP.sessionKey(premasterSecret: premasterSecret, scramblingParameter: scramblingParameter)
            .withUnsafeBytes { Array($0) }
    }

    /// Checks PASSWORD_CLAIM_SIGNATURE (base64) over `poolName ‖ userID ‖ secretBlock ‖ timestamp`, in
    /// constant time. `secretBlock` is the decoded PASSWORD_CLAIM_SECRET_BLOCK; `timestamp` is the client's
    /// TIMESTAMP verbatim.
    public func verifyPasswordClaim(
        poolName: String,
        userID: String,
        secretBlock: [UInt8],
        timestamp: String,
        signature: String
    ) -> Bool {
        SRP.isValidPasswordClaim(
            sessionKey: sessionKey, poolName: poolName, userID: userID, secretBlock: secretBlock, timestamp: timestamp,
            signature: signature)
    }
}

extension SRPServerChallenge: CustomStringConvertible {
    /// Shows `SRP_B` only; `b` stays out of logs.
    public var description: String { "SRPServerChallenge(srpB: \(srpBHex.prefix(16))…)" }
}
