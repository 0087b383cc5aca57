import Foundation
import PosternCore
import PosternCrypto
import PosternStore

/// Checks user attributes against a pool's schema, as SignUp and AdminCreateUser do.
struct AttributeValidator {
    let pool: PoolRecord

    /// Who writes: an administrator (any attribute but `sub`), or a user through an app client, limited
    /// by the client's `WriteAttributes`.
    enum Writer: Equatable {
        case admin
        case client(AttributePermissions)

        var isClient: Bool { self != .admin }
    }

    /// Returns the attributes as a dictionary, or throws Cognito's schema error.
    func validate(_ attributes: [AttributeType], writer: Writer, requireAll: Bool) throws -> [String: String] {
        let schema = Dictionary(pool.settings.schema.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var result: [String: String] = [:]
        for attribute in attributes {
            let name = attribute.Name
            let definition = try writable(name, schema: schema, writer: writer)
            let value = attribute.Value ?? ""
            try Self.checkCharacters(name: name, value: value)
            if let max = definition.maxLength, value.count > max {
                throw DomainError.invalidParameter(
                    "Attributes did not conform to the schema: \(name): String must be no longer than \(max) characters")
            }
            if let min = definition.minLength, value.count < min {
                throw DomainError.invalidParameter(
                    "Attributes did not conform to the schema: \(name): String must be no shorter than \(min) characters")
            }
            switch definition.dataType {
            case .boolean where !["true", "false"].contains(value):
                throw DomainError.invalidParameter("Attributes did not conform to the schema: \(name): Value must be true or false")
            case .number where Double(value) == nil && !value.isEmpty:
                throw DomainError.invalidParameter("Attributes did not conform to the schema: \(name): Number must be a valid number")
            default: break
            }
            if name == "email", !value.isEmpty, !Self.isEmail(value) { throw DomainError.invalidParameter("Invalid email address format.") }
            if name == "phone_number", !value.isEmpty, !Self.isPhoneNumber(value) {
                throw DomainError.invalidParameter("Invalid phone number format.")
            }
            result[name] = value
        }
        if requireAll {
            for definition in pool.settings.schema where definition.required && definition.name != "sub" {
                if (result[definition.name] ?? "").isEmpty {
                    throw DomainError.invalidParameter(
                        "Attributes did not conform to the schema: \(definition.name): The attribute \(definition.name) is required")
                }
            }
        }
        return result
    }

    /// The schema definition of an attribute `writer` may write: it exists, is not `sub`, and a client's
    /// `WriteAttributes` allow it (developer-only attributes never).
    private func writable(_ name: String, schema: [String: SchemaAttribute], writer: Writer) throws -> SchemaAttribute {
        guard let definition = schema[name] else {
            throw DomainError.invalidParameter("Attributes did not conform to the schema: Type for attribute {\(name)} could not be determined")
        }
        if name == "sub" {
            throw DomainError.invalidParameter(
                "Attributes did not conform to the schema: sub: Attribute cannot be updated. (changing an immutable attribute)")
        }
        if case .client(let permissions) = writer, definition.developerOnly || !permissions.mayWrite(name) {
            throw DomainError.notAuthorized("A client attempted to write unauthorized attribute")
        }
        return definition
    }

    /// Checks that `writer` may delete attribute `name` (DeleteUserAttributes, AdminDeleteUserAttributes).
    func checkDeletable(_ name: String, writer: Writer) throws {
        let definition = try writable(name, schema: pool.settings.schema.first { $0.name == name }.map { [name: $0] } ?? [:], writer: writer)
        if !definition.mutable { throw DomainError.notAuthorized("Cannot modify an already provided immutable attribute \(name)") }
        if definition.required {
            throw DomainError.invalidParameter("Attributes did not conform to the schema: \(name): The attribute \(name) is required")
        }
    }

    /// Attribute values carry no control characters: a line break in an address is a header injection
    /// waiting for a mailer, a NUL a truncation waiting for C code. Free-text attributes may hold tabs and
    /// line breaks (a postal address); sign-in and contact attributes hold neither, nor invisible format characters.
    static func checkCharacters(name: String, value: String) throws {
        let strict = ["email", "phone_number", "preferred_username"].contains(name)
        for scalar in value.unicodeScalars {
            let category = scalar.properties.generalCategory
            // Format characters (bidi overrides, zero-width joiners) are fine in a name, not in an address.
            let refused = category == .control ? strict || !["\t", "\n", "\r"].contains(scalar) : strict && category == .format
            if refused {
                throw DomainError.invalidParameter("Attributes did not conform to the schema: \(name): Value contains control characters")
            }
        }
        if value.utf8.count > 2048 {
            throw DomainError.validation("userAttributes.\(name).value", "Member must have length less than or equal to 2048")
        }
    }

    static func isEmail(_ value: String) -> Bool {
        value.range(of: #"^[^\s@]+@[^\s@]+\z"#, options: .regularExpression) != nil
    }

    static func isPhoneNumber(_ value: String) -> Bool {
        value.range(of: #"^\+[0-9]{4,15}\z"#, options: .regularExpression) != nil
    }
}

/// Where a code goes (`CodeDeliveryDetailsType`), with the destination masked as Cognito shows it.
struct CodeDeliveryDetails: Encodable, Sendable {
    var Destination: String
    var DeliveryMedium: String
    var AttributeName: String

    init(medium: String, attribute: String, destination: String) {
        DeliveryMedium = medium
        AttributeName = attribute
        Destination = Self.mask(destination, medium: medium)
    }

    /// `a***@e***` for email, `+*******1234` for phone numbers.
    static func mask(_ value: String, medium: String) -> String {
        if medium == "SMS" {
            return String(value.prefix(1)) + String(repeating: "*", count: max(0, value.count - 5)) + String(value.suffix(4))
        }
        let parts = value.split(separator: "@", maxSplits: 1)
        guard parts.count == 2 else { return "***" }
        return "\(parts[0].prefix(1))***@\(parts[1].prefix(1))***"
    }
}
