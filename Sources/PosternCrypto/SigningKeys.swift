import Crypto
import Foundation
import JWTKit
import PosternCore
import _CryptoExtras

/// A JWT's claims as a JSON object. Cognito's claim set is open-ended (custom attributes, groups, hooks'
/// additions), so claims stay a dictionary instead of a fixed struct.
public struct TokenClaims: JWTPayload, Equatable {
    public var values: [String: JSONValue]

    public init(_ values: [String: JSONValue]) { self.values = values }

    public init(from decoder: any Decoder) throws { values = try [String: JSONValue](from: decoder) }
    public func encode(to encoder: any Encoder) throws { try values.encode(to: encoder) }

    /// Signature checks happen in jwt-kit; claim checks (expiry, issuer, use) in `TokenVerifier`.
    public func verify(using algorithm: some JWTAlgorithm) async throws {}

    public subscript(key: String) -> JSONValue? { values[key] }
    public func string(_ key: String) -> String? { values[key]?.stringValue }
    public func int(_ key: String) -> Int? { values[key]?.intValue }
}

/// A pool's RSA signing keys (one for ID tokens, one for access tokens, as Cognito does).
public struct PoolSigningKeys: Sendable {
    /// One signing key: its id, its use and the key in both libraries.
    public struct Key: Sendable {
        public let kid: String
        public let use: String
        /// Supplies the JWKS primitives.
        let privateKey: JWTKit.Insecure.RSA.PrivateKey
        /// Signs and verifies: OpenSSL's RSA is about twice as fast as BoringSSL's here.
        let signer: OpenSSLRSASigningKey
        /// `base64url({"alg":"RS256","kid":"<kid>"})`, the same for every token this key signs.
        let encodedHeader: String
    }

    public let keys: [Key]

    /// Generates fresh keys for a new pool and returns them sealed for the `UserPoolCreated` event.
    public static func generate(sealer: Sealer) throws -> [SealedSigningKey] {
        try ["id", "access"].map { use in
            let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
            return SealedSigningKey(
                kid: Base64URL.encode(Random.bytes(24)), use: use, sealedPrivateKey: try sealer.seal(key.pemRepresentation))
        }
    }

    /// Opens sealed keys for signing and verifying.
    public init(sealed: [SealedSigningKey], sealer: Sealer) async throws {
        var keys: [Key] = []
        for sealedKey in sealed {
            let pem = String(decoding: try sealer.open(sealedKey.sealedPrivateKey), as: UTF8.self)
            let privateKey = try JWTKit.Insecure.RSA.PrivateKey(pem: pem)
            let header = try Self.jsonEncoder.encode(["alg": "RS256", "kid": sealedKey.kid])
            keys.append(
                Key(
                    kid: sealedKey.kid, use: sealedKey.use, privateKey: privateKey, signer: try OpenSSLRSASigningKey(pem: pem),
                    encodedHeader: Base64URL.encode(header)))
        }
        self.keys = keys
    }

    /// Signs claims with the key for `use` (`id` or `access`). The header carries `kid` and `alg` only,
    /// as Cognito's tokens do (jwt-kit would add `typ`), and claims are encoded with sorted keys.
    public func sign(_ claims: TokenClaims, use: String) async throws -> String {
        guard let key = keys.first(where: { $0.use == use }) ?? keys.first else { throw CryptoError.keyUnavailable }
        let signingInput = key.encodedHeader + "." + Base64URL.encode(try Self.jsonEncoder.encode(claims))
        return signingInput + "." + Base64URL.encode(try key.signer.sign(signingInput.utf8))
    }

    /// Sorted keys make a token's bytes a function of its claims alone, not of dictionary order.
    static let jsonEncoder: JSONEncoder = {
        let encoder = JSONEncoder()
        // Cognito writes `iss` as https://…, not https:\/\/…; both are valid JSON, the first is what clients see.
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    /// Checks the signature against the key named by the token's `kid`; rejects any other algorithm.
    public func verifySignature(_ token: String) async throws -> TokenClaims {
        guard let jwt = CompactJWT(token) else { throw CryptoError.invalidKey }
        return try verifySignature(jwt)
    }

    /// Checks a parsed token: `alg` must be RS256, `kid` one of this pool's keys, and the signature that
    /// key's over the token's first two segments. Returns the claims only then.
    public func verifySignature(_ jwt: CompactJWT) throws(CryptoError) -> TokenClaims {
        guard jwt.header["alg"]?.stringValue == "RS256", let kid = jwt.header["kid"]?.stringValue,
            let key = keys.first(where: { $0.kid == kid }), key.signer.isValidSignature(jwt.signature, for: jwt.signingInput)
        else { throw .invalidKey }
        return TokenClaims(jwt.claims)
    }

    /// The public keys as a JWKS document.
    public func jwks() throws -> JSONValue {
        .object([
            "keys": .array(
                try keys.map { key in
                    let (modulus, exponent) = try key.privateKey.publicKey.getKeyPrimitives()
                    return .object([
                        "alg": "RS256", "e": .string(Base64URL.encode(exponent)), "kid": .string(key.kid), "kty": "RSA",
                        "n": .string(Base64URL.encode(modulus)), "use": "sig",
                    ])
                })
        ])
    }
}
