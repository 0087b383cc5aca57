/// What an app client may read and write of a user's attributes (`ReadAttributes`, `WriteAttributes`).
///
/// A client created without a list may read, or write, every attribute of the pool's schema, as in
/// Cognito. Whatever the lists say, developer-only attributes (`dev:custom:*`) are never readable or
/// writable through a client, `sub` is always readable and never writable, and the `*_verified` flags
/// are never written by a client: only a code (or an administrator) verifies a contact.
public struct AttributePermissions: Equatable, Sendable {
    /// nil: every attribute.
    public var readable: Set<String>?
    /// nil: every attribute.
    public var writable: Set<String>?

    public init(readable: Set<String>?, writable: Set<String>?) {
        self.readable = readable
        self.writable = writable
    }

    /// Everything a client without lists may do.
    public static let unrestricted = AttributePermissions(readable: nil, writable: nil)

    public func mayRead(_ name: String) -> Bool {
        if name == "sub" { return true }
        if name.hasPrefix("dev:") { return false }
        return readable?.contains(name) ?? true
    }

    public func mayWrite(_ name: String) -> Bool {
        if name == "sub" || name.hasPrefix("dev:") || name.hasSuffix("_verified") { return false }
        return writable?.contains(name) ?? true
    }

    /// The attributes of `attributes` this client may see.
    public func readable(_ attributes: [String: String]) -> [String: String] {
        attributes.filter { mayRead($0.key) }
    }
}

extension ClientSettings {
    /// The client's `ReadAttributes` and `WriteAttributes`.
    public var attributePermissions: AttributePermissions {
        AttributePermissions(
            readable: json["ReadAttributes"]?.arrayValue.map { Set($0.compactMap(\.stringValue)) },
            writable: json["WriteAttributes"]?.arrayValue.map { Set($0.compactMap(\.stringValue)) })
    }

    /// Checks the lists against the pool's schema, as CreateUserPoolClient and UpdateUserPoolClient do:
    /// every name must be an attribute of the pool, developer-only attributes cannot be listed, and a
    /// client that can write attributes must be able to write the required ones (or SignUp through it
    /// could never succeed).
    public func validateAttributePermissions(schema: [SchemaAttribute]) throws(DomainError) {
        let names = Set(schema.map(\.name))
        if let read = json["ReadAttributes"]?.arrayValue?.compactMap(\.stringValue) {
            for name in read where !names.contains(name) || name.hasPrefix("dev:") {
                throw .invalidParameter("Invalid read attributes specified while creating a client")
            }
        }
        if let write = json["WriteAttributes"]?.arrayValue?.compactMap(\.stringValue) {
            // `*_verified` may be listed (Cognito accepts it) but is still never written by a client.
            for name in write where !names.contains(name) || name.hasPrefix("dev:") || name == "sub" {
                throw .invalidParameter("Invalid write attributes specified while creating a client")
            }
            let required = schema.filter { $0.required && $0.name != "sub" }.map(\.name)
            if !write.isEmpty, required.contains(where: { !write.contains($0) }) {
                throw .invalidParameter("Invalid write attributes specified while creating a client: required attributes must be writable")
            }
        }
    }
}
