import Foundation
import Testing

@testable import PosternCrypto

@Suite struct SealerPurposeTests {
    let master = try! MasterKey(base64: MasterKey.generateBase64())

    struct Session: Codable, Equatable { var id: String }

    @Test func aValueSealedForOnePurposeOpensOnlyForThatPurpose() throws {
        let sealed = try master.sessions.seal(json: Session(id: "s1"), purpose: "challenge session")
        #expect(try master.sessions.open(sealed, as: Session.self, purpose: "challenge session") == Session(id: "s1"))
        #expect(throws: CryptoError.sealedDataCorrupt) { try master.sessions.open(sealed, as: Session.self, purpose: "other purpose") }
    }

    @Test func clientSessionsAndStoredSecretsUseDifferentKeys() throws {
        let session = try master.sessions.seal(json: Session(id: "s1"), purpose: "p")
        #expect(throws: CryptoError.sealedDataCorrupt) { try master.secrets.open(session, as: Session.self, purpose: "p") }
        let secret = try master.secrets.seal("client secret")
        #expect(throws: CryptoError.sealedDataCorrupt) { try master.sessions.open(secret) }
    }

    @Test func paddedBytesHideTheValuesLengthAndStillOpen() throws {
        let short = try master.sessions.sealedBytes(json: Session(id: "s"), purpose: "p", paddedTo: 256)
        let long = try master.sessions.sealedBytes(json: Session(id: String(repeating: "x", count: 200)), purpose: "p", paddedTo: 256)
        #expect(short.count == long.count)
        #expect(try master.sessions.open(bytes: short, as: Session.self, purpose: "p") == Session(id: "s"))
        #expect(try master.sessions.open(bytes: long, as: Session.self, purpose: "p").id.count == 200)
        // Unpadded, the lengths differ.
        #expect(try master.sessions.sealedBytes(json: Session(id: "s"), purpose: "p").count < short.count)
    }
}
