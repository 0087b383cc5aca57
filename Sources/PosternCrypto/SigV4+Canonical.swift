import Crypto
import Foundation

/// The parts of AWS Signature Version 4 shared by ``SigV4Verifier`` and ``SigV4Signer``: canonical request,
/// string to sign and signing key, following botocore's `SigV4Auth` for non-S3 services.
enum SigV4Canonical {
    static let algorithm = "AWS4-HMAC-SHA256"
    static let terminator = "aws4_request"

    /// The canonical request's lines, ending with the payload hash.
    static func canonicalRequest(
        method: String,
        path: String,
        query: String,
        headers: [(name: String, value: String)],
        signedHeaders: [String],
        payloadHash: String
    ) -> String? {
        var lines = [method.uppercased(), canonicalURI(path), canonicalQuery(query)]
        for name in signedHeaders {
            let values = headers.filter { $0.name.lowercased() == name }.map { canonicalHeaderValue($0.value) }
            guard !values.isEmpty else { return nil }
            lines.append("\(name):\(values.joined(separator: ","))")
        }
        lines.append("")
        lines.append(signedHeaders.joined(separator: ";"))
        lines.append(payloadHash)
        return lines.joined(separator: "\n")
    }

    /// `AWS4-HMAC-SHA256 \n amzDate \n scope \n hex(SHA-256(canonicalRequest))`.
    static func stringToSign(amzDate: String, scope: String, canonicalRequest: String) -> String {
        [algorithm, amzDate, scope, hexSHA256(Array(canonicalRequest.utf8))].joined(separator: "\n")
    }

    /// `date/region/service/aws4_request`.
    static func scope(date: String, region: String, service: String) -> String {
        "\(date)/\(region)/\(service)/\(terminator)"
    }

    /// The hex signature of `stringToSign` under the key derived from `secret` for this scope.
    static func signature(secret: String, date: String, region: String, service: String, stringToSign: String) -> String {
        var key = SymmetricKey(data: Array("AWS4\(secret)".utf8))
        for part in [date, region, service, terminator] {
            key = SymmetricKey(data: HMAC<SHA256>.authenticationCode(for: Array(part.utf8), using: key))
        }
        let mac = HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: key)
        return BigNumber.hexString(mac)
    }

    /// Lowercase hex SHA-256.
    static func hexSHA256(_ bytes: [UInt8]) -> String {
        BigNumber.hexString(SHA256.hash(data: bytes))
    }

    // MARK: URI, query and header canonicalisation

    /// Removes `.`/`..` segments and repeated slashes (botocore's `remove_dot_segments`), then URI-encodes
    /// every byte but unreserved characters and `/`. The path arrives percent-encoded from the wire, so `%`
    /// is encoded again: AWS double-encodes paths for every service but S3.
    static func canonicalURI(_ path: String) -> String {
        guard !path.isEmpty else { return "/" }
        var segments: [Substring] = []
        for segment in path.split(separator: "/", omittingEmptySubsequences: true) where segment != "." {
            if segment == ".." {
                _ = segments.popLast()
            } else {
                segments.append(segment)
            }
        }
        let leading = path.hasPrefix("/") ? "/" : ""
        let trailing = path.hasSuffix("/") && !segments.isEmpty ? "/" : ""
        let normalized = leading + segments.joined(separator: "/") + trailing
        return uriEncode(normalized, keepingSlash: true)
    }

    /// Decodes each name and value, re-encodes them strictly, and sorts by name then value.
    static func canonicalQuery(_ query: String) -> String {
        let pairs = query.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = uriEncode(percentDecode(parts[0]), keepingSlash: false)
            let value = parts.count > 1 ? uriEncode(percentDecode(parts[1]), keepingSlash: false) : ""
            return (name: name, value: value)
        }
        return pairs.sorted { lhs, rhs in
            lhs.name != rhs.name
                ? lhs.name.utf8.lexicographicallyPrecedes(rhs.name.utf8)
                : lhs.value.utf8.lexicographicallyPrecedes(rhs.value.utf8)
        }
        .map { "\($0.name)=\($0.value)" }
        .joined(separator: "&")
    }

    /// Trims the value and collapses runs of whitespace to one space (botocore: `' '.join(value.split())`).
    static func canonicalHeaderValue(_ value: String) -> String {
        value.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\u{0B}" || $0 == "\u{0C}" })
            .joined(separator: " ")
    }

    /// RFC 3986 encoding: keeps `A-Z a-z 0-9 - . _ ~` (and `/` if asked), `%XX` (upper case) for other UTF-8 bytes.
    static func uriEncode(_ string: some StringProtocol, keepingSlash: Bool) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var output: [UInt8] = []
        output.reserveCapacity(string.utf8.count)
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                output.append(byte)
            case UInt8(ascii: "/") where keepingSlash:
                output.append(byte)
            default:
                output += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0x0f)]]
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Decodes `%XX` escapes; a malformed escape is kept literally.
    static func percentDecode(_ string: some StringProtocol) -> String {
        let bytes = Array(string.utf8)
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "%"), index + 2 < bytes.count,
                let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2])
            {
                output.append(high << 4 | low)
                index += 3
            } else {
                output.append(bytes[index])
                index += 1
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    // MARK: Dates

    /// Parses `yyyyMMdd'T'HHmmss'Z'` (UTC); `nil` for anything else, including impossible dates.
    static func parseAmzDate(_ string: String) -> Date? {
        let bytes = Array(string.utf8)
        guard bytes.count == 16, bytes[8] == UInt8(ascii: "T"), bytes[15] == UInt8(ascii: "Z") else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for byte in bytes[range] {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return value
        }
        guard let year = number(0..<4), let month = number(4..<6), let day = number(6..<8),
            let hour = number(9..<11), let minute = number(11..<13), let second = number(13..<15)
        else { return nil }
        let components = DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        guard let date = utcCalendar.date(from: components), formatAmzDate(date) == string else { return nil }
        return date
    }

    /// Formats `date` as `yyyyMMdd'T'HHmmss'Z'` in UTC.
    static func formatAmzDate(_ date: Date) -> String {
        let parts = utcCalendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func pad(_ value: Int?, _ width: Int) -> String {
            let digits = String(value ?? 0)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return pad(parts.year, 4) + pad(parts.month, 2) + pad(parts.day, 2) + "T" + pad(parts.hour, 2)
            + pad(parts.minute, 2) + pad(parts.second, 2) + "Z"
    }

    private static var utcCalendar: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .gmt
        return calendar
    }
}
