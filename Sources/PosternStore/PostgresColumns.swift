import Foundation
import NIOCore
import PostgresNIO

/// A `timestamptz` exactly as PostgreSQL stores it: microseconds since 2000-01-01 UTC.
///
/// Rows the directory projection reads and writes back keep their timestamps as this integer, because a
/// round trip through `Date` (a `Double`) is not exact: re-encoding a decoded value can lose a microsecond,
/// and a row that is read, changed and written must keep every other column bit for bit.
struct Timestamp: Hashable, Comparable, Sendable {
    var microseconds: Int64

    init(microseconds: Int64) { self.microseconds = microseconds }

    /// The value postgres-nio would bind for `date` (the same arithmetic, truncation included), so a row
    /// built from an event's dates equals one the projection used to write with `Date` binds.
    init(_ date: Date) {
        microseconds = Int64(date.timeIntervalSince(Self.postgresEpoch) * 1_000_000)
    }

    static let postgresEpoch = Date(timeIntervalSince1970: 946_684_800)
    static let hour: Int64 = 3_600_000_000

    /// `self + interval '1 hour' > other`, as the code-limit windows compare.
    func withinAnHour(of other: Timestamp) -> Bool { microseconds + Self.hour > other.microseconds }

    static func < (lhs: Timestamp, rhs: Timestamp) -> Bool { lhs.microseconds < rhs.microseconds }
}

extension Timestamp: PostgresNonThrowingEncodable, PostgresArrayEncodable, PostgresDecodable, PostgresArrayDecodable {
    static var psqlType: PostgresDataType { .timestamptz }
    static var psqlFormat: PostgresFormat { .binary }
    static var psqlArrayType: PostgresDataType { .timestamptzArray }

    func encode<JSONEncoder: PostgresJSONEncoder>(into byteBuffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>) {
        byteBuffer.writeInteger(microseconds)
    }

    init<JSONDecoder: PostgresJSONDecoder>(
        from buffer: inout ByteBuffer, type: PostgresDataType, format: PostgresFormat, context: PostgresDecodingContext<JSONDecoder>
    ) throws {
        guard type == .timestamptz || type == .timestamp, format == .binary, buffer.readableBytes == 8,
            let microseconds = buffer.readInteger(as: Int64.self)
        else { throw PostgresDecodingError.Code.typeMismatch }
        self.microseconds = microseconds
    }
}

/// A one-dimensional array parameter whose elements may be NULL (postgres-nio's `Array` encoding has no
/// NULL elements), for `unnest` over nullable columns.
struct NullableArray<Element: PostgresNonThrowingEncodable & PostgresArrayEncodable>: PostgresNonThrowingEncodable {
    var elements: [Element?]

    init(_ elements: [Element?]) { self.elements = elements }

    static var psqlType: PostgresDataType { Element.psqlArrayType }
    static var psqlFormat: PostgresFormat { .binary }

    /// PostgreSQL's binary array format: dimensions, a has-NULL flag, the element type, the length and
    /// lower bound of the one dimension, then each element as its length (-1 for NULL) and bytes.
    func encode<JSONEncoder: PostgresJSONEncoder>(into buffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>) {
        buffer.writeInteger(elements.isEmpty ? 0 : 1, as: Int32.self)
        buffer.writeInteger(elements.contains { $0 == nil } ? 1 : 0, as: Int32.self)
        buffer.writeInteger(Element.psqlType.rawValue)
        guard !elements.isEmpty else { return }
        buffer.writeInteger(Int32(elements.count))
        buffer.writeInteger(1, as: Int32.self)
        for element in elements {
            guard let element else {
                buffer.writeInteger(-1, as: Int32.self)
                continue
            }
            let lengthIndex = buffer.writerIndex
            buffer.writeInteger(0, as: Int32.self)
            let start = buffer.writerIndex
            element.encode(into: &buffer, context: context)
            buffer.setInteger(Int32(buffer.writerIndex - start), at: lengthIndex)
        }
    }
}

/// Numbered parameters for SQL built from pieces (`$1`, `$2`, … in the order they are bound).
struct SQLParameters {
    var bindings = PostgresBindings()

    /// Binds `value` and returns its placeholder.
    mutating func bind(_ value: some PostgresThrowingDynamicTypeEncodable) throws -> String {
        try bindings.append(value)
        return "$\(bindings.count)"
    }
}

/// Reads a row's cells in order.
struct RowCells {
    let cells: PostgresRandomAccessRow
    var index = 0

    init(_ row: PostgresRow) { cells = PostgresRandomAccessRow(row) }

    mutating func next<T: PostgresDecodable>(_ type: T.Type = T.self) throws -> T {
        defer { index += 1 }
        return try cells[index].decode(T.self)
    }
}
