import Foundation
import Testing

@testable import PosternCore

@Suite struct UserRegistrationTests {
    let sub: Sub = "6f1c2a34-0000-4000-8000-000000000001"

    func settings(_ request: [String: JSONValue] = [:]) throws -> UserPoolSettings {
        try UserPoolSettings.forNewPool(request: ["PoolName": "p"].merging(request) { _, new in new })
    }

    func register(_ username: String, _ attributes: [String: String] = [:], in settings: UserPoolSettings, writer: AttributeValidator.Writer = .admin)
        throws -> UserRegistration
    {
        try UserRegistration(
            settings: settings, sub: sub, requestedUsername: username,
            attributes: attributes.sorted { $0.key < $1.key }.map { UserAttribute(name: $0.key, value: $0.value) }, writer: writer)
    }

    @Test func aPlainPoolKeepsTheUsernameAndTheAttributes() throws {
        let registration = try register("alice", ["email": "alice@example.com"], in: try settings())
        #expect(registration.username == "alice")
        #expect(registration.attributes == ["email": "alice@example.com"])
    }

    @Test func withUsernameAttributesTheNameBecomesAnAttributeAndTheSubTheUsername() throws {
        let pool = try settings(["UsernameAttributes": .array(["email"])])
        let registration = try register("alice@example.com", in: pool)
        #expect(registration.username == sub.rawValue)
        #expect(registration.attributes["email"] == "alice@example.com")
        #expect(throws: DomainError.invalidParameter("Username should be an email.")) { try register("alice", in: pool) }
        let both = try settings(["UsernameAttributes": .array(["email", "phone_number"])])
        #expect(try register("+15550100", in: both).attributes["phone_number"] == "+15550100")
        #expect(throws: DomainError.invalidParameter("Username should be either an email or a phone number.")) { try register("alice", in: both) }
    }

    @Test func aUsernameThatLooksLikeAnAliasIsRefused() throws {
        let pool = try settings(["AliasAttributes": .array(["email"])])
        #expect(throws: DomainError.invalidParameter("Username cannot be of email format, since user pool is configured for email alias.")) {
            try register("alice@example.com", in: pool)
        }
    }

    @Test func attributesFollowTheSchema() throws {
        let pool = try settings()
        #expect(throws: DomainError.invalidParameter("Invalid email address format.")) { try register("a", ["email": "not-an-address"], in: pool) }
        #expect(
            throws: DomainError.invalidParameter(
                "Attributes did not conform to the schema: Type for attribute {custom:unknown} could not be determined")
        ) { try register("a", ["custom:unknown": "x"], in: pool) }
        #expect(
            throws: DomainError.invalidParameter(
                "Attributes did not conform to the schema: sub: Attribute cannot be updated. (changing an immutable attribute)")
        ) { try register("a", ["sub": "x"], in: pool) }
        #expect(throws: DomainError.invalidParameter("Attributes did not conform to the schema: email: Value contains control characters")) {
            try register("a", ["email": "a@example.com\r\nBcc: b@example.com"], in: pool)
        }
    }

    @Test func aClientWritesOnlyWhatItsWriteAttributesAllow() throws {
        let pool = try settings()
        let onlyName = AttributePermissions(readable: nil, writable: ["name"])
        #expect(try register("a", ["name": "A"], in: pool, writer: .client(onlyName)).attributes == ["name": "A"])
        #expect(throws: DomainError.notAuthorized("A client attempted to write unauthorized attribute")) {
            try register("a", ["email": "a@example.com"], in: pool, writer: .client(onlyName))
        }
    }

    @Test func requiredAttributesAreCheckedAfterTheUsernameBecameOne() throws {
        let schema: JSONValue = .array([.object(["Name": .string("email"), "Required": .bool(true), "AttributeDataType": .string("String"), "Mutable": .bool(true)])])
        let pool = try settings(["Schema": schema, "UsernameAttributes": .array(["email"])])
        #expect(try register("alice@example.com", in: pool).attributes["email"] == "alice@example.com")
        let plain = try settings(["Schema": schema])
        #expect(throws: DomainError.invalidParameter("Attributes did not conform to the schema: email: The attribute email is required")) {
            try register("alice", in: plain)
        }
    }

    @Test func preSignUpVerifiesOnlyContactsTheUserHas() throws {
        var registration = try register("alice", ["email": "alice@example.com"], in: try settings())
        try registration.verify(email: true, phoneNumber: false)
        #expect(registration.attributes["email_verified"] == "true")
        #expect(throws: DomainError.invalidParameter("PreSignUp asked to verify phone_number, but the user has none.")) {
            try registration.verify(email: false, phoneNumber: true)
        }
    }

    @Test func theFirstEventCarriesTheProfileAndVerifierAsPlaintextForTheStoreToSeal() throws {
        let registration = try register("alice", ["email": "alice@example.com"], in: try settings())
        let verifier = PasswordVerifier(saltHex: "ab", verifierHex: "cd")
        let event = registration.registered(poolId: "us-east-1_abc", origin: "SignUp", verifier: verifier, status: .unconfirmed, clientId: "c")
        #expect(event.sub == sub && event.origin == "SignUp" && event.status == .unconfirmed)
        #expect(event.sealedProfile == .plaintext(UserProfile(username: "alice", attributes: ["email": "alice@example.com"])))
        #expect(event.sealedVerifier == .plaintext(verifier))
        #expect(UserAccount.evolve(nil, with: event, recordedAt: Date(timeIntervalSince1970: 0))?.hasPassword == true)
    }
}
