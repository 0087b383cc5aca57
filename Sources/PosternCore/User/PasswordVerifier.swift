import Foundation

/// The salt and SRP verifier stored for a user instead of the password (auth-flows.md §8).
///
/// `verifierHex` is `g^x mod N` as lowercase hex, `saltHex` the salt in its `padHex` form: that form is
/// the one string every client library hashes the same way, whether it re-pads the SALT string as sent
/// (pycognito) or parses it to an integer first (the JavaScript and Java SDKs). A verifier is cheap to
/// brute-force offline (one SHA-256 and one modexp per guess), so treat it as a password hash: never log it.
public struct PasswordVerifier: Codable, Sendable, Equatable {
    /// The salt as `padHex` lowercase hex; sent to clients as `SALT`.
    public let saltHex: String
    /// The verifier `v = g^x mod N` as lowercase hex.
    public let verifierHex: String

    /// Wraps stored values as they are; ``matches(password:poolName:userID:)`` rejects malformed ones.
    public init(saltHex: String, verifierHex: String) {
        self.saltHex = saltHex
        self.verifierHex = verifierHex
    }
}

extension PasswordVerifier: CustomStringConvertible, CustomDebugStringConvertible {
    /// Redacted: a verifier is password-equivalent against offline guessing.
    public var description: String { "PasswordVerifier(redacted)" }
    /// Redacted, like ``description``.
    public var debugDescription: String { description }
}
