import Crypto
import Foundation

/// The keyed hashes of the event log: an event's link in its stream's chain, and a signed checkpoint.
///
/// HMAC-SHA256 with the chain key (derived from the master key, never in the database), over
/// length-prefixed fields, so that nobody with only database access can compute a valid hash for an
/// edited or forged event. Text fields are hashed exactly as PostgreSQL prints them (`jsonb::text`,
/// timestamps in UTC with microseconds), so `postern verify` recomputes them from stored rows.
struct ChainHash {
    let key: SymmetricKey

    /// The hash of an event with `hash_scheme` 2.
    func event(
        previous: [UInt8]?, stream: String, version: Int, type: String, schemaVersion: Int, data: String, metadata: String,
        recordedAt: String
    ) -> [UInt8] {
        mac([
            Array("postern event v2".utf8), previous ?? [], Array(stream.utf8), Array(String(version).utf8), Array(type.utf8),
            Array(String(schemaVersion).utf8), Array(data.utf8), Array(metadata.utf8), Array(recordedAt.utf8),
        ])
    }

    /// The signature of a checkpoint of the log.
    func checkpoint(
        seq: Int64, xidFrom: String, xidTo: String, count: Int64, maxPosition: Int64, digest: [UInt8], previousMAC: [UInt8]?,
        createdAt: String
    ) -> [UInt8] {
        mac([
            Array("postern checkpoint v1".utf8), Array(String(seq).utf8), Array(xidFrom.utf8), Array(xidTo.utf8),
            Array(String(count).utf8), Array(String(maxPosition).utf8), digest, previousMAC ?? [], Array(createdAt.utf8),
        ])
    }

    private func mac(_ fields: [[UInt8]]) -> [UInt8] {
        var hmac = HMAC<SHA256>(key: key)
        for field in fields {
            withUnsafeBytes(of: UInt32(field.count).bigEndian) { hmac.update(data: $0) }
            hmac.update(data: field)
        }
        return Array(hmac.finalize())
    }
}

extension [UInt8] {
    /// Bytes from lowercase or uppercase hex; nil when `hex` is not hex.
    init?(hex: String) {
        let digits = Array(hex.utf8)
        guard digits.count % 2 == 0 else { return nil }
        func value(_ digit: UInt8) -> UInt8? {
            switch digit {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
            default: nil
            }
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let high = value(digits[index]), let low = value(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        self = bytes
    }

    var hex: String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(count * 2)
        for byte in self {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
