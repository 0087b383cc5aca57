import Foundation
import Testing

@testable import PosternCore

@Suite struct ProfileUpdateTests {
    func settings(_ request: [String: JSONValue] = [:]) throws -> UserPoolSettings {
        try UserPoolSettings.forNewPool(request: ["PoolName": "p", "AutoVerifiedAttributes": .array(["email"])].merging(request) { _, new in new })
    }

    func update(
        _ current: [String: String], _ changes: [String: String], deletions: [String] = [], writer: AttributeValidator.Writer = .admin,
        settings: UserPoolSettings? = nil
    ) throws -> ProfileUpdate {
        try ProfileUpdate(
            current: current, changes: changes.sorted { $0.key < $1.key }.map { UserAttribute(name: $0.key, value: $0.value) },
            deletions: deletions, writer: writer, settings: try settings ?? self.settings())
    }

    @Test func aChangedEmailIsUnverifiedAndGetsACodeWhenThePoolAutoVerifiesIt() throws {
        let result = try update(["email": "a@example.com", "email_verified": "true"], ["email": "b@example.com"])
        #expect(result.attributes == ["email": "b@example.com", "email_verified": "false"])
        #expect(result.changedAttributes == ["email", "email_verified"])
        #expect(result.contactsToVerify == ["email"])
        // The phone is not auto-verified here: it is unverified but gets no code.
        let phone = try update([:], ["phone_number": "+15550100"])
        #expect(phone.attributes["phone_number_verified"] == "false" && phone.contactsToVerify.isEmpty)
    }

    @Test func anAdministratorMayVerifyTheNewContactInTheSameCall() throws {
        let result = try update(["email": "a@example.com"], ["email": "b@example.com", "email_verified": "true"])
        #expect(result.attributes["email_verified"] == "true" && result.contactsToVerify.isEmpty)
    }

    @Test func aBlankValueOrADeletionRemovesTheAttributeAndItsVerification() throws {
        let cleared = try update(["email": "a@example.com", "email_verified": "true", "name": "A"], ["email": ""])
        #expect(cleared.attributes == ["name": "A"])
        let deleted = try update(["name": "A", "family_name": "B"], [:], deletions: ["family_name"])
        #expect(deleted.attributes == ["name": "A"] && deleted.changedAttributes == ["family_name"])
    }

    @Test func theSameValuesChangeNothing() throws {
        let result = try update(["email": "a@example.com", "email_verified": "true"], ["email": "a@example.com"])
        #expect(result.isEmpty && result.contactsToVerify.isEmpty && result.attributes["email_verified"] == "true")
    }

    @Test func immutableAndRequiredAttributesKeepTheirRules() throws {
        let pool = try settings([
            "Schema": .array([
                .object(["Name": "tenant", "AttributeDataType": "String", "Mutable": .bool(false)]),
                .object(["Name": "name", "AttributeDataType": "String", "Required": .bool(true)]),
            ])
        ])
        #expect(throws: DomainError.notAuthorized("Cannot modify an already provided immutable attribute custom:tenant")) {
            try update(["custom:tenant": "a", "name": "A"], ["custom:tenant": "b"], settings: pool)
        }
        // An immutable attribute may be set once.
        #expect(try update(["name": "A"], ["custom:tenant": "a"], settings: pool).attributes["custom:tenant"] == "a")
        #expect(throws: DomainError.invalidParameter("Attributes did not conform to the schema: name: The attribute name is required")) {
            try update(["name": "A"], ["name": ""], settings: pool)
        }
    }

    @Test func theEventCarriesTheWholeProfileInPlaintextForTheStoreToSeal() throws {
        let result = try update(["name": "A"], ["name": "B"])
        let event = result.event(username: "alice")
        #expect(event.sealedProfile == .plaintext(UserProfile(username: "alice", attributes: ["name": "B"])))
        #expect(event.changedAttributes == ["name"])
    }
}
