/// The subset of CBOR (RFC 8949) that WebAuthn carries: attestation objects and COSE keys. Definite
/// lengths only (CTAP2's canonical form), nesting bounded; anything else is refused rather than guessed.
///
/// Written by hand: none of the offline packages reads CBOR, and this is the small, strict subset
/// authenticators emit.
public indirect enum CBOR: Equatable, Sendable {
    case unsigned(UInt64)
    case negative(Int64)
    case bytes([UInt8])
    case text(String)
    case array([CBOR])
    case map([(CBOR, CBOR)])
    case bool(Bool)
    case null

    public static func == (lhs: CBOR, rhs: CBOR) -> Bool {
        switch (lhs, rhs) {
        case (.unsigned(let a), .unsigned(let b)): a == b
        case (.negative(let a), .negative(let b)): a == b
        case (.bytes(let a), .bytes(let b)): a == b
        case (.text(let a), .text(let b)): a == b
        case (.array(let a), .array(let b)): a == b
        case (.map(let a), .map(let b)): a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        case (.bool(let a), .bool(let b)): a == b
        case (.null, .null): true
        default: false
        }
    }

    /// A CBOR item that cannot be read.
    public struct DecodingError: Error, Equatable, Sendable {
        public var reason: String
    }

    /// Decodes one item from the start of `bytes`; returns it and how many bytes it took (an authenticator
    /// data's COSE key is followed by other bytes).
    public static func decodePrefix(_ bytes: [UInt8]) throws(DecodingError) -> (CBOR, Int) {
        var reader = Reader(bytes: bytes)
        let value = try reader.item(depth: 0)
        return (value, reader.offset)
    }

    /// Decodes `bytes` as exactly one item.
    public static func decode(_ bytes: [UInt8]) throws(DecodingError) -> CBOR {
        let (value, used) = try decodePrefix(bytes)
        guard used == bytes.count else { throw DecodingError(reason: "trailing bytes after the CBOR item") }
        return value
    }

    /// The value at `key` in a map (text or integer keys).
    public subscript(key: CBOR) -> CBOR? {
        guard case .map(let pairs) = self else { return nil }
        return pairs.first { $0.0 == key }?.1
    }

    public subscript(text key: String) -> CBOR? { self[.text(key)] }

    public subscript(int key: Int64) -> CBOR? { self[key >= 0 ? .unsigned(UInt64(key)) : .negative(key)] }

    public var bytesValue: [UInt8]? { if case .bytes(let value) = self { value } else { nil } }
    public var textValue: String? { if case .text(let value) = self { value } else { nil } }
    public var arrayValue: [CBOR]? { if case .array(let value) = self { value } else { nil } }
    public var intValue: Int64? {
        switch self {
        case .unsigned(let value): value <= UInt64(Int64.max) ? Int64(value) : nil
        case .negative(let value): value
        default: nil
        }
    }

    struct Reader {
        let bytes: [UInt8]
        var offset = 0
        static let maximumDepth = 16

        mutating func byte() throws(DecodingError) -> UInt8 {
            guard offset < bytes.count else { throw DecodingError(reason: "truncated CBOR") }
            defer { offset += 1 }
            return bytes[offset]
        }

        mutating func take(_ count: Int) throws(DecodingError) -> [UInt8] {
            guard count >= 0, count <= bytes.count - offset else { throw DecodingError(reason: "truncated CBOR") }
            defer { offset += count }
            return Array(bytes[offset..<offset + count])
        }

        mutating func argument(_ info: UInt8) throws(DecodingError) -> UInt64 {
            switch info {
            case 0..<24: return UInt64(info)
            case 24: return UInt64(try byte())
            case 25, 26, 27:
                let width = 1 << Int(info - 24)
                return try take(width).reduce(0) { $0 << 8 | UInt64($1) }
            default: throw DecodingError(reason: "indefinite or reserved CBOR length")
            }
        }

        mutating func length(_ info: UInt8) throws(DecodingError) -> Int {
            let value = try argument(info)
            guard value <= UInt64(bytes.count - offset) else { throw DecodingError(reason: "CBOR length beyond the input") }
            return Int(value)
        }

        mutating func item(depth: Int) throws(DecodingError) -> CBOR {
            guard depth < Self.maximumDepth else { throw DecodingError(reason: "CBOR nested too deep") }
            let initial = try byte()
            let major = initial >> 5
            let info = initial & 0x1F
            switch major {
            case 0: return .unsigned(try argument(info))
            case 1:
                let value = try argument(info)
                guard value < UInt64(Int64.max) else { throw DecodingError(reason: "CBOR negative integer out of range") }
                return .negative(-1 - Int64(value))
            case 2: return .bytes(try take(try length(info)))
            case 3:
                guard let text = String(validating: try take(try length(info)), as: UTF8.self) else {
                    throw DecodingError(reason: "CBOR text is not UTF-8")
                }
                return .text(text)
            case 4:
                let count = try length(info)
                var items: [CBOR] = []
                for _ in 0..<count { items.append(try item(depth: depth + 1)) }
                return .array(items)
            case 5:
                let count = try length(info)
                var pairs: [(CBOR, CBOR)] = []
                for _ in 0..<count { pairs.append((try item(depth: depth + 1), try item(depth: depth + 1))) }
                return .map(pairs)
            case 7:
                switch info {
                case 20: return .bool(false)
                case 21: return .bool(true)
                case 22: return .null
                default: throw DecodingError(reason: "unsupported CBOR simple value or float")
                }
            default: throw DecodingError(reason: "unsupported CBOR tag")
            }
        }
    }
}
