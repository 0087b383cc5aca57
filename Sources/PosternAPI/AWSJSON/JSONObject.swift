import Foundation
import PosternCore
import PosternCrypto
import PosternStore

/// A request body kept as a JSON object, for operations whose input is mostly stored configuration.
struct JSONObject: Decodable, Sendable {
    var members: [String: JSONValue]

    init(from decoder: any Decoder) throws { members = try [String: JSONValue](from: decoder) }

    /// A required string member; missing or empty is Cognito's "must not be null".
    func required(_ name: String) throws -> String {
        guard let value = members[name]?.stringValue else {
            throw DomainError.invalidParameter(
                "1 validation error detected: Value null at '\(AWSError.lowerFirst(name))' failed to satisfy constraint: Member must not be null")
        }
        return value
    }

    func string(_ name: String) -> String? { members[name]?.stringValue }

    /// A required string member in a service that answers model violations with ValidationException
    /// (cognito-identity).
    func requiredMember(_ name: String) throws -> String {
        guard let value = members[name]?.stringValue else {
            throw DomainError.modelValidation(
                "1 validation error detected: Value null at '\(AWSError.lowerFirst(name))' failed to satisfy constraint: Member must not be null")
        }
        return value
    }
}

/// A `name`/`value` pair (`AttributeType`).
struct AttributeType: Codable, Sendable, Equatable {
    var Name: String
    var Value: String?
}

extension Dictionary where Key == String, Value == String {
    /// Attributes in Cognito's wire order: `sub` first, then by name.
    var wireAttributes: [AttributeType] {
        sorted { lhs, rhs in lhs.key == "sub" ? true : rhs.key == "sub" ? false : lhs.key < rhs.key }
            .map { AttributeType(Name: $0.key, Value: $0.value) }
    }
}

/// Validates model constraints that botocore does not check client-side.
enum Validate {
    static func userPoolId(_ value: String) throws {
        guard (1...55).contains(value.count), value.range(of: #"^[\w-]+_[0-9a-zA-Z]+\z"#, options: .regularExpression) != nil else {
            throw DomainError.validation("userPoolId", "Member must satisfy regular expression pattern: [\\w-]+_[0-9a-zA-Z]+")
        }
    }

    static func clientId(_ value: String) throws {
        guard (1...128).contains(value.count), value.range(of: #"^[\w+]+\z"#, options: .regularExpression) != nil else {
            throw DomainError.validation("clientId", "Member must satisfy regular expression pattern: [\\w+]+")
        }
    }

    static func username(_ value: String) throws {
        guard (1...128).contains(value.count), value.range(of: #"^[\p{L}\p{M}\p{S}\p{N}\p{P}]+\z"#, options: .regularExpression) != nil else {
            throw DomainError.validation("username", "Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+")
        }
    }

    static func limit(_ value: Int?, member: String, range: ClosedRange<Int>) throws {
        if let value, !range.contains(value) {
            throw DomainError.validation(member, "Member must have value between \(range.lowerBound) and \(range.upperBound)")
        }
    }
}
