import Crypto
import Foundation
import Testing
import _CryptoExtras

@testable import PosternCrypto

@Suite struct OpenSSLRSASigningKeyTests {
    /// One RSA-2048 key for the suite (generation is the slow part), held by BoringSSL for cross-checks.
    static let boring = try! _RSA.Signing.PrivateKey(keySize: .bits2048)

    @Test(arguments: [0, 1, 73, 1 << 16])
    func signaturesAreByteIdenticalToBoringSSLsPKCS1v15(messageLength: Int) throws {
        var generator = SeededGenerator(seed: UInt64(messageLength))
        let message = (0..<messageLength).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let key = try OpenSSLRSASigningKey(pem: Self.boring.pemRepresentation)
        let expected = [UInt8](try Self.boring.signature(for: Data(message), padding: .insecurePKCS1v1_5).rawRepresentation)
        #expect(try key.sign(message) == expected)
        // A collection without contiguous storage takes the copying path.
        #expect(try key.sign(message.lazy.map { $0 }) == expected)
    }

    @Test func readsPKCS1AndPKCS8PEM() throws {
        #expect(Self.boring.pemRepresentation.hasPrefix("-----BEGIN RSA PRIVATE KEY-----"))
        #expect(Self.boring.pkcs8PEMRepresentation.hasPrefix("-----BEGIN PRIVATE KEY-----"))
        let pkcs1 = try OpenSSLRSASigningKey(pem: Self.boring.pemRepresentation)
        let pkcs8 = try OpenSSLRSASigningKey(pem: Self.boring.pkcs8PEMRepresentation)
        #expect(pkcs1.signatureByteCount == 256)
        #expect(try pkcs1.sign(Array("message".utf8)) == (try pkcs8.sign(Array("message".utf8))))
    }

    @Test func theSignatureVerifiesWithThePublicKey() throws {
        let message = Array("header.payload".utf8)
        let signature = try OpenSSLRSASigningKey(pem: Self.boring.pemRepresentation).sign(message)
        let publicKey = Self.boring.publicKey
        #expect(publicKey.isValidSignature(.init(rawRepresentation: signature), for: message, padding: .insecurePKCS1v1_5))
        #expect(!publicKey.isValidSignature(.init(rawRepresentation: signature), for: Array("header.payloaD".utf8), padding: .insecurePKCS1v1_5))
    }

    @Test(arguments: [
        "", "not a key", "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n", P256.Signing.PrivateKey().pemRepresentation,
        OpenSSLRSASigningKeyTests.boring.publicKey.pemRepresentation,
    ])
    func rejectsAnythingButAnRSAPrivateKey(pem: String) {
        #expect(throws: CryptoError.invalidKey) { try OpenSSLRSASigningKey(pem: pem) }
    }

    @Test func concurrentCallsOnOneKeyGiveTheSerialSignatures() async throws {
        let key = try OpenSSLRSASigningKey(pem: Self.boring.pemRepresentation)
        let messages = (0..<128).map { Array("message \($0)".utf8) }
        let serial = try messages.map { try key.sign($0) }
        let concurrent = try await withThrowingTaskGroup(of: (Int, [UInt8]).self) { group in
            for (index, message) in messages.enumerated() {
                group.addTask { (index, try key.sign(message)) }
            }
            var signatures = [[UInt8]](repeating: [], count: messages.count)
            for try await (index, signature) in group { signatures[index] = signature }
            return signatures
        }
        #expect(concurrent == serial)
    }
}
