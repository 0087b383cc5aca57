import Foundation

/// An IPv4 or IPv6 network in CIDR form, as `IpAddress` compares them.
struct IPRange: Sendable, Hashable {
    /// 4 bytes for IPv4, 16 for IPv6.
    let bytes: [UInt8]
    let prefixLength: Int

    /// Whether `other` lies inside this network. The families never mix: an IPv4-mapped IPv6 address is
    /// not the IPv4 address.
    func contains(_ other: IPRange) -> Bool {
        guard other.bytes.count == bytes.count, other.prefixLength >= prefixLength else { return false }
        let whole = prefixLength / 8
        guard bytes[..<whole] == other.bytes[..<whole] else { return false }
        let remainder = prefixLength % 8
        guard remainder > 0 else { return true }
        let mask = UInt8(0xFF) << (8 - remainder)
        return bytes[whole] & mask == other.bytes[whole] & mask
    }
}

/// Parsers for the typed condition values: numbers, dates, IP addresses, booleans and binary.
///
/// Hand-written: Foundation's `ISO8601DateFormatter` accepts only some of the W3C date forms IAM takes
/// (it refuses a bare date or a time without seconds), and Foundation has no IP address parser.
enum ConditionValueParsing {
    /// An integer or decimal (`10`, `-2.5`, `1e3`); nil for anything else.
    static func number(_ text: String) -> Decimal? {
        var scalars = Substring(text).unicodeScalars[...]
        if let sign = scalars.first, sign == "-" || sign == "+" { scalars = scalars.dropFirst() }
        let isDigit: (Unicode.Scalar) -> Bool = { ("0"..."9").contains($0) }
        let integer = scalars.prefix(while: isDigit)
        scalars = scalars.dropFirst(integer.count)
        var fraction = Substring.UnicodeScalarView.SubSequence()
        if scalars.first == "." {
            scalars = scalars.dropFirst()
            fraction = scalars.prefix(while: isDigit)
            scalars = scalars.dropFirst(fraction.count)
        }
        guard !integer.isEmpty || !fraction.isEmpty else { return nil }
        if let e = scalars.first, e == "e" || e == "E" {
            scalars = scalars.dropFirst()
            if let sign = scalars.first, sign == "-" || sign == "+" { scalars = scalars.dropFirst() }
            let exponent = scalars.prefix(while: isDigit)
            guard !exponent.isEmpty else { return nil }
            scalars = scalars.dropFirst(exponent.count)
        }
        guard scalars.isEmpty else { return nil }
        return Decimal(string: text, locale: Locale(identifier: "en_US_POSIX"))
    }

    /// Seconds since 1970 for an epoch time (`1700000000`, `1700000000.5`) or a W3C ISO 8601 date:
    /// `YYYY-MM`, `YYYY-MM-DD`, then optionally `Thh:mm`, `:ss`, `.s…` and `Z` / `±hh:mm` (UTC when the
    /// zone is left out). As in IAM, text without `T` or `-` is an epoch time, so `2020` is a second count.
    static func date(_ text: String) -> Double? {
        let lowered = text.lowercased()
        guard lowered.contains("t") || lowered.contains("-") else {
            guard let seconds = number(text), seconds >= 0 else { return nil }
            return NSDecimalNumber(decimal: seconds).doubleValue
        }
        var reader = DigitReader(lowered)
        guard let year = reader.digits(exactly: 4) else { return nil }
        var month = 1
        var day = 1
        if reader.consume("-") {
            guard let m = reader.digits(exactly: 2), (1...12).contains(m) else { return nil }
            month = m
            if reader.consume("-") {
                guard let d = reader.digits(exactly: 2), (1...daysIn(month: month, year: year)).contains(d) else { return nil }
                day = d
            }
        }
        var seconds = Double(daysFromCivil(year: year, month: month, day: day) * 86_400)
        guard reader.consume("t") else { return reader.isAtEnd ? seconds : nil }
        guard let hour = reader.digits(exactly: 2), hour < 24, reader.consume(":"), let minute = reader.digits(exactly: 2), minute < 60 else {
            return nil
        }
        seconds += Double(hour * 3600 + minute * 60)
        if reader.consume(":") {
            guard let second = reader.digits(exactly: 2), second < 60 else { return nil }
            seconds += Double(second)
            if reader.consume(".") {
                guard let fraction = reader.fraction() else { return nil }
                seconds += fraction
            }
        }
        if reader.consume("z") {
        } else if let sign = reader.sign() {
            guard let zoneHour = reader.digits(exactly: 2), zoneHour < 24, reader.consume(":"), let zoneMinute = reader.digits(exactly: 2),
                zoneMinute < 60
            else { return nil }
            seconds -= Double(sign * (zoneHour * 3600 + zoneMinute * 60))
        }
        return reader.isAtEnd ? seconds : nil
    }

    /// `true` or `false`, in any case.
    static func bool(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "true": true
        case "false": false
        default: nil
        }
    }

    static func binary(_ text: String) -> Data? { Data(base64Encoded: text) }

    /// An address or CIDR network. An address without a prefix is a single host (/32 or /128), as IAM
    /// documents for `IpAddress`; bits past the prefix are ignored.
    static func ipRange(_ text: String) -> IPRange? {
        let pieces = text.split(separator: "/", omittingEmptySubsequences: false)
        guard pieces.count <= 2, let bytes = ipv4(pieces[0]) ?? ipv6(pieces[0]) else { return nil }
        let maximum = bytes.count * 8
        guard pieces.count == 2 else { return IPRange(bytes: bytes, prefixLength: maximum) }
        guard !pieces[1].isEmpty, pieces[1].utf8.count <= 3, pieces[1].allSatisfy(\.isASCIIDigit), let prefix = Int(pieces[1]), prefix <= maximum
        else { return nil }
        return IPRange(bytes: bytes, prefixLength: prefix)
    }

    static func ipv4(_ text: Substring) -> [UInt8]? {
        let octets = text.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4 else { return nil }
        var bytes: [UInt8] = []
        for octet in octets {
            guard (1...3).contains(octet.utf8.count), octet.allSatisfy(\.isASCIIDigit), let value = UInt8(octet) else { return nil }
            bytes.append(value)
        }
        return bytes
    }

    /// RFC 4291 text form: eight hex groups, one `::` for a run of zero groups, an IPv4 tail allowed.
    static func ipv6(_ text: Substring) -> [UInt8]? {
        guard text.contains(":") else { return nil }
        let halves = text.components(separatedBy: "::")
        guard halves.count <= 2 else { return nil }
        func groups(_ half: String, allowIPv4Tail: Bool) -> [UInt16]? {
            guard !half.isEmpty else { return [] }
            var result: [UInt16] = []
            let fields = half.split(separator: ":", omittingEmptySubsequences: false)
            for (index, field) in fields.enumerated() {
                if allowIPv4Tail, index == fields.count - 1, field.contains("."), let v4 = ipv4(field) {
                    result.append(UInt16(v4[0]) << 8 | UInt16(v4[1]))
                    result.append(UInt16(v4[2]) << 8 | UInt16(v4[3]))
                    continue
                }
                guard (1...4).contains(field.utf8.count), let value = UInt16(field, radix: 16) else { return nil }
                result.append(value)
            }
            return result
        }
        let groupValues: [UInt16]
        if halves.count == 2 {
            guard let head = groups(halves[0], allowIPv4Tail: false), let tail = groups(halves[1], allowIPv4Tail: true), head.count + tail.count < 8
            else { return nil }
            groupValues = head + [UInt16](repeating: 0, count: 8 - head.count - tail.count) + tail
        } else {
            guard let all = groups(halves[0], allowIPv4Tail: true), all.count == 8 else { return nil }
            groupValues = all
        }
        return groupValues.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
    }

    /// `YYYY-MM-DDThh:mm:ssZ` for `aws:CurrentTime`.
    static func iso8601(epochSeconds: Int) -> String {
        let days = epochSeconds >= 0 ? epochSeconds / 86_400 : (epochSeconds - 86_399) / 86_400
        let secondOfDay = epochSeconds - days * 86_400
        let (year, month, day) = civil(fromDays: days)
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let yearText = String(repeating: "0", count: max(0, 4 - String(year).count)) + String(year)
        return "\(yearText)-\(two(month))-\(two(day))T\(two(secondOfDay / 3600)):\(two(secondOfDay / 60 % 60)):\(two(secondOfDay % 60))Z"
    }

    // Days since 1970-01-01 in the proleptic Gregorian calendar (Howard Hinnant's `days_from_civil`).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func civil(fromDays days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}

/// Reads fixed-width numbers off the front of a date.
private struct DigitReader {
    private var scalars: Substring.UnicodeScalarView

    init(_ text: String) { scalars = Substring(text).unicodeScalars }

    var isAtEnd: Bool { scalars.isEmpty }

    mutating func consume(_ scalar: Unicode.Scalar) -> Bool {
        guard scalars.first == scalar else { return false }
        scalars.removeFirst()
        return true
    }

    mutating func digits(exactly count: Int) -> Int? {
        let prefix = scalars.prefix(count)
        guard prefix.count == count, prefix.allSatisfy({ ("0"..."9").contains($0) }) else { return nil }
        scalars.removeFirst(count)
        return prefix.reduce(0) { $0 * 10 + Int($1.value - 48) }
    }

    mutating func fraction() -> Double? {
        let digits = scalars.prefix { ("0"..."9").contains($0) }
        guard !digits.isEmpty else { return nil }
        scalars.removeFirst(digits.count)
        return Double("0." + String(String.UnicodeScalarView(digits)))
    }

    mutating func sign() -> Int? {
        if consume("+") { return 1 }
        if consume("-") { return -1 }
        return nil
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
