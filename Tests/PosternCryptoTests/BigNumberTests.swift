import PosternCrypto
import Testing

@Suite("BigNumber")
struct BigNumberTests {
    @Test(
        "hex round-trips as lowercase without leading zeros",
        arguments: [
            ("0", "0"), ("00", "0"), ("f", "f"), ("0F", "f"), ("ABCdef0123", "abcdef0123"), ("000100", "100"),
        ]
    )
    func hexRoundTrip(input: String, expected: String) throws {
        let number = try #require(BigNumber(hex: input))
        #expect(number.hex == expected)
    }

    @Test("hex parsing rejects signs, prefixes, spaces and the empty string", arguments: ["", "-1", "0x10", " 1", "1 ", "g", "+1"])
    func hexRejectsGarbage(input: String) {
        #expect(BigNumber(hex: input) == nil)
    }

    @Test("hex parsing rejects oversized input")
    func hexRejectsOversized() {
        #expect(BigNumber(hex: String(repeating: "f", count: BigNumber.maxHexDigits + 1)) == nil)
        #expect(BigNumber(hex: String(repeating: "f", count: BigNumber.maxHexDigits)) != nil)
    }

    @Test("bytes are minimal big-endian, and padding fails when the value does not fit")
    func bytes() throws {
        let number = try #require(BigNumber(hex: "0102ff"))
        #expect(number.bytes == [0x01, 0x02, 0xff])
        #expect(number.paddedBytes(count: 5) == [0, 0, 0x01, 0x02, 0xff])
        #expect(number.paddedBytes(count: 2) == nil)
        #expect(BigNumber(bytes: [0, 0, 7]) == BigNumber(7))
        #expect(BigNumber(bytes: [UInt8]()).isZero)
        #expect(BigNumber(0).bytes.isEmpty)
    }

    @Test("modular arithmetic matches small known values")
    func arithmetic() {
        let m = BigNumber(97)
        #expect(BigNumber(3).power(BigNumber(200), modulo: m) == BigNumber(UInt(pow3mod(200, 97))))
        #expect(BigNumber(3).power(secret: BigNumber(200), modulo: m) == BigNumber(UInt(pow3mod(200, 97))))
        #expect(BigNumber(5).subtracting(BigNumber(9), modulo: m) == BigNumber(93))
        #expect(BigNumber(90).adding(BigNumber(9), modulo: m) == BigNumber(2))
        #expect(BigNumber(50).multiplying(BigNumber(4), modulo: m) == BigNumber(6))
        #expect(BigNumber(200).reduced(modulo: m) == BigNumber(6))
        #expect(BigNumber(2) + BigNumber(3) == BigNumber(5))
        #expect(BigNumber(6) * BigNumber(7) == BigNumber(42))
    }

    @Test("constant-time and variable-time modexp agree on 3072-bit values")
    func largeModExp() throws {
        let base = try #require(BigNumber(hex: String(repeating: "a5", count: 400)))
        let exponent = try #require(BigNumber(hex: String(repeating: "3c", count: 32)))
        let n = SRP.modulus
        #expect(base.power(exponent, modulo: n) == base.power(secret: exponent, modulo: n))
    }

    @Test("description never shows the value")
    func description() throws {
        let number = try #require(BigNumber(hex: "deadbeef"))
        #expect(String(describing: number) == "BigNumber(32 bits)")
    }

    private func pow3mod(_ exponent: Int, _ modulus: Int) -> Int {
        (0..<exponent).reduce(1) { result, _ in result * 3 % modulus }
    }
}
