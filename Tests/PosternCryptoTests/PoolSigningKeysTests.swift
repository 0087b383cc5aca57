import Crypto
import Foundation
import JWTKit
import PosternCore
import Testing
import _CryptoExtras

@testable import PosternCrypto

/// A pool's keys, generated and opened the way the server does it, shared by the signing tests.
struct SigningFixture: Sendable {
    let keys: PoolSigningKeys

    /// RSA key generation is the slow part, so the suites share one pool (and one foreign pool).
    static let shared = Task { try await SigningFixture() }
    static let foreign = Task { try await SigningFixture() }

    init() async throws {
        let sealer = try MasterKey(base64: MasterKey.generateBase64()).secrets
        keys = try await PoolSigningKeys(sealed: PoolSigningKeys.generate(sealer: sealer), sealer: sealer)
    }

    func key(_ use: String) throws -> PoolSigningKeys.Key { try #require(keys.keys.first { $0.use == use }) }

    /// ID-token-shaped claims, with the kinds of values Cognito tokens carry.
    static func claims(_ extra: [String: JSONValue] = [:]) -> TokenClaims {
        TokenClaims(
            [
                "sub": "6f1c0c55-2d3a-4d7e-9a5e-3f0a2b1c4d5e", "iss": "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Example",
                "aud": "3n4b5urk1ft4fl3mg5e62d9ado", "token_use": "id", "auth_time": .int(1_700_000_000), "iat": .int(1_700_000_000),
                "exp": .int(1_700_003_600), "cognito:username": "alice", "email": "alice@example.com", "email_verified": .bool(true),
                "cognito:groups": .array(["admins", "readers"]), "custom:tier": "gold", "origin_jti": "9d2d7f0e-5d3c-4b4e-8f47-1f7c2b6a9e10",
            ].merging(extra) { $1 })
    }
}

/// Splits a compact JWS into its three segments.
func segments(_ token: String) throws -> [String] {
    let parts = token.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
    try #require(parts.count == 3)
    return parts
}

@Suite struct PoolSigningKeysTests {
    @Test func aSignedTokenVerifiesWithJWTKitFromTheJWKSAndWithThePoolKeys() async throws {
        let fixture = try await SigningFixture.shared.value
        let claims = SigningFixture.claims()
        let token = try await fixture.keys.sign(claims, use: "id")

        #expect(try await fixture.keys.verifySignature(token) == claims)

        let jwks = String(decoding: try JSONEncoder().encode(fixture.keys.jwks()), as: UTF8.self)
        let verifier = try await JWTKeyCollection().add(jwksJSON: jwks)
        #expect(try await verifier.verify(token, as: TokenClaims.self) == claims)
    }

    @Test func theSignatureVerifiesWithTheJWKSPublicKeyAsPKCS1v15() async throws {
        let fixture = try await SigningFixture.shared.value
        let token = try await fixture.keys.sign(SigningFixture.claims(), use: "access")
        let parts = try segments(token)
        let jwk = try #require(
            fixture.keys.jwks()["keys"]?.arrayValue?.first { $0["kid"]?.stringValue == (try? fixture.key("access").kid) })
        let modulus = try #require(jwk["n"]?.stringValue.flatMap(Base64URL.decode))
        let exponent = try #require(jwk["e"]?.stringValue.flatMap(Base64URL.decode))
        let publicKey = try _RSA.Signing.PublicKey(n: modulus, e: exponent)
        let signature = _RSA.Signing.RSASignature(rawRepresentation: try #require(Base64URL.decode(parts[2])))
        #expect(publicKey.isValidSignature(signature, for: Data((parts[0] + "." + parts[1]).utf8), padding: .insecurePKCS1v1_5))
    }

    @Test func theHeaderCarriesAlgAndKidOnlyAndClaimsAreEncodedWithSortedKeysAndPlainSlashes() async throws {
        let fixture = try await SigningFixture.shared.value
        let claims = SigningFixture.claims()
        for use in ["id", "access"] {
            let parts = try segments(try await fixture.keys.sign(claims, use: use))
            let header = String(decoding: try #require(Base64URL.decode(parts[0])), as: UTF8.self)
            #expect(header == #"{"alg":"RS256","kid":"\#(try fixture.key(use).kid)"}"#)
            let sorted = JSONEncoder()
            sorted.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            let payload = try #require(Base64URL.decode(parts[1]))
            #expect(payload == (try sorted.encode(claims)))
            // As in Cognito's tokens, an issuer URL is written with plain slashes.
            #expect(!String(decoding: payload, as: UTF8.self).contains(#"\/"#))
        }
        #expect(try await fixture.keys.sign(claims, use: "id") == (try await fixture.keys.sign(claims, use: "id")))
    }

    @Test func idAndAccessTokensAreSignedWithDifferentKeys() async throws {
        let fixture = try await SigningFixture.shared.value
        let claims = SigningFixture.claims()
        let id = try segments(try await fixture.keys.sign(claims, use: "id"))
        let access = try segments(try await fixture.keys.sign(claims, use: "access"))
        #expect(id[0] != access[0])
        #expect(id[2] != access[2])
    }

    @Test func theSignatureIsByteIdenticalToJWTKits() async throws {
        let fixture = try await SigningFixture.shared.value
        for key in fixture.keys.keys {
            var header = JWTHeader()
            header.alg = "RS256"
            header.kid = key.kid
            let jwtKitToken = try await fixture.keys.jwtKitCollection().sign(
                SigningFixture.claims(), kid: JWKIdentifier(string: key.kid), header: header)
            let parts = try segments(jwtKitToken)
            let signingInput = parts[0] + "." + parts[1]
            #expect(try key.signer.sign(signingInput.utf8) == [UInt8](try #require(Base64URL.decode(parts[2]))))
        }
    }

    /// Ways of forging a token for the pool, each of which `verifySignature` must refuse.
    enum Forgery: String, CaseIterable, Sendable {
        case tamperedPayload, tamperedSignature, algNone, algNoneWithSignature, hs256WithPublicKeyPEM, hs256WithPublicKeyDER
        case unknownKid, otherKeysKid, foreignPoolToken, missingKid, twoSegments

        func token(from fixture: SigningFixture, foreign: SigningFixture) async throws -> String {
            let id = try fixture.key("id")
            let valid = try await fixture.keys.sign(SigningFixture.claims(), use: "id")
            let parts = try segments(valid)
            let payload = parts[1]
            func header(_ json: String) -> String { Base64URL.encode(Data(json.utf8)) }
            func signed(_ input: String, with key: PoolSigningKeys.Key) throws -> String {
                input + "." + Base64URL.encode(try key.signer.sign(input.utf8))
            }
            func hmac(_ input: String, secret: some DataProtocol) -> String {
                let mac = HMAC<SHA256>.authenticationCode(for: Data(input.utf8), using: SymmetricKey(data: Data(secret)))
                return input + "." + Base64URL.encode(Data(mac))
            }
            switch self {
            case .tamperedPayload:
                let forged = try PoolSigningKeys.jsonEncoder.encode(SigningFixture.claims(["cognito:groups": .array(["root"])]))
                return parts[0] + "." + Base64URL.encode(forged) + "." + parts[2]
            case .tamperedSignature:
                var signature = [UInt8](try #require(Base64URL.decode(parts[2])))
                signature[signature.count / 2] ^= 0x01
                return parts[0] + "." + payload + "." + Base64URL.encode(signature)
            case .algNone:
                return header(#"{"alg":"none","kid":"\#(id.kid)"}"#) + "." + payload + "."
            case .algNoneWithSignature:
                return header(#"{"alg":"none","kid":"\#(id.kid)"}"#) + "." + payload + "." + parts[2]
            case .hs256WithPublicKeyPEM:
                return hmac(
                    header(#"{"alg":"HS256","kid":"\#(id.kid)"}"#) + "." + payload, secret: Data(id.privateKey.publicKey.pemRepresentation.utf8))
            case .hs256WithPublicKeyDER:
                return hmac(header(#"{"alg":"HS256","kid":"\#(id.kid)"}"#) + "." + payload, secret: id.privateKey.publicKey.derRepresentation)
            case .unknownKid:
                return try signed(header(#"{"alg":"RS256","kid":"unknown"}"#) + "." + payload, with: id)
            case .otherKeysKid:
                return try signed(header(#"{"alg":"RS256","kid":"\#(try fixture.key("access").kid)"}"#) + "." + payload, with: id)
            case .foreignPoolToken:
                return try await foreign.keys.sign(SigningFixture.claims(), use: "id")
            case .missingKid:
                return try signed(header(#"{"alg":"RS256"}"#) + "." + payload, with: id)
            case .twoSegments:
                return parts[0] + "." + payload
            }
        }
    }

    @Test(arguments: Forgery.allCases)
    func verifySignatureRejectsAForgedToken(_ forgery: Forgery) async throws {
        let fixture = try await SigningFixture.shared.value
        let token = try await forgery.token(from: fixture, foreign: try await SigningFixture.foreign.value)
        await #expect(throws: (any Error).self) { try await fixture.keys.verifySignature(token) }
    }

    @Test func concurrentSigningGivesTheSameValidTokensAsSerialSigning() async throws {
        let fixture = try await SigningFixture.shared.value
        let count = 200
        var serial: [String] = []
        for index in 0..<count {
            serial.append(try await fixture.keys.sign(SigningFixture.claims(["n": .int(index)]), use: index.isMultiple(of: 2) ? "id" : "access"))
        }
        let concurrent = try await withThrowingTaskGroup(of: (Int, String).self) { group in
            for index in 0..<count {
                group.addTask {
                    let token = try await fixture.keys.sign(SigningFixture.claims(["n": .int(index)]), use: index.isMultiple(of: 2) ? "id" : "access")
                    return (index, token)
                }
            }
            var tokens = [String](repeating: "", count: count)
            for try await (index, token) in group { tokens[index] = token }
            return tokens
        }
        #expect(concurrent == serial)
        for (index, token) in concurrent.enumerated() {
            #expect(try await fixture.keys.verifySignature(token) == SigningFixture.claims(["n": .int(index)]))
        }
    }
}

extension PoolSigningKeys {
    /// The same keys in jwt-kit, as the reference signer and verifier the tests compare with.
    func jwtKitCollection() async -> JWTKeyCollection {
        let collection = JWTKeyCollection()
        for key in keys { await collection.add(rsa: key.privateKey, digestAlgorithm: .sha256, kid: JWKIdentifier(string: key.kid)) }
        return collection
    }
}
