import Foundation
import PosternCore
import Testing

/// `JSONParser`: RFC 8259 accepted exactly, everything else refused with where and why, and the same tree
/// `JSONSerialization` gave for what Postern stores.
@Suite struct JSONParserTests {
    func parse(_ text: String) throws -> JSONValue { try JSONValue.parse(text) }

    @Test func scalarsAndFragments() throws {
        #expect(try parse("null") == .null)
        #expect(try parse(" true ") == .bool(true))
        #expect(try parse("false") == .bool(false))
        #expect(try parse("0") == .int(0))
        #expect(try parse("-0") == .int(0))
        #expect(try parse("42") == .int(42))
        #expect(try parse("-17") == .int(-17))
        #expect(try parse("1.5") == .double(1.5))
        #expect(try parse("1.0") == .double(1.0))
        #expect(try parse("2e3") == .double(2000))
        #expect(try parse("-2.5E-3") == .double(-0.0025))
        #expect(try parse("\"x\"") == .string("x"))
    }

    @Test func integerBounds() throws {
        #expect(try parse("9223372036854775807") == .int(Int.max))
        #expect(try parse("-9223372036854775808") == .int(Int.min))
        #expect(try parse("9223372036854775808") == .double(9_223_372_036_854_775_808))
        #expect(try parse("-9223372036854775809") == .double(-9_223_372_036_854_775_809))
        #expect(try parse("123456789012345678901234567890") == .double(1.2345678901234568e29))
    }

    @Test func containers() throws {
        #expect(try parse("[]") == .array([]))
        #expect(try parse("{}") == .object([:]))
        #expect(try parse(" [ 1 , \"a\" , [ ] , { } ] ") == .array([.int(1), .string("a"), .array([]), .object([:])]))
        #expect(
            try parse("{\"a\":{\"b\":[true,null]},\"c\":\"d\"}")
                == .object(["a": .object(["b": .array([.bool(true), .null])]), "c": .string("d")]))
        #expect(try parse("{\"k\":1,\"k\":2}") == .object(["k": .int(2)]))
        #expect(try parse("\t\r\n{\n\"a\" :\t1\r}\n") == .object(["a": .int(1)]))
    }

    @Test func stringEscapes() throws {
        #expect(try parse(#""a\"b\\c\/d\be\ff\ng\rh\ti""#) == .string("a\"b\\c/d\u{08}e\u{0C}f\ng\rh\ti"))
        #expect(try parse(#""\u00e9\u4E2D""#) == .string("é中"))
        #expect(try parse(#""\ud83d\ude00""#) == .string("😀"))
        #expect(try parse("\"😀 é\"") == .string("😀 é"))
        #expect(try parse(#""\u0000""#) == .string("\u{0}"))
    }

    @Test(arguments: [
        "", " ", "[", "]", "{", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "{1:2}", "[1 2]", "01", "-", "1.", ".5", "1e", "+1", "NaN",
        "Infinity", "tru", "nul", "\"abc", "\"a\u{01}b\"", "\"\\x\"", "\"\\u12\"", "\"\\ud83d\"", "\"\\ude00\"", "\"\\ud83d\\u0041\"",
        "1 2", "[] x", "{\"a\":1}}", "'a'", "/* */ 1", "1e999",
    ])
    func refused(_ text: String) {
        #expect(throws: JSONParser.SyntaxError.self) { try JSONParser.parse(Array(text.utf8)) }
    }

    @Test func invalidUTF8IsRefused() {
        #expect(throws: JSONParser.SyntaxError.self) { try JSONParser.parse([0x22, 0xC3, 0x28, 0x22]) }
        #expect(throws: JSONParser.SyntaxError.self) { try JSONParser.parse([0x22, 0xED, 0xA0, 0x80, 0x22]) }  // an encoded surrogate
        #expect(throws: JSONParser.SyntaxError.self) { try JSONParser.parse([0x22, 0x5C, 0x6E, 0xFF, 0x22]) }  // after an escape
    }

    @Test func depthIsBounded() throws {
        let deepest = String(repeating: "[", count: JSONParser.maximumDepth) + String(repeating: "]", count: JSONParser.maximumDepth)
        #expect(try parse(deepest) != .null)
        let tooDeep = String(repeating: "[", count: JSONParser.maximumDepth + 1) + String(repeating: "]", count: JSONParser.maximumDepth + 1)
        #expect(throws: JSONParser.SyntaxError.self) { try parse(tooDeep) }
        let bomb = String(repeating: "{\"a\":", count: 100_000)
        #expect(throws: JSONParser.SyntaxError.self) { try parse(bomb) }
    }

    @Test func errorsSayWhere() {
        #expect(throws: JSONParser.SyntaxError(offset: 6, reason: "',' or ']' was expected")) { try JSONParser.parse(Array("[1, 2 3]".utf8)) }
    }

    /// The same trees as the encoder that writes Postern's events and configurations produces, for
    /// random values: what was stored reads back unchanged.
    @Test func roundTripsWhatJSONEncoderWrites() throws {
        var generator = SplitMix(seed: 0x5EED)
        for _ in 0..<300 {
            let value = randomValue(depth: 0, using: &generator)
            let encoded = try JSONEncoder().encode(value)
            #expect(try JSONValue.parse(encoded) == value)
        }
    }

    /// What `JSONSerialization` (the parser this replaced) reads from the same texts.
    @Test func agreesWithJSONSerialization() throws {
        let texts = [
            #"{"UserPoolId":"us-east-1_abc","Policies":{"PasswordPolicy":{"MinimumLength":8,"RequireSymbols":true}},"tags":[]}"#,
            #"{"sub":"7c5e","exp":1767225600,"scope":"aws.cognito.signin.user.admin","ratio":0.25,"n":null}"#,
            #"[1,-2,3.25,"\u00fc",true,false,null,{"":""}]"#,
        ]
        for text in texts {
            let reference = try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
            let referenceText = try JSONSerialization.data(withJSONObject: reference, options: [.sortedKeys, .fragmentsAllowed])
            let ours = try JSONEncoder.sorted.encode(try parse(text))
            #expect(
                try JSONSerialization.jsonObject(with: ours, options: [.fragmentsAllowed]) as? NSObject
                    == JSONSerialization.jsonObject(with: referenceText, options: [.fragmentsAllowed]) as? NSObject)
        }
    }

    func randomValue(depth: Int, using generator: inout SplitMix) -> JSONValue {
        switch generator.next() % (depth > 3 ? 5 : 7) {
        case 0: return .null
        case 1: return .bool(generator.next() % 2 == 0)
        case 2: return .int(Int(bitPattern: UInt(generator.next())) >> Int(generator.next() % 64))
        // Never integral: JSONEncoder writes 2.0 as "2", which reads back as an integer (as it always did).
        case 3: return .double(Double(Int(generator.next() % 2_000_001) - 1_000_000) / 64 + 1.0 / 128)
        case 4: return .string(randomString(using: &generator))
        case 5: return .array((0..<Int(generator.next() % 5)).map { _ in randomValue(depth: depth + 1, using: &generator) })
        default:
            var members: [String: JSONValue] = [:]
            for _ in 0..<Int(generator.next() % 5) { members[randomString(using: &generator)] = randomValue(depth: depth + 1, using: &generator) }
            return .object(members)
        }
    }

    func randomString(using generator: inout SplitMix) -> String {
        let alphabet: [Character] = ["a", "Z", "0", " ", "\"", "\\", "/", "\n", "\t", "\u{01}", "\u{1F}", "é", "中", "😀", "\u{7F}"]
        return String((0..<Int(generator.next() % 12)).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] })
    }
}

/// A small deterministic generator, so a failure reproduces.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension JSONEncoder {
    static var sorted: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return encoder
    }
}
