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
}
