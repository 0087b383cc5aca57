import Foundation

/// The rules of an attribute change after sign-up (UpdateUserAttributes, AdminUpdateUserAttributes,
/// DeleteUserAttributes, AdminDeleteUserAttributes), decided from the current attributes alone.
///
/// A blank value deletes an attribute. An immutable attribute keeps its first value; a required one cannot
/// be removed. A changed email or phone number is no longer verified and, when the pool auto-verifies it,
/// gets a code — unless an administrator marks it verified in the same call (`email_verified=true`).
/// Pending-until-verified updates (`AttributesRequireVerificationBeforeUpdate`) are not supported: the new
/// value applies at once.
public struct ProfileUpdate: Equatable, Sendable {
    /// The attributes after the change.
    public var attributes: [String: String]
    /// The names whose value changed, added or removed, sorted.
    public var changedAttributes: [String]
    /// The changed contacts that get a verification code (`CustomMessage_UpdateUserAttribute`), by name.
    public var contactsToVerify: [String]

    public init(
        current: [String: String], changes: [UserAttribute], deletions: [String] = [], writer: AttributeValidator.Writer,
        settings: UserPoolSettings
    ) throws {
        let schema = Dictionary(settings.schema.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let validator = AttributeValidator(settings: settings)
        var given = try validator.validate(changes, writer: writer, requireAll: false)
        for name in deletions {
            try validator.checkDeletable(name, writer: writer)
            given[name] = ""
        }
        var attributes = current
        var changedContacts: [String] = []
        for (name, value) in given.sorted(by: { $0.key < $1.key }) {
            if schema[name]?.mutable == false, current[name] != nil, current[name] != value {
                throw DomainError.notAuthorized("Cannot modify an already provided immutable attribute \(name)")
            }
            if value.isEmpty {
                if schema[name]?.required == true {
                    throw DomainError.invalidParameter("Attributes did not conform to the schema: \(name): The attribute \(name) is required")
                }
                attributes[name] = nil
                if UserAccount.contactAttributes.contains(name) { attributes["\(name)_verified"] = nil }
                continue
            }
            if UserAccount.contactAttributes.contains(name), attributes[name] != value {
                changedContacts.append(name)
                attributes["\(name)_verified"] = "false"
            }
            attributes[name] = value
        }
        // An administrator may verify a contact in the same call (email_verified=true).
        for name in UserAccount.contactAttributes where given["\(name)_verified"] != nil {
            attributes["\(name)_verified"] = given["\(name)_verified"]
        }
        self.attributes = attributes
        changedAttributes = Set(attributes.keys).union(current.keys).filter { attributes[$0] != current[$0] }.sorted()
        contactsToVerify = changedContacts.filter { settings.autoVerifiedAttributes.contains($0) && attributes["\($0)_verified"] != "true" }
    }

    /// Nothing changes: the operation appends nothing.
    public var isEmpty: Bool { changedAttributes.isEmpty }

    /// The event that records the change; the store seals the profile with the user's data key.
    public func event(username: String) -> UserProfileChanged {
        UserProfileChanged(sealedProfile: .plaintext(UserProfile(username: username, attributes: attributes)), changedAttributes: changedAttributes)
    }
}
