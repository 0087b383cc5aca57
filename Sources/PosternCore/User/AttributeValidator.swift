import Foundation

/// A user attribute as a command receives it: a name and a value (Cognito's `AttributeType`).
public struct UserAttribute: Sendable, Equatable {
    public var name: String
    public var value: String
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// Checks user attributes against a user pool's schema, as SignUp, AdminCreateUser and the attribute updates do.
public struct AttributeValidator: Sendable {
    public let settings: UserPoolSettings

    public init(settings: UserPoolSettings) { self.settings = settings }

    /// Who writes: an administrator (any attribute but `sub`), or a user through an app client, limited
    /// by the client's `WriteAttributes`.
    public enum Writer: Equatable, Sendable {
        case admin
        case client(AttributePermissions)

        public var isClient: Bool { self != .admin }
    }

    /// Returns the attributes as a dictionary, or throws Cognito's schema error.
    public func validate(_ attributes: [UserAttribute], writer: Writer, requireAll: Bool) throws -> [String: String] {
        let schema = Dictionary(settings.schema.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var result: [String: String] = [:]
        for attribute in attributes {
            let name = attribute.name
            let definition = try writable(name, schema: schema, writer: writer)
            let value = attribute.value
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
            for definition in settings.schema where definition.required && definition.name != "sub" {
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
    public func checkDeletable(_ name: String, writer: Writer) throws {
        let definition = try writable(name, schema: settings.schema.first { $0.name == name }.map { [name: $0] } ?? [:], writer: writer)
        if !definition.mutable { throw DomainError.notAuthorized("Cannot modify an already provided immutable attribute \(name)") }
        if definition.required {
            throw DomainError.invalidParameter("Attributes did not conform to the schema: \(name): The attribute \(name) is required")
        }
    }

    /// Attribute values carry no control characters: a line break in an address is a header injection
    /// waiting for a mailer, a NUL a truncation waiting for C code. Free-text attributes may hold tabs and
    /// line breaks (a postal address); sign-in and contact attributes hold neither, nor invisible format characters.
    public static func checkCharacters(name: String, value: String) throws {
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

    public static func isEmail(_ value: String) -> Bool {
        value.range(of: #"^[^\s@]+@[^\s@]+\z"#, options: .regularExpression) != nil
    }

    public static func isPhoneNumber(_ value: String) -> Bool {
        value.range(of: #"^\+[0-9]{4,15}\z"#, options: .regularExpression) != nil
    }
}
