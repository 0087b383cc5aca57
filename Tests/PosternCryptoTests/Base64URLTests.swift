import Foundation
import Testing

@testable import PosternCrypto

@Suite struct Base64URLTests {
    /// RFC 4648 §5 spelled out with Foundation: the alphabet swapped, padding dropped.
    static func reference(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    @Test func encodesAsRFC4648Section5WithoutPaddingAndDecodesBack() {
        var generator = SeededGenerator(seed: 4648)
        for length in Array(0...66) + [255, 256, 416, 4096] {
            let bytes = (0..<length).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
            let encoded = Base64URL.encode(bytes)
            #expect(encoded == Self.reference(bytes))
            #expect(Base64URL.decode(encoded).map { [UInt8]($0) } == bytes)
        }
        #expect(Base64URL.encode([0xfb, 0xff, 0xbf]) == "-_-_")
        #expect(Base64URL.encode(Array("f".utf8)) == "Zg")
    }

    @Test func decodingRefusesWhatIsNotBase64() {
        #expect(Base64URL.decode("-_-_").map { [UInt8]($0) } == [0xfb, 0xff, 0xbf])
        #expect(Base64URL.decode("Zg==").map { [UInt8]($0) } == Array("f".utf8))
        for invalid in ["Z", "Zg.", "Zm9v!", "é"] { #expect(Base64URL.decode(invalid) == nil) }
    }
}
