import Foundation
import PosternCore
import Testing

/// `JSONTreeDecoder` decodes what `JSONDecoder` (epoch-second dates) decodes from the same text, and
/// refuses what it refuses.
@Suite struct JSONTreeDecoderTests {
    enum Colour: String, Codable, Equatable { case red, green }

    struct Inner: Codable, Equatable {
        var name: String
        var tags: [String]
    }

    struct Everything: Codable, Equatable {
        var text: String
        var flag: Bool
        var count: Int
        var small: UInt8
        var wide: Int64
        var ratio: Double
        var whole: Double
        var colour: Colour
        var when: Date
        var blob: Data
        var link: URL
        var inner: Inner
        var inners: [Inner]
        var byName: [String: Int]
        var nested: [[Int]]
        var optional: String?
        var missing: Int?
        var nullInt: Int?
        var any: JSONValue
        var sealed: Sealed<String>
    }

    static let text = """
        {"text":"héllo \\u00e9","flag":true,"count":-42,"small":255,"wide":9007199254740993,"ratio":1.5,"whole":3,
         "colour":"green","when":1700000000.5,"blob":"AAEC/w==","link":"https://example.com/a?b=c","inner":{"name":"n","tags":["x","y"]},
         "inners":[{"name":"a","tags":[]},{"name":"b","tags":["c"]}],"byName":{"one":1,"two":2},"nested":[[1,2],[],[3]],
         "optional":"here","nullInt":null,"any":{"k":[1,"v",null]},"sealed":"v1.abc"}
        """

    static func foundation<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        return try decoder.decode(type, from: Data(text.utf8))
    }

    static func tree<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        try JSONValue.parse(text).decode(type)
    }

    @Test func decodesWhatJSONDecoderDecodes() throws {
        let expected = try Self.foundation(Everything.self, Self.text)
        let decoded = try Self.tree(Everything.self, Self.text)
        #expect(decoded == expected)
        #expect(decoded.when == Date(timeIntervalSince1970: 1_700_000_000.5))
        #expect(decoded.blob == Data([0, 1, 2, 255]))
        #expect(decoded.sealed == .ciphertext("v1.abc"))
        #expect(decoded.missing == nil && decoded.nullInt == nil)
        #expect(decoded.any == .object(["k": .array([.int(1), .string("v"), .null])]))
    }

    @Test func topLevelScalarsAndArrays() throws {
        #expect(try Self.tree(Int.self, "7") == 7)
        #expect(try Self.tree(Int.self, "7.0") == 7)
        #expect(try Self.tree([String?].self, "[\"a\",null]") == ["a", nil])
        #expect(try Self.tree(Double.self, "2") == 2)
        #expect(try Self.tree(String?.self, "null") == nil)
    }

    /// Each of these fails in both decoders, with the same kind of error.
    @Test(arguments: [
        ("{\"count\":1.5}", "dataCorrupted"),
        ("{\"count\":\"1\"}", "typeMismatch"),
        ("{\"count\":null}", "valueNotFound"),
        ("{}", "keyNotFound"),
        ("{\"count\":1e40}", "dataCorrupted"),
    ])
    func refusesWhatJSONDecoderRefuses(text: String, kind: String) throws {
        struct Counted: Codable { var count: Int }
        func kindOf(_ body: () throws -> Counted) -> String {
            do {
                _ = try body()
                return "none"
            } catch let error as DecodingError {
                switch error {
                case .dataCorrupted: return "dataCorrupted"
                case .typeMismatch: return "typeMismatch"
                case .valueNotFound: return "valueNotFound"
                case .keyNotFound: return "keyNotFound"
                @unknown default: return "unknown"
                }
            } catch {
                return "\(error)"
            }
        }
        #expect(kindOf { try Self.foundation(Counted.self, text) } == kind)
        #expect(kindOf { try Self.tree(Counted.self, text) } == kind)
    }

    @Test func errorsSayWhere() throws {
        do {
            _ = try Self.tree(Everything.self, Self.text.replacingOccurrences(of: "\"tags\":[\"c\"]", with: "\"tags\":[7]"))
            Issue.record("decoded a number as a string")
        } catch DecodingError.typeMismatch(_, let context) {
            #expect(context.codingPath.map(\.stringValue) == ["inners", "Index 1", "tags", "Index 0"])
        }
    }
}
