import Foundation
import Testing

@testable import PosternCore

@Suite struct SignInTokenClaimsTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    let ids = SignInTokenClaims.Identifiers(eventId: "event", idTokenJti: "id-jti", accessTokenJti: "access-jti")

    func claims(_ request: [String: JSONValue] = [:], attributes: [String: String] = [:], deviceKey: String? = nil) throws -> SignInTokenClaims {
        SignInTokenClaims(
            sub: "0b1c", username: "alice", attributes: attributes, issuer: "http://127.0.0.1:7678/us-east-1_abc", client: "web",
            settings: try ClientSettings.from(request: ["ClientName": "web"].merging(request) { _, new in new }),
            authTime: t0.addingTimeInterval(-30), originJti: "origin", deviceKey: deviceKey, now: t0, identifiers: ids)
    }

    @Test func bothTokensShareTheSignInsClaimsAndDifferInUse() throws {
        let tokens = try claims()
        for token in [tokens.id, tokens.access] {
            #expect(token["sub"] == "0b1c" && token["iss"] == "http://127.0.0.1:7678/us-east-1_abc")
            #expect(token["auth_time"] == .int(1_799_999_970) && token["iat"] == .int(1_800_000_000) && token["event_id"] == "event")
            #expect(token["origin_jti"] == "origin")
        }
        #expect(tokens.id["token_use"] == "id" && tokens.id["aud"] == "web" && tokens.id["cognito:username"] == "alice")
        #expect(tokens.id["jti"] == "id-jti" && tokens.id["exp"] == .int(1_800_003_600))
        #expect(tokens.access["token_use"] == "access" && tokens.access["client_id"] == "web" && tokens.access["username"] == "alice")
        #expect(tokens.access["scope"] == "aws.cognito.signin.user.admin" && tokens.access["jti"] == "access-jti")
        #expect(tokens.access["aud"] == nil && tokens.id["client_id"] == nil && tokens.access["device_key"] == nil)
    }

    @Test func theIdTokenCarriesReadableAttributesWithVerifiedFlagsAsBooleans() throws {
        let tokens = try claims(
            ["ReadAttributes": .array(["email", "email_verified"])],
            attributes: ["email": "a@example.com", "email_verified": "true", "name": "A", "sub": "forged"])
        #expect(tokens.id["email"] == "a@example.com" && tokens.id["email_verified"] == .bool(true))
        #expect(tokens.id["name"] == nil && tokens.id["sub"] == "0b1c")
        #expect(tokens.access["email"] == nil)
    }

    @Test func validitiesRevocationAndTheDeviceFollowTheClientAndTheSignIn() throws {
        let tokens = try claims(
            [
                "EnableTokenRevocation": .bool(false), "IdTokenValidity": .int(5), "AccessTokenValidity": .int(10),
                "TokenValidityUnits": .object(["IdToken": "minutes", "AccessToken": "minutes"]),
            ], deviceKey: "us-east-1_device")
        #expect(tokens.id["origin_jti"] == nil && tokens.access["origin_jti"] == nil)
        #expect(tokens.id["exp"] == .int(1_800_000_300) && tokens.access["exp"] == .int(1_800_000_600))
        #expect(tokens.access["device_key"] == "us-east-1_device" && tokens.id["device_key"] == nil)
    }
}
