import Foundation
import JWTKit
import PosternCore
import _CryptoExtras

/// The identity-pool token issuer's key: signs GetOpenIdToken's tokens as AWS does (RS512, header
/// `{"alg":"RS512","kid":…,"typ":"JWS"}`), verifies them when they come back as the
/// `cognito-identity.amazonaws.com` login, and publishes the public key.
public struct IdentityTokenSigner: Sendable {
    public let kid: String
    let signer: OpenSSLRSASigningKey
    let publicKey: JWTKit.Insecure.RSA.PublicKey
    let encodedHeader: String

    /// A fresh 2048-bit key, sealed for the `IdentityTokenSigningKeyCreated` event.
    public static func generate(kid: String, sealer: Sealer) throws -> IdentityTokenSigningKeyCreated {
        let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        return IdentityTokenSigningKeyCreated(kid: kid, sealedPrivateKey: try sealer.seal(key.pemRepresentation))
    }

    /// Opens the key an event sealed.
    public init(_ created: IdentityTokenSigningKeyCreated, sealer: Sealer) throws {
        let pem = String(decoding: try sealer.open(created.sealedPrivateKey), as: UTF8.self)
        kid = created.kid
        signer = try OpenSSLRSASigningKey(pem: pem, digest: .sha512)
        publicKey = try JWTKit.Insecure.RSA.PrivateKey(pem: pem).publicKey
        encodedHeader = Base64URL.encode(try PoolSigningKeys.jsonEncoder.encode(["alg": "RS512", "kid": created.kid, "typ": "JWS"]))
    }

    /// The signed token of `claims` (keys sorted, as user-pool tokens are).
    public func sign(_ claims: TokenClaims) throws -> String {
        let signingInput = encodedHeader + "." + Base64URL.encode(try PoolSigningKeys.jsonEncoder.encode(claims))
        return signingInput + "." + Base64URL.encode(try signer.sign(signingInput.utf8))
    }

    /// The claims of a token this key signed (RS512, this `kid`); no claim is checked here.
    public func verifySignature(_ jwt: CompactJWT) throws(CryptoError) -> TokenClaims {
        guard jwt.header["alg"]?.stringValue == "RS512", jwt.header["kid"]?.stringValue == kid,
            signer.isValidSignature(jwt.signature, for: jwt.signingInput)
        else { throw .invalidKey }
        return TokenClaims(jwt.claims)
    }

    /// The public key as a JWKS document.
    public func jwks() throws -> JSONValue {
        let (modulus, exponent) = try publicKey.getKeyPrimitives()
        return .object([
            "keys": .array([
                .object([
                    "alg": "RS512", "e": .string(Base64URL.encode(exponent)), "kid": .string(kid), "kty": "RSA",
                    "n": .string(Base64URL.encode(modulus)), "use": "sig",
                ])
            ])
        ])
    }
}
