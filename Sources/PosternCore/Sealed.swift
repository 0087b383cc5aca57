import Foundation

/// Seals a personal datum for the event log with one subject's data key. The store hands one to the
/// encoder of each stream it appends to, so a command's decision holds plaintext and never a key.
public protocol PersonalDataSealer: Sendable {
    /// The ciphertext of `plaintext`, as text (the form events carry).
    func seal(personalData plaintext: [UInt8]) throws -> String
}

extension CodingUserInfoKey {
    /// The `PersonalDataSealer` an event's encoder seals `Sealed` values with.
    public static let personalDataSealer = CodingUserInfoKey(rawValue: "postern.personalDataSealer")!
}

/// A personal datum inside an event: plaintext while a command decides, sealed with its subject's data
/// key when the store writes the event, and ciphertext when the event is read back.
///
/// It encodes only sealed: an encoder without a `PersonalDataSealer` in its `userInfo` refuses the
/// plaintext rather than write it, so the log never holds it in the clear. In the log it is the sealed
/// text alone, exactly as the events of schema 1 wrote it; crypto-shredding the subject's key makes it
/// unreadable. Opening it needs the key (`Sealer.open(_:)` in PosternCrypto).
public enum Sealed<Value: Codable & Sendable>: Sendable {
    /// The value as a command decided it, not yet written.
    case plaintext(Value)
    /// The value as the log holds it.
    case ciphertext(String)

    /// The sealed text, once there is one.
    public var ciphertext: String? {
        if case .ciphertext(let text) = self { return text }
        return nil
    }
}

extension Sealed: Equatable where Value: Equatable {}

extension Sealed: Codable {
    public init(from decoder: any Decoder) throws {
        self = .ciphertext(try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .ciphertext(let text):
            try container.encode(text)
        case .plaintext(let value):
            guard let sealer = encoder.userInfo[.personalDataSealer] as? any PersonalDataSealer else {
                throw EncodingError.invalidValue(
                    value,
                    .init(
                        codingPath: encoder.codingPath,
                        debugDescription: "a personal datum is written only sealed, and this encoder has no sealer for its subject"))
            }
            // Plain JSONEncoder, as sealed values were always written: readers decode them with JSONDecoder().
            try container.encode(try sealer.seal(personalData: [UInt8](try JSONEncoder().encode(value))))
        }
    }
}
