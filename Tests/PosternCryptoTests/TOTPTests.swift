import Foundation
import PosternCrypto
import Testing

@Suite("TOTP (RFC 6238) and base32 (RFC 4648)")
struct TOTPTests {
    let rfcSecret = Array("12345678901234567890".utf8)

    @Test(
        "RFC 6238 appendix B, HMAC-SHA1, 8 digits",
        arguments: [
            (59.0, "94287082"), (1_111_111_109.0, "07081804"), (1_111_111_111.0, "14050471"), (1_234_567_890.0, "89005924"),
            (2_000_000_000.0, "69279037"), (20_000_000_000.0, "65353130"),
        ]
    )
    func rfcVectors(seconds: Double, expected: String) {
        let step = TOTP.step(at: Date(timeIntervalSince1970: seconds))
        #expect(TOTP.code(secret: rfcSecret, step: step, digits: 8) == expected)
    }

    @Test("six-digit codes are the last six digits, zero-padded")
    func sixDigits() {
        #expect(TOTP.code(secret: rfcSecret, step: TOTP.step(at: Date(timeIntervalSince1970: 59))) == "287082")
        #expect(TOTP.code(secret: rfcSecret, step: TOTP.step(at: Date(timeIntervalSince1970: 1_111_111_109))) == "081804")
    }

    @Test("a code matches its own step and one step either side, nothing further")
    func drift() {
        let now = Date(timeIntervalSince1970: 1_800_000_015)
        let current = TOTP.step(at: now)
        for offset: Int64 in -1...1 {
            #expect(TOTP.matchingStep(TOTP.code(secret: rfcSecret, step: current + offset), secret: rfcSecret, now: now) == current + offset)
        }
        #expect(TOTP.matchingStep(TOTP.code(secret: rfcSecret, step: current + 2), secret: rfcSecret, now: now) == nil)
        #expect(TOTP.matchingStep(TOTP.code(secret: rfcSecret, step: current - 2), secret: rfcSecret, now: now) == nil)
        #expect(TOTP.matchingStep("12345", secret: rfcSecret, now: now) == nil)
    }

    @Test("new secrets are 32 random bytes, 52 base32 characters")
    func secrets() {
        let first = TOTP.newSecret()
        #expect(first.count == 32 && first != TOTP.newSecret())
        #expect(Base32.encode(first).count == 52)
    }

    @Test(
        "base32 RFC 4648 vectors, without padding",
        arguments: [("", ""), ("f", "MY"), ("fo", "MZXQ"), ("foo", "MZXW6"), ("foob", "MZXW6YQ"), ("fooba", "MZXW6YTB"), ("foobar", "MZXW6YTBOI")]
    )
    func base32(plain: String, encoded: String) {
        #expect(Base32.encode(Array(plain.utf8)) == encoded)
        #expect(Base32.decode(encoded) == Array(plain.utf8))
        #expect(Base32.decode(encoded.lowercased() + "==") == Array(plain.utf8))
    }

    @Test("base32 refuses characters outside the alphabet")
    func base32Refuses() {
        #expect(Base32.decode("MZXW1") == nil)
        #expect(Base32.decode("MZ W6") == nil)
    }
}
