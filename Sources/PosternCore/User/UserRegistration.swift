import Foundation

/// A new user's identity, and the first event of its stream: the rules SignUp, AdminCreateUser and
/// UserMigration share. Pure: the caller draws the `sub` and brings the hook's answer.
///
/// In pools with `UsernameAttributes` the caller's username is an email or phone number that becomes an
/// attribute, and the internal username is the sub (as Cognito does); otherwise the username may not look
/// like one of the pool's aliases.
public struct UserRegistration: Sendable, Equatable {
    public var sub: Sub
    public var username: String
    public var attributes: [String: String]

    public init(
        settings: UserPoolSettings, sub: Sub, requestedUsername: String, attributes given: [UserAttribute], writer: AttributeValidator.Writer
    ) throws {
        self.sub = sub
        let validator = AttributeValidator(settings: settings)
        var attributes = try validator.validate(given, writer: writer, requireAll: false)
        let usernameAttributes = settings.usernameAttributes
        if usernameAttributes.isEmpty {
            if let conflict = settings.usernameConflict(
                requestedUsername, isEmail: AttributeValidator.isEmail(requestedUsername),
                isPhoneNumber: AttributeValidator.isPhoneNumber(requestedUsername))
            {
                throw conflict
            }
            username = requestedUsername
        } else {
            if usernameAttributes.contains("email"), AttributeValidator.isEmail(requestedUsername) {
                attributes["email"] = requestedUsername
            } else if usernameAttributes.contains("phone_number"), AttributeValidator.isPhoneNumber(requestedUsername) {
                attributes["phone_number"] = requestedUsername
            } else {
                throw DomainError.invalidParameter(
                    usernameAttributes.contains("phone_number") && usernameAttributes.contains("email")
                        ? "Username should be either an email or a phone number."
                        : usernameAttributes.contains("email") ? "Username should be an email." : "Username should be a phone number.")
            }
            username = sub.rawValue
        }
        // Required attributes are checked once the username has become one, as an administrator writes them.
        self.attributes = try validator.validate(
            attributes.map { UserAttribute(name: $0.key, value: $0.value) }, writer: .admin, requireAll: true)
    }

    /// Marks the contacts PreSignUp verified (`autoVerifyEmail`, `autoVerifyPhone`); a contact it verifies
    /// must be there.
    public mutating func verify(email: Bool, phoneNumber: Bool) throws(DomainError) {
        for (flag, attribute) in [(email, "email"), (phoneNumber, "phone_number")] where flag {
            guard attributes[attribute] != nil else {
                throw DomainError.invalidParameter("PreSignUp asked to verify \(attribute), but the user has none.")
            }
            attributes["\(attribute)_verified"] = "true"
        }
    }

    /// The stream's first event: the profile and verifier as plaintext `Sealed` values, which the store
    /// seals with the new user's key.
    public func registered(
        poolId: UserPoolID, origin: String, verifier: PasswordVerifier?, status: UserStatus, clientId: ClientID?,
        preSignUp: HookInvocation? = nil, migration: HookInvocation? = nil
    ) -> UserRegistered {
        UserRegistered(
            poolId: poolId, sub: sub, origin: origin, sealedProfile: .plaintext(UserProfile(username: username, attributes: attributes)),
            sealedVerifier: verifier.map(Sealed.plaintext), status: status, clientId: clientId, preSignUp: preSignUp, migration: migration)
    }
}
