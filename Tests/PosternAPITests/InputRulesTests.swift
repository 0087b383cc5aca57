import Foundation
import PosternCore
import Testing

@testable import PosternAPI

/// Rules on what callers may send, without a server.
@Suite struct InputRulesTests {
    @Test(arguments: ["alice\n", "alice\r", "al ice", "alice\u{0}", "", String(repeating: "a", count: 129)])
    func usernamesMatchCognitosPatternAsAWhole(name: String) {
        #expect(throws: DomainError.self) { try Validate.username(name) }
    }

    @Test func ordinaryUsernamesPass() throws {
        try Validate.username("alice.o'neil+test@home")
        try Validate.username("Ærøskøbing-7")
    }

    @Test(arguments: ["a@example.com\n", "a\n@example.com", "a@example.com\u{202E}", " a@example.com"])
    func emailsWithControlOrSpaceCharactersAreRefused(email: String) {
        #expect(!AttributeValidator.isEmail(email) || (try? AttributeValidator.checkCharacters(name: "email", value: email)) == nil)
    }

    @Test func freeTextKeepsLineBreaksButNotOtherControls() throws {
        try AttributeValidator.checkCharacters(name: "address", value: "1 Main St\nSpringfield")
        try AttributeValidator.checkCharacters(name: "name", value: "Zoë 👩‍👩‍👧")  // a zero-width joiner is fine in a name
        #expect(throws: DomainError.self) { try AttributeValidator.checkCharacters(name: "name", value: "bell\u{7}") }
        #expect(throws: DomainError.self) { try AttributeValidator.checkCharacters(name: "preferred_username", value: "a\u{200D}b") }
    }

    @Test func userAgentsAreCutOnACharacterBoundary() {
        #expect(Call.capped("abc", bytes: 2) == "ab")
        #expect(Call.capped(String(repeating: "é", count: 600)) == String(repeating: "é", count: 512))
        #expect(Call.capped("short") == "short")
    }
}
