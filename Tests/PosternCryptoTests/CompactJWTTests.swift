import Foundation
import PosternCore
import Testing

@testable import PosternCrypto

/// Splitting and decoding a compact JWT once, before any verification.
@Suite struct CompactJWTTests {
    static func segment(_ json: String) -> String { Base64URL.encode(Array(json.utf8)) }

    @Test func aWellFormedTokenSplitsIntoHeaderClaimsSigningInputAndSignature() throws {
        let header = Self.segment(#"{"alg":"RS256","kid":"k1"}"#)
        let claims = Self.segment(#"{"iss":"http://127.0.0.1:7678/us-east-1_abc","exp":1700000000}"#)
        let jwt = try #require(CompactJWT("\(header).\(claims).\(Base64URL.encode([1, 2, 3]))"))
        #expect(jwt.header["kid"] == "k1" && jwt.claims["exp"]?.intValue == 1_700_000_000)
        #expect(String(decoding: jwt.signingInput, as: UTF8.self) == "\(header).\(claims)")
        #expect(jwt.signature == [1, 2, 3] && jwt.issuerPoolId == "us-east-1_abc")
    }

    @Test func anythingElseIsNotAToken() {
        let object = Self.segment("{}")
        for token in [
            "", "a.b", "\(object).\(object)", "\(object).\(object).AQ.AQ", "\(object).\(Self.segment("[1]")).AQ",
            "\(Self.segment("null")).\(object).AQ", "\(object).\(Self.segment("{")).AQ", "\(object).\(object).!!",
        ] {
            #expect(CompactJWT(token) == nil, "\(token)")
        }
        #expect(CompactJWT("\(object).\(object).") != nil)  // an empty signature parses; verification refuses it
    }

    @Test func theIssuerPoolIdIsTheLastPathSegment() throws {
        func pool(_ iss: String) -> String? {
            CompactJWT("\(Self.segment("{}")).\(Self.segment(#"{"iss":"\#(iss)"}"#)).AQ")?.issuerPoolId
        }
        #expect(pool("https://cognito-idp.us-east-1.amazonaws.com/us-east-1_X") == "us-east-1_X")
        #expect(pool("https://host/") == nil && pool("no-slash") == nil)
    }
}
