import PosternCrypto
import Testing

@Suite("Constant-time comparison")
struct ConstantTimeTests {
    @Test("equal byte sequences compare equal, across collection types")
    func equalBytes() {
        #expect(constantTimeEquals([1, 2, 3] as [UInt8], [1, 2, 3] as [UInt8]))
        #expect(constantTimeEquals([1, 2, 3] as [UInt8], ArraySlice<UInt8>([0, 1, 2, 3].dropFirst())))
        #expect(constantTimeEquals([] as [UInt8], [] as [UInt8]))
    }

    @Test("a difference in any position or in length makes them unequal")
    func unequalBytes() {
        #expect(!constantTimeEquals([1, 2, 3] as [UInt8], [1, 2, 4] as [UInt8]))
        #expect(!constantTimeEquals([0, 2, 3] as [UInt8], [1, 2, 3] as [UInt8]))
        #expect(!constantTimeEquals([1, 2] as [UInt8], [1, 2, 3] as [UInt8]))
    }

    @Test("strings compare by their UTF-8 bytes")
    func strings() {
        #expect(constantTimeEquals("sécret", "sécret"))
        #expect(!constantTimeEquals("sécret", "secret"))
        #expect(!constantTimeEquals("abc", "abcd"))
    }
}
