import Foundation
import JWTKit
import PosternCore

/// An external issuer's published signing keys (a JWKS document), for verifying the ID tokens it signs.
///
/// Only asymmetric signing keys are taken: a key id, `use` absent or `sig`, key type RSA, EC or OKP. A
/// symmetric (`oct`) key in a public key set would let anyone who reads it sign tokens. jwt-kit parses
/// the keys and checks signatures (RS/PS 256–512, ES256–512, EdDSA).
public struct ExternalKeySet: Sendable {
    let keys: JWTKeyCollection
    public let keyIds: [String]

    /// The algorithms a token may name: asymmetric ones only (never `none`, never HMAC).
    static let algorithms: Set<String> = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"]

    /// Nil when the document holds no usable signing key.
    public init?(jwks: JSONValue) async {
        let keys = JWTKeyCollection()
        var ids: [String] = []
        for key in jwks["keys"]?.arrayValue ?? [] {
            guard let kid = key["kid"]?.stringValue, ["RSA", "EC", "OKP"].contains(key["kty"]?.stringValue ?? ""),
                (key["use"]?.stringValue ?? "sig") == "sig", let data = try? JSONEncoder().encode(key),
                let jwk = try? JSONDecoder().decode(JWK.self, from: data)
            else { continue }
            do {
                try await keys.add(jwk: jwk)
                ids.append(kid)
            } catch {
                continue
            }
        }
        guard !ids.isEmpty else { return nil }
        self.keys = keys
        self.keyIds = ids
    }

    /// The token's claims if one of these keys signed it. The header must name an asymmetric algorithm and
    /// one of the keys' ids; no claim is checked here.
    public func verifySignature(_ jwt: CompactJWT, token: String) async throws(CryptoError) -> TokenClaims {
        guard let alg = jwt.header["alg"]?.stringValue, Self.algorithms.contains(alg), let kid = jwt.header["kid"]?.stringValue,
            keyIds.contains(kid)
        else { throw .invalidKey }
        do {
            _ = try await keys.verify(token, as: TokenClaims.self)
        } catch {
            throw .invalidKey
        }
        return TokenClaims(jwt.claims)
    }

    /// Whether the set has a key of this id (a token naming another asks for fresh keys).
    public func hasKey(_ kid: String?) -> Bool { kid.map(keyIds.contains) ?? false }
}
