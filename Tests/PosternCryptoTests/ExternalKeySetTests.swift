import Crypto
import Foundation
import JWTKit
import PosternCore
import Testing
import _CryptoExtras

@testable import PosternCrypto

/// An external issuer's JWKS: tokens signed by its RSA or EC keys verify; a token naming no key of the
/// set, signed by another key, with `alg` none or HMAC, or altered does not; symmetric and encryption keys
/// in the set are ignored.
@Suite struct ExternalKeySetTests {
    static let rsa = Task { try _RSA.Signing.PrivateKey(keySize: .bits2048) }

    func rsaJWK(_ key: _RSA.Signing.PrivateKey, kid: String, use: String? = "sig") throws -> JSONValue {
        let (n, e) = try JWTKit.Insecure.RSA.PrivateKey(pem: key.pemRepresentation).publicKey.getKeyPrimitives()
        var jwk: [String: JSONValue] = ["kty": "RSA", "kid": .string(kid), "n": .string(Base64URL.encode(n)), "e": .string(Base64URL.encode(e))]
        if let use { jwk["use"] = .string(use) }
        return .object(jwk)
    }

    func sign(_ claims: [String: JSONValue], header: [String: JSONValue], with key: _RSA.Signing.PrivateKey) throws -> String {
        let input =
            Base64URL.encode(try JSONEncoder().encode(JSONValue.object(header))) + "."
            + Base64URL.encode(try JSONEncoder().encode(JSONValue.object(claims)))
        let signature = try key.signature(for: Data(input.utf8), padding: .insecurePKCS1v1_5)
        return input + "." + Base64URL.encode(signature.rawRepresentation)
    }

    let claims: [String: JSONValue] = ["iss": "https://login.example.com", "sub": "user-1", "aud": "app", "exp": .int(4_000_000_000)]

    func verify(_ token: String, _ set: ExternalKeySet) async -> TokenClaims? {
        guard let jwt = CompactJWT(token) else { return nil }
        return try? await set.verifySignature(jwt, token: token)
    }

    @Test func anRSASignedTokenVerifies() async throws {
        let key = try await Self.rsa.value
        let set = try #require(await ExternalKeySet(jwks: .object(["keys": .array([try rsaJWK(key, kid: "k1")])])))
        let token = try sign(claims, header: ["alg": "RS256", "kid": "k1"], with: key)
        #expect(await verify(token, set)?.string("sub") == "user-1")
    }

    @Test func anECSignedTokenVerifies() async throws {
        let key = P256.Signing.PrivateKey()
        let raw = key.publicKey.rawRepresentation
        let jwk: JSONValue = .object([
            "kty": "EC", "crv": "P-256", "kid": "ec1", "x": .string(Base64URL.encode(raw.prefix(32))), "y": .string(Base64URL.encode(raw.suffix(32))),
        ])
        let set = try #require(await ExternalKeySet(jwks: .object(["keys": .array([jwk])])))
        let input =
            Base64URL.encode(try JSONEncoder().encode(JSONValue.object(["alg": "ES256", "kid": "ec1"]))) + "."
            + Base64URL.encode(try JSONEncoder().encode(JSONValue.object(claims)))
        let token = input + "." + Base64URL.encode(try key.signature(for: Data(input.utf8)).rawRepresentation)
        #expect(await verify(token, set)?.string("sub") == "user-1")
    }

    @Test func anotherKeyUnderTheSameIdDoesNotVerify() async throws {
        let key = try await Self.rsa.value
        let set = try #require(await ExternalKeySet(jwks: .object(["keys": .array([try rsaJWK(key, kid: "k1")])])))
        let forger = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        #expect(await verify(try sign(claims, header: ["alg": "RS256", "kid": "k1"], with: forger), set) == nil)
    }

    @Test func anUnknownKeyIdOrNoKeyIdDoesNotVerify() async throws {
        let key = try await Self.rsa.value
        let set = try #require(await ExternalKeySet(jwks: .object(["keys": .array([try rsaJWK(key, kid: "k1")])])))
        #expect(await verify(try sign(claims, header: ["alg": "RS256", "kid": "k2"], with: key), set) == nil)
        #expect(await verify(try sign(claims, header: ["alg": "RS256"], with: key), set) == nil)
        #expect(!set.hasKey("k2") && set.hasKey("k1"))
    }

    @Test func noneAndHMACAreRefused() async throws {
        let key = try await Self.rsa.value
        let set = try #require(await ExternalKeySet(jwks: .object(["keys": .array([try rsaJWK(key, kid: "k1")])])))
        let body = Base64URL.encode(try JSONEncoder().encode(JSONValue.object(claims)))
        let none = Base64URL.encode(try JSONEncoder().encode(JSONValue.object(["alg": "none", "kid": "k1"]))) + "." + body + "."
        #expect(await verify(none, set) == nil)
        let hsHeader = Base64URL.encode(try JSONEncoder().encode(JSONValue.object(["alg": "HS256", "kid": "k1"])))
        let mac = HMAC<SHA256>.authenticationCode(for: Data((hsHeader + "." + body).utf8), using: SymmetricKey(data: Data("k1".utf8)))
        #expect(await verify(hsHeader + "." + body + "." + Base64URL.encode(Data(mac)), set) == nil)
    }

    @Test func anAlteredTokenDoesNotVerify() async throws {
        let key = try await Self.rsa.value
        let set = try #require(await ExternalKeySet(jwks: .object(["keys": .array([try rsaJWK(key, kid: "k1")])])))
        let token = try sign(claims, header: ["alg": "RS256", "kid": "k1"], with: key)
        var parts = token.split(separator: ".").map(String.init)
        var altered = claims
        altered["sub"] = "admin"
        parts[1] = Base64URL.encode(try JSONEncoder().encode(JSONValue.object(altered)))
        #expect(await verify(parts.joined(separator: "."), set) == nil)
    }

    @Test func symmetricEncryptionAndKeylessEntriesAreIgnored() async throws {
        let key = try await Self.rsa.value
        let oct: JSONValue = .object(["kty": "oct", "kid": "s1", "k": .string(Base64URL.encode(Data("secret".utf8)))])
        #expect(await ExternalKeySet(jwks: .object(["keys": .array([oct])])) == nil)
        #expect(await ExternalKeySet(jwks: .object(["keys": .array([try rsaJWK(key, kid: "e1", use: "enc")])])) == nil)
        #expect(await ExternalKeySet(jwks: .object(["nothing": .bool(true)])) == nil)
        let mixed = try #require(await ExternalKeySet(jwks: .object(["keys": .array([oct, try rsaJWK(key, kid: "k1")])])))
        #expect(mixed.keyIds == ["k1"])
    }
}
