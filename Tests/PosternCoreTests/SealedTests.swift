import Foundation
import Testing

@testable import PosternCore

/// A stand-in for a subject's data key that records what it sealed: reversible, so a test can check
/// what the store would write without PosternCrypto.
private struct RecordingSealer: PersonalDataSealer {
    func seal(personalData plaintext: [UInt8]) throws -> String { "test." + Data(plaintext).base64EncodedString() }
    static func open(_ text: String) -> String? {
        guard text.hasPrefix("test."), let data = Data(base64Encoded: String(text.dropFirst(5))) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }
}

@Suite struct SealedTests {
    let profile = UserProfile(username: "alice", attributes: ["email": "alice@example.com"])

    func registered(_ profile: Sealed<UserProfile>) -> UserRegistered {
        UserRegistered(
            poolId: "us-east-1_abc", sub: "0b1c", origin: "SignUp", sealedProfile: profile,
            sealedVerifier: .plaintext(PasswordVerifier(saltHex: "ab", verifierHex: "cd")), status: .unconfirmed, clientId: nil)
    }

    @Test func anEventWithPlaintextPersonalDataCannotBeWrittenWithoutASealer() {
        let event = NewEvent(streamID: "user-0b1c", registered(.plaintext(profile)))
        #expect(throws: EncodingError.self) { try event.storedText(sealer: nil) }
        #expect(throws: EncodingError.self) { try JSONEncoder().encode(Sealed.plaintext(profile)) }
    }

    @Test func theStoredTextHoldsOnlyTheSealedFormUnderTheSchemaOneFieldNames() throws {
        let text = try NewEvent(streamID: "user-0b1c", registered(.plaintext(profile))).storedText(sealer: RecordingSealer())
        #expect(!text.contains("alice"))
        let stored = try JSONValue.parse(Data(text.utf8))
        let sealedProfile = try #require(stored["sealedProfile"]?.stringValue)
        let opened = try JSONDecoder().decode(UserProfile.self, from: Data(try #require(RecordingSealer.open(sealedProfile)).utf8))
        #expect(opened == profile)
        let sealedVerifier = try #require(stored["sealedVerifier"]?.stringValue)
        #expect(RecordingSealer.open(sealedVerifier)?.contains("\"verifierHex\":\"cd\"") == true)
    }

    @Test func aReadEventHoldsCiphertextAndWritesItBackUnchanged() throws {
        let text = try NewEvent(streamID: "user-0b1c", registered(.plaintext(profile))).storedText(sealer: RecordingSealer())
        let read = try JSONValue.parse(Data(text.utf8)).decode(UserRegistered.self)
        let ciphertext = try #require(read.sealedProfile.ciphertext)
        #expect(RecordingSealer.open(ciphertext) != nil)
        // Already sealed: no sealer needed, and the text is what the log held.
        let again = try NewEvent(streamID: "user-0b1c", read).storedText(sealer: nil)
        #expect(try JSONValue.parse(Data(again.utf8)) == JSONValue.parse(Data(text.utf8)))
    }

    @Test func onlyUserStreamsHaveASubject() {
        #expect(Stream.subject(of: "user-0b1c") == "0b1c")
        #expect(Stream.subject(of: "userpool-us-east-1_abc") == nil)
        #expect(Stream.subject(of: "attempt-1") == nil)
        #expect(Stream.subject(of: "client-abc") == nil)
    }
}
