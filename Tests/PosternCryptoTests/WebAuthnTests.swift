import Crypto
import Foundation
import PosternCrypto
import Testing

/// Registrations and assertions made by a software authenticator (soft-webauthn over python-fido2,
/// `Tests/Fixtures/webauthn_vectors.py`).
struct WebAuthnVectors: Decodable {
    struct Registration: Decodable {
        var challenge: String
        var credentialId: String
        var clientDataJSON: String
        var attestationObject: String
    }
    struct Assertion: Decodable {
        var challenge: String
        var clientDataJSON: String
        var authenticatorData: String
        var signature: String
    }
    var rpId: String
    var origin: String
    var registration: Registration
    var assertions: [Assertion]
    var packed: Registration
    var rs256: Registration
    var packedFull: Registration
    var rs256Assertion: Assertion

    static func load() throws -> WebAuthnVectors { try Fixtures.load(WebAuthnVectors.self, from: "webauthn_vectors.json") }
}

func bytes(_ base64: String) -> [UInt8] { Data(base64Encoded: base64).map(Array.init) ?? [] }

@Suite("WebAuthn relying-party checks against a software authenticator")
struct WebAuthnTests {
    let vectors: WebAuthnVectors
    let party: WebAuthnRelyingParty

    init() throws {
        vectors = try WebAuthnVectors.load()
        party = WebAuthnRelyingParty(id: vectors.rpId, allowedOrigins: [vectors.origin], requiresUserVerification: false)
    }

    func register(_ party: WebAuthnRelyingParty? = nil, challenge: [UInt8]? = nil) throws(WebAuthnError) -> WebAuthnRelyingParty.Registration {
        try (party ?? self.party).verifyRegistration(
            clientDataJSON: bytes(vectors.registration.clientDataJSON), attestationObject: bytes(vectors.registration.attestationObject),
            challenge: challenge ?? bytes(vectors.registration.challenge))
    }

    @Test func aNoneAttestationRegistersTheCredential() throws {
        let registration = try register()
        #expect(registration.credentialId == bytes(vectors.registration.credentialId))
        #expect(registration.attestationFormat == "none" && registration.signCount == 0)
        #expect(try CBOR.decode(registration.publicKey)[int: 3]?.intValue == -7)
    }

    @Test func aPackedSelfAttestationIsCheckedWithTheNewKey() throws {
        let packed = try party.verifyRegistration(
            clientDataJSON: bytes(vectors.packed.clientDataJSON), attestationObject: bytes(vectors.packed.attestationObject),
            challenge: bytes(vectors.packed.challenge))
        #expect(packed.attestationFormat == "packed" && packed.signCount == 7 && packed.userVerified)
        #expect(packed.credentialId == bytes(vectors.packed.credentialId))
        var tampered = bytes(vectors.packed.attestationObject)
        tampered[tampered.count - 40] ^= 0x01
        #expect(throws: WebAuthnError.self) {
            try party.verifyRegistration(
                clientDataJSON: bytes(vectors.packed.clientDataJSON), attestationObject: tampered, challenge: bytes(vectors.packed.challenge))
        }
    }

    @Test func aPackedFullAttestationIsCheckedWithItsCertificate() throws {
        let full = try party.verifyRegistration(
            clientDataJSON: bytes(vectors.packedFull.clientDataJSON), attestationObject: bytes(vectors.packedFull.attestationObject),
            challenge: bytes(vectors.packedFull.challenge))
        #expect(full.attestationFormat == "packed" && full.aaguid == Array(repeating: 0x33, count: 16))
        // The same statement over other client data does not verify.
        #expect(throws: WebAuthnError.self) {
            try party.verifyRegistration(
                clientDataJSON: bytes(vectors.packed.clientDataJSON), attestationObject: bytes(vectors.packedFull.attestationObject),
                challenge: bytes(vectors.packed.challenge))
        }
    }

    @Test func anRS256CredentialRegistersAndSignsIn() throws {
        let registration = try party.verifyRegistration(
            clientDataJSON: bytes(vectors.rs256.clientDataJSON), attestationObject: bytes(vectors.rs256.attestationObject),
            challenge: bytes(vectors.rs256.challenge))
        #expect(try WebAuthnPublicKey(cose: registration.publicKey).algorithm == -257)
        let assertion = vectors.rs256Assertion
        let count = try party.verifyAssertion(
            clientDataJSON: bytes(assertion.clientDataJSON), authenticatorData: bytes(assertion.authenticatorData),
            signature: bytes(assertion.signature), challenge: bytes(assertion.challenge), publicKey: registration.publicKey,
            storedSignCount: registration.signCount)
        #expect(count == 2)
        var forged = bytes(assertion.signature)
        forged[10] ^= 0x01
        #expect(throws: WebAuthnError.badSignature) {
            try party.verifyAssertion(
                clientDataJSON: bytes(assertion.clientDataJSON), authenticatorData: bytes(assertion.authenticatorData), signature: forged,
                challenge: bytes(assertion.challenge), publicKey: registration.publicKey, storedSignCount: 1)
        }
    }

    @Test func registrationsAreBoundToTheChallengeOriginAndRelyingParty() {
        #expect(throws: WebAuthnError.challengeMismatch) { try register(challenge: Array(repeating: 0, count: 32)) }
        #expect(throws: WebAuthnError.originNotAllowed(vectors.origin)) {
            try register(WebAuthnRelyingParty(id: vectors.rpId, allowedOrigins: ["https://evil.example"], requiresUserVerification: false))
        }
        #expect(throws: WebAuthnError.relyingPartyMismatch) {
            try register(WebAuthnRelyingParty(id: "example.org", allowedOrigins: [vectors.origin], requiresUserVerification: false))
        }
        // soft-webauthn does not verify the user: a pool that requires it refuses the credential.
        #expect(throws: WebAuthnError.userNotVerified) {
            try register(WebAuthnRelyingParty(id: vectors.rpId, allowedOrigins: [vectors.origin], requiresUserVerification: true))
        }
    }

    @Test func assertionsVerifyAndTheCounterMustMoveForward() throws {
        let key = try register().publicKey
        var count: UInt32 = 0
        for assertion in vectors.assertions {
            count = try party.verifyAssertion(
                clientDataJSON: bytes(assertion.clientDataJSON), authenticatorData: bytes(assertion.authenticatorData),
                signature: bytes(assertion.signature), challenge: bytes(assertion.challenge), publicKey: key, storedSignCount: count)
        }
        #expect(count == 2)
        let first = vectors.assertions[0]
        #expect(throws: WebAuthnError.signCountRegressed) {
            try party.verifyAssertion(
                clientDataJSON: bytes(first.clientDataJSON), authenticatorData: bytes(first.authenticatorData), signature: bytes(first.signature),
                challenge: bytes(first.challenge), publicKey: key, storedSignCount: 2)
        }
    }

    @Test func aTamperedAssertionOrAnotherKeyFails() throws {
        let key = try register().publicKey
        let assertion = vectors.assertions[0]
        var signed = bytes(assertion.authenticatorData)
        signed[36] ^= 0x01
        #expect(throws: WebAuthnError.badSignature) {
            try party.verifyAssertion(
                clientDataJSON: bytes(assertion.clientDataJSON), authenticatorData: signed, signature: bytes(assertion.signature),
                challenge: bytes(assertion.challenge), publicKey: key, storedSignCount: 0)
        }
        let other = try party.verifyRegistration(
            clientDataJSON: bytes(vectors.packed.clientDataJSON), attestationObject: bytes(vectors.packed.attestationObject),
            challenge: bytes(vectors.packed.challenge)
        ).publicKey
        #expect(throws: WebAuthnError.badSignature) {
            try party.verifyAssertion(
                clientDataJSON: bytes(assertion.clientDataJSON), authenticatorData: bytes(assertion.authenticatorData),
                signature: bytes(assertion.signature), challenge: bytes(assertion.challenge), publicKey: other, storedSignCount: 0)
        }
        #expect(throws: WebAuthnError.wrongType) {
            try party.verifyAssertion(
                clientDataJSON: bytes(vectors.registration.clientDataJSON), authenticatorData: bytes(assertion.authenticatorData),
                signature: bytes(assertion.signature), challenge: bytes(vectors.registration.challenge), publicKey: key, storedSignCount: 0)
        }
    }
}

@Suite("CBOR, the subset WebAuthn uses")
struct CBORTests {
    @Test(
        "RFC 8949 appendix A examples",
        arguments: [
            ([0x00], CBOR.unsigned(0)), ([0x17], .unsigned(23)), ([0x18, 0x18], .unsigned(24)), ([0x19, 0x03, 0xe8], .unsigned(1000)),
            ([0x20], .negative(-1)), ([0x38, 0x63], .negative(-100)), ([0x40], .bytes([])), ([0x44, 1, 2, 3, 4], .bytes([1, 2, 3, 4])),
            ([0x61, 0x61], .text("a")), ([0x83, 1, 2, 3], .array([.unsigned(1), .unsigned(2), .unsigned(3)])),
            ([0xa1, 0x01, 0x02], .map([(.unsigned(1), .unsigned(2))])), ([0xf4], .bool(false)), ([0xf5], .bool(true)), ([0xf6], .null),
        ] as [([UInt8], CBOR)]
    )
    func examples(encoded: [UInt8], value: CBOR) throws {
        #expect(try CBOR.decode(encoded) == value)
    }

    @Test("indefinite lengths, floats, tags, truncation, trailing bytes and deep nesting are refused")
    func refusals() {
        for bad: [UInt8] in [[0x5f], [0xf9, 0x3c, 0x00], [0xc0, 0x00], [0x44, 1, 2], [0x00, 0x00], [0x19, 0x03], [0x62, 0xff, 0xfe]] {
            #expect(throws: CBOR.DecodingError.self) { try CBOR.decode(bad) }
        }
        #expect(throws: CBOR.DecodingError.self) { try CBOR.decode(Array(repeating: 0x81, count: 40) + [0x00]) }
    }
}
