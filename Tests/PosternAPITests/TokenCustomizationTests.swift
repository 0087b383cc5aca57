import Foundation
import PosternCore
import Testing

@testable import PosternAPI

/// What a PreTokenGeneration answer does to a token pair (spec/tokens.md §8), without a server.
@Suite struct TokenCustomizationTests {
    var id: [String: JSONValue] = ["sub": "s-1", "aud": "client", "token_use": "id", "email": "a@example.com", "email_verified": .bool(true)]
    var access: [String: JSONValue] = ["sub": "s-1", "client_id": "client", "token_use": "access", "scope": "aws.cognito.signin.user.admin"]

    @Test func aNullOrAbsentAnswerChangesNothing() throws {
        for version in [1, 2] {
            #expect(try TokenCustomization.parse(nil, version: version).isEmpty)
            #expect(
                try TokenCustomization.parse(.object(["claimsOverrideDetails": .null, "claimsAndScopeOverrideDetails": .null]), version: version)
                    .isEmpty)
        }
    }

    @Test mutating func v1AddsStringClaimsToTheIdTokenAndReplacesGroupsInBoth() throws {
        let answer: JSONValue = .object([
            "claimsOverrideDetails": .object([
                "claimsToAddOrOverride": .object(["tenant": "acme", "sub": "forged"]), "claimsToSuppress": .array(["email_verified"]),
                "groupOverrideDetails": .object(["groupsToOverride": .array(["admins"]), "preferredRole": "arn:aws:iam::1:role/a"]),
            ])
        ])
        let decision = try TokenCustomization.parse(answer, version: 1)
        decision.apply(id: &id, access: &access)
        #expect(id["tenant"] == "acme")
        #expect(id["sub"] == "s-1", "protected")
        #expect(id["email_verified"] == nil)
        #expect(access["tenant"] == nil)
        #expect(id["cognito:groups"] == .array(["admins"]) && access["cognito:groups"] == .array(["admins"]))
        #expect(access["cognito:preferred_role"] == "arn:aws:iam::1:role/a")
        #expect(decision.summary["idClaimsAddedOrOverridden"] == .array(["sub", "tenant"]))
    }

    @Test func v1RefusesNonStringClaimValues() {
        let answer: JSONValue = .object(["claimsOverrideDetails": .object(["claimsToAddOrOverride": .object(["tier": .int(3)])])])
        #expect(throws: AWSError.self) { try TokenCustomization.parse(answer, version: 1) }
    }

    @Test mutating func v2ChangesBothTokensAndScopesWithSuppressionWinning() throws {
        let answer: JSONValue = .object([
            "claimsAndScopeOverrideDetails": .object([
                "idTokenGeneration": .object(["claimsToAddOrOverride": .object(["tier": .int(3), "flags": .object(["beta": .bool(true)])])]),
                "accessTokenGeneration": .object([
                    "claimsToAddOrOverride": .object(["tenant": "acme", "gone": "x", "scope": "forged"]), "claimsToSuppress": .array(["gone"]),
                    "scopesToAdd": .array(["orders/read", "orders/write"]), "scopesToSuppress": .array(["orders/write"]),
                ]),
            ])
        ])
        try TokenCustomization.parse(answer, version: 2).apply(id: &id, access: &access)
        #expect(id["tier"] == .int(3) && id["flags"] == .object(["beta": .bool(true)]))
        #expect(access["tenant"] == "acme" && access["gone"] == nil)
        #expect(access["scope"] == "aws.cognito.signin.user.admin orders/read")
    }

    @Test mutating func anEmptyGroupOverrideRemovesGroups() throws {
        id["cognito:groups"] = .array(["old"])
        access["cognito:groups"] = .array(["old"])
        try TokenCustomization.parse(.object(["claimsOverrideDetails": .object(["groupOverrideDetails": .null])]), version: 1)
            .apply(id: &id, access: &access)
        #expect(id["cognito:groups"] == nil && access["cognito:groups"] == nil)
    }

    @Test func illTypedMembersAreInvalid() {
        let answers: [JSONValue] = [
            .object(["claimsAndScopeOverrideDetails": .array([])]),
            .object(["claimsAndScopeOverrideDetails": .object(["accessTokenGeneration": .object(["scopesToAdd": "one"])])]),
            .object(["claimsAndScopeOverrideDetails": .object(["groupOverrideDetails": .object(["groupsToOverride": .array([.int(1)])])])]),
        ]
        for answer in answers { #expect(throws: AWSError.self) { try TokenCustomization.parse(answer, version: 2) } }
    }
}
