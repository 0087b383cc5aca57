import Foundation
import Testing

@testable import PosternCore

@Suite struct UserPoolSettingsTests {
    @Test func newPoolGetsCognitoDefaults() throws {
        let settings = try UserPoolSettings.forNewPool(request: ["PoolName": "p"])
        #expect(settings.passwordPolicy == PasswordPolicy())
        #expect(settings.json["MfaConfiguration"] == "OFF")
        #expect(settings.json["DeletionProtection"] == "INACTIVE")
        #expect(settings.caseSensitive)
        #expect(settings.schema.map(\.name).contains("email"))
        #expect(settings.json["PoolName"] == nil, "request-only members are not stored")
    }

    @Test func customAttributesArePrefixedAndKept() throws {
        let settings = try UserPoolSettings.forNewPool(request: [
            "Schema": .array([.object(["Name": "tier", "AttributeDataType": "String", "Mutable": .bool(true)])])
        ])
        #expect(settings.schema.contains { $0.name == "custom:tier" })
    }

    @Test func aliasAndUsernameAttributesAreExclusive() {
        #expect(throws: DomainError.self) {
            try UserPoolSettings.forNewPool(request: ["AliasAttributes": .array(["email"]), "UsernameAttributes": .array(["email"])])
        }
    }

    @Test func updateResetsOmittedSettingsButKeepsImmutableOnes() throws {
        let created = try UserPoolSettings.forNewPool(request: [
            "MfaConfiguration": "OPTIONAL", "UsernameAttributes": .array(["email"]),
            "Policies": .object(["PasswordPolicy": .object(["MinimumLength": .int(12)])]),
        ])
        let updated = try created.updated(request: ["UserPoolId": "x"])
        #expect(updated.json["MfaConfiguration"] == "OFF")
        #expect(updated.passwordPolicy.minimumLength == 8)
        #expect(updated.usernameAttributes == ["email"])
    }

    @Test func caseInsensitivePoolsLowercaseUsernameKeys() throws {
        let settings = try UserPoolSettings.forNewPool(request: ["UsernameConfiguration": .object(["CaseSensitive": .bool(false)])])
        #expect(settings.usernameKey("Alice") == "alice")
    }
}

@Suite struct ClientSettingsTests {
    @Test func defaultsMatchCognito() throws {
        let settings = try ClientSettings.from(request: ["ClientName": "web"])
        #expect(settings.explicitAuthFlows == ["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH"])
        #expect(settings.accessTokenValidity == 3600)
        #expect(settings.refreshTokenValidity == 30 * 86_400)
        #expect(settings.tokenRevocationEnabled)
        #expect(!settings.preventUserExistenceErrors)
        #expect(!settings.allows(.userPassword))
    }

    @Test func tokenValidityHonoursUnitsAndRanges() throws {
        let settings = try ClientSettings.from(request: [
            "ClientName": "web", "AccessTokenValidity": .int(10), "TokenValidityUnits": .object(["AccessToken": "minutes"]),
        ])
        #expect(settings.accessTokenValidity == 600)
        #expect(throws: DomainError.self) {
            try ClientSettings.from(request: [
                "ClientName": "web", "AccessTokenValidity": .int(2), "TokenValidityUnits": .object(["AccessToken": "days"]),
            ])
        }
    }

    @Test func legacyAndAllowFlowsCannotBeMixed() {
        #expect(throws: DomainError.self) {
            try ClientSettings.from(request: ["ClientName": "web", "ExplicitAuthFlows": .array(["USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH"])])
        }
    }

    @Test func legacyFlagsEnableTheirFlows() throws {
        let settings = try ClientSettings.from(request: ["ClientName": "web", "ExplicitAuthFlows": .array(["ADMIN_NO_SRP_AUTH"])])
        #expect(settings.allows(.adminUserPassword))
        #expect(settings.allows(.refreshToken))
    }
}

@Suite struct EventEncodingTests {
    @Test func payloadsRoundTripWithTheirPersistedTypeName() throws {
        let payload = SignInFailed(
            flow: "USER_PASSWORD_AUTH", clientId: "c1", poolId: "us-east-1_abc", reason: "incorrect_password",
            failedAttempts: 3, lockedUntil: Date(timeIntervalSince1970: 1_800_000_000))
        let event = NewEvent(streamID: "user-1", payload)
        #expect(event.type == "SignInFailed")
        #expect(try event.data()["lockedUntil"] == .int(1_800_000_000), "dates are stored as epoch seconds")
        #expect(try event.data().decode(SignInFailed.self).reason == "incorrect_password")
    }
}

@Suite struct JSONValueTests {
    @Test func parseKeepsBooleansIntegersDoublesAndNulls() throws {
        let value = try JSONValue.parse(#"{"t": true, "f": false, "one": 1, "zero": 0, "half": 0.5, "big": 1795723744, "n": null, "s": "1"}"#)
        #expect(value["t"] == .bool(true) && value["f"] == .bool(false))
        #expect(value["one"] == .int(1) && value["zero"] == .int(0) && value["big"] == .int(1_795_723_744))
        #expect(value["half"] == .double(0.5))
        #expect(value["n"] == .null && value["s"] == "1")
    }

    @Test func parseAgreesWithTheCodableDecoder() throws {
        let text = #"{"a": [1, 2.5, true, "x", null, {"b": false}], "c": {"d": -3}}"#
        #expect(try JSONValue.parse(text) == JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)))
    }
}
