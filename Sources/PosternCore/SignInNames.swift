/// The names a user signs in with, besides the username: Cognito's sign-in aliases.
///
/// `AliasAttributes` values count once they are verified (email, phone number) or as soon as they are
/// set (preferred_username). In pools with `UsernameAttributes` the username key already holds the
/// email (or the phone number, failing an email); the other username attribute is a sign-in name too,
/// verified or not, as the user typed it at sign-up. Every name is normalised like the username (lower
/// case unless the pool is case sensitive) and unique in its pool: the database refuses a second holder
/// (`sign_in_aliases_pkey`), which Cognito reports as AliasExistsException.
public struct SignInAlias: Equatable, Hashable, Sendable {
    public var attribute: String
    public var key: String

    public init(attribute: String, key: String) {
        self.attribute = attribute
        self.key = key
    }
}

extension UserPoolSettings {
    /// The alias names `attributes` claim in this pool.
    public func signInAliases(attributes: [String: String]) -> [SignInAlias] {
        var aliases: [SignInAlias] = []
        for attribute in aliasAttributes {
            guard let value = attributes[attribute], !value.isEmpty else { continue }
            let verifiable = attribute == "email" || attribute == "phone_number"
            if verifiable, attributes["\(attribute)_verified"] != "true" { continue }
            aliases.append(SignInAlias(attribute: attribute, key: usernameKey(value)))
        }
        let usernameKeyAttribute = ["email", "phone_number"].first { usernameAttributes.contains($0) && !(attributes[$0] ?? "").isEmpty }
        for attribute in usernameAttributes where attribute != usernameKeyAttribute {
            guard let value = attributes[attribute], !value.isEmpty else { continue }
            aliases.append(SignInAlias(attribute: attribute, key: usernameKey(value)))
        }
        return aliases
    }

    /// The refusal of a username that looks like an alias of this pool, which would make sign-in by that
    /// name ambiguous: nil when the username is fine.
    public func usernameConflict(_ username: String, isEmail: Bool, isPhoneNumber: Bool) -> DomainError? {
        guard usernameAttributes.isEmpty else { return nil }
        if aliasAttributes.contains("email"), isEmail {
            return .invalidParameter("Username cannot be of email format, since user pool is configured for email alias.")
        }
        if aliasAttributes.contains("phone_number"), isPhoneNumber {
            return .invalidParameter("Username cannot be of phone number format, since user pool is configured for phone number alias.")
        }
        return nil
    }
}
