import Foundation

/// A change to an existing account outside registration and sign-in, as its operation asks for it.
/// `UserAccount.decide` turns it into the events to append; a one-time code the operation needs is proved
/// first (`OneTimeCodeCheck`), so a command here is what remains once the caller proved who they are.
public enum AccountCommand: Equatable, Sendable {
    /// ConfirmSignUp, after its code proved `provedAttribute` (nil for codes bound to no contact).
    case confirmSignUp(provedAttribute: String?)
    /// AdminConfirmSignUp.
    case confirmByAdmin
    /// ConfirmForgotPassword, after its code was proved: the verifier of the new password.
    case resetForgottenPassword(PasswordVerifier)
    /// AdminSetUserPassword: a permanent password confirms the user, a temporary one forces a change.
    case setPassword(PasswordVerifier, permanent: Bool)
    /// AdminResetUserPassword: the password stops working until the user resets it.
    case requirePasswordReset
    /// GlobalSignOut, AdminUserGlobalSignOut: every token issued until now stops working.
    case signOutGlobally
    /// AdminDisableUser: no more sign-ins, and every token issued until now stops working.
    case disable
    /// AdminEnableUser: a disabled user may sign in again (the tokens revoked stay revoked).
    case enable
    /// ChangePassword, after the previous password was proved (`previousPasswordRefusal`): the new verifier.
    case changePassword(PasswordVerifier)
    /// DeleteUser (`byUser`) and AdminDeleteUser.
    case delete(byUser: Bool)
    /// VerifyUserAttribute, after its code was proved.
    case verifyAttribute(String)
}

/// What the pool, the app client and the request say about an account command.
public struct AccountCommandContext: Equatable, Sendable {
    public var now: Date
    /// The client hides whether a user exists (`PreventUserExistenceErrors`): refusals that would tell an
    /// unknown user from a known one answer as a wrong code does.
    public var hidesUserExistence: Bool
    /// The pool's `AutoVerifiedAttributes`.
    public var autoVerifiedAttributes: [String]
    /// The contact attributes (`email`, `phone_number`) the user has a value for.
    public var contactsOnFile: Set<String>

    public init(now: Date, hidesUserExistence: Bool = false, autoVerifiedAttributes: [String] = [], contactsOnFile: Set<String> = []) {
        self.now = now
        self.hidesUserExistence = hidesUserExistence
        self.autoVerifiedAttributes = autoVerifiedAttributes
        self.contactsOnFile = contactsOnFile
    }
}

/// A request for a one-time code to be sent: ResendConfirmationCode (`signUp`) or ForgotPassword
/// (`passwordReset`).
public enum CodeRequest: Equatable, Sendable {
    case signUp
    case passwordReset

    /// The purpose of the code it sends.
    public var purpose: String {
        switch self {
        case .signUp: "SignUp"
        case .passwordReset: "ForgotPassword"
        }
    }
}

/// Whether a code may be sent, and how a refusal answers.
public enum CodeRequestDecision: Equatable, Sendable {
    case send
    /// Refused with `error`; a client hiding user existence answers `hiddenAs` (the reason recorded with a
    /// decoy delivery) instead, when it is set.
    case refuse(DomainError, hiddenAs: String?)
}

extension UserAccount {
    /// The contact attributes Cognito verifies, in the order it prefers them (the phone first).
    public static let contactAttributes = ["phone_number", "email"]

    /// The events of `command` against this account, or the refusal Cognito answers with.
    public func decide(_ command: AccountCommand, context: AccountCommandContext) throws(DomainError) -> [any EventPayload] {
        switch command {
        case .confirmSignUp(let proved):
            try requireConfirmable(hidesUserExistence: context.hidesUserExistence)
            // Codes from before codes were bound to a contact name none: the contact they went to is the first
            // auto-verified one the user has.
            let verified =
                proved
                ?? Self.contactAttributes.first { context.autoVerifiedAttributes.contains($0) && context.contactsOnFile.contains($0) }
            return [UserConfirmed(by: "code", verifiedAttribute: verified)]
        case .confirmByAdmin:
            try requireConfirmable(hidesUserExistence: false)
            return [UserConfirmed(by: "admin")]
        case .resetForgottenPassword(let verifier):
            try requirePasswordResettable(hidesUserExistence: context.hidesUserExistence)
            return [
                PasswordChanged(sealedVerifier: .plaintext(verifier), status: .confirmed, reason: "forgot_password", consumedCode: "ForgotPassword")
            ]
        case .setPassword(let verifier, let permanent):
            return [
                PasswordChanged(
                    sealedVerifier: .plaintext(verifier), status: permanent ? .confirmed : .forceChangePassword,
                    reason: permanent ? "admin_set_permanent" : "admin_set_temporary")
            ]
        case .requirePasswordReset:
            return [PasswordResetRequired(by: "admin")]
        case .signOutGlobally:
            return [UserSignedOutGlobally(tokensValidAfter: context.now)]
        case .disable:
            // Cognito answers an already disabled (or enabled) user with success; nothing new happened.
            guard enabled else { return [] }
            return [UserDisabled(by: "admin"), UserSignedOutGlobally(tokensValidAfter: context.now)]
        case .enable:
            guard !enabled else { return [] }
            return [UserEnabled(by: "admin")]
        case .changePassword(let verifier):
            try requirePasswordChangeable()
            return [PasswordChanged(sealedVerifier: .plaintext(verifier), status: .confirmed, reason: "user_changed")]
        case .delete(let byUser):
            return [UserDeleted(poolId: poolId, by: byUser ? "self" : "admin")]
        case .verifyAttribute(let attribute):
            guard Self.contactAttributes.contains(attribute) else { throw Self.notVerifiable }
            return [AttributeVerified(attribute: attribute)]
        }
    }

    /// Only an unconfirmed user can be confirmed; a client hiding user existence answers as to a wrong code.
    public func requireConfirmable(hidesUserExistence: Bool) throws(DomainError) {
        guard status == .unconfirmed else {
            if hidesUserExistence { throw .codeMismatch }
            throw .notAuthorized("User cannot be confirmed. Current status is \(status.rawValue)")
        }
    }

    /// A disabled user cannot reset a password; a client hiding user existence answers as to a wrong code.
    public func requirePasswordResettable(hidesUserExistence: Bool) throws(DomainError) {
        guard enabled else {
            if hidesUserExistence { throw .codeMismatch }
            throw .notAuthorized("User is disabled.")
        }
    }

    /// ChangePassword's check of the previous password, in sign-in's order: a locked account is refused whatever
    /// the password (the caller checked it anyway, so timing tells nothing), a wrong password counts toward the
    /// lockout. Nil when the change may go on; otherwise append the refusal's event and answer its error.
    public func previousPasswordRefusal(matches: Bool, now: Date) -> PasswordSignInStateMachine.Refusal? {
        if Lockout.isLocked(until: lockedUntil, now: now) {
            return .init(
                reason: "locked_out", error: .notAuthorized("Password attempts exceeded"), lockout: nil, spendsPasswordCheck: false,
                countsAsFailure: true)
        }
        guard matches else {
            return .init(
                reason: "incorrect_password", error: .notAuthorized("Incorrect username or password."),
                lockout: Lockout.afterFailure(failedAttempts: failedAttempts, now: now), spendsPasswordCheck: false, countsAsFailure: true)
        }
        return nil
    }

    /// Only an enabled, confirmed user changes their own password (an administrator's reset must be answered
    /// with ConfirmForgotPassword first).
    public func requirePasswordChangeable() throws(DomainError) {
        guard enabled else { throw .notAuthorized("User is disabled.") }
        switch status {
        case .unconfirmed: throw .userNotConfirmed
        case .resetRequired: throw .passwordResetRequired
        case .confirmed, .forceChangePassword, .externalProvider: return
        }
    }

    /// Whether a code of `request` may be sent now, given the counters of the pending one: ResendConfirmationCode
    /// is for unconfirmed users, ForgotPassword for enabled ones, and neither sends more than
    /// `CodeLimits.maximumIssues` an hour (that refusal is the same whether existence is hidden or not: it
    /// only follows five answered sends).
    public func decide(_ request: CodeRequest, pending: CodeCounters?, now: Date) -> CodeRequestDecision {
        switch request {
        case .signUp where status != .unconfirmed:
            return .refuse(.invalidParameter("User is already confirmed."), hiddenAs: "already_confirmed")
        case .passwordReset where !enabled:
            return .refuse(.notAuthorized("User is disabled."), hiddenAs: "user_disabled")
        default:
            return CodeLimits.mayIssue(pending, now: now) ? .send : .refuse(CodeLimits.exceeded, hiddenAs: nil)
        }
    }

    /// VerifyUserAttribute and GetUserAttributeVerificationCode take only the two contact attributes.
    public static let notVerifiable = DomainError.invalidParameter("Invalid attribute name: only email and phone_number can be verified.")
}
