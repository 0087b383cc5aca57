import Foundation

/// Any JSON value. Pool and client configurations are kept as JSON so DescribeUserPool returns exactly
/// what was set, including Cognito settings Postern stores but does not interpret yet.
public enum JSONValue: Hashable, Sendable, Codable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int.self) {
            self = .int(value)
        } else if let value = try? container.decode(Double.self) {
            self = .double(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .int(let value): try container.encode(value)
        case .double(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    public subscript(key: String) -> JSONValue? {
        get { if case .object(let object) = self { return object[key] } else { return nil } }
        set {
            guard case .object(var object) = self else { return }
            object[key] = newValue
            self = .object(object)
        }
    }

    public var stringValue: String? { if case .string(let value) = self { return value } else { return nil } }
    public var boolValue: Bool? { if case .bool(let value) = self { return value } else { return nil } }
    public var intValue: Int? {
        switch self {
        case .int(let value): return value
        case .double(let value) where value.rounded() == value: return Int(value)
        default: return nil
        }
    }
    public var arrayValue: [JSONValue]? { if case .array(let value) = self { return value } else { return nil } }
    public var objectValue: [String: JSONValue]? { if case .object(let value) = self { return value } else { return nil } }
    public var isNull: Bool { if case .null = self { return true } else { return false } }
}

extension JSONValue {
    /// Decodes a Codable value from this JSON tree.
    public func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONTreeDecoder().decode(T.self, from: self)
    }

    /// Encodes a Codable value into a JSON tree.
    public static func encode(_ value: some Encodable) throws -> JSONValue {
        try JSONValue.parse(JSONValue.encoder.encode(value))
    }
}

extension JSONValue {
    /// Event payloads carry dates as epoch seconds, readable by auditors' tools.
    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .secondsSince1970
        return encoder
    }

    static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        return decoder
    }
}

extension JSONValue: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
}

extension JSONValue {
    /// Parses JSON text (`JSONParser`: strict, and several times faster than going through
    /// `JSONSerialization`, which stored configurations, events and tokens paid on every request).
    public static func parse(_ data: Data) throws -> JSONValue { try JSONParser.parse(data) }

    public static func parse(_ text: String) throws -> JSONValue {
        var text = text
        return try text.withUTF8 { utf8 in try JSONParser.parse(utf8) }
    }
}
