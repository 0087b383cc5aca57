import Foundation

/// The checks of a sign-in that proves a password (USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH, and the
/// PASSWORD_VERIFIER answer of SRP, resumed with `resumeAtPasswordProof()`), in Cognito's order: PreAuthentication, the lock, the password, the account's
/// state, PostAuthentication, tokens (spec/auth-flows.md §4–5).
///
/// Like postgres-nio's `AuthenticationStateMachine`, it does no I/O: the caller tells it what happened
/// (the hook passed, the password matched) and performs the action it returns (run a hook, check the
/// password, refuse with this event, challenge, issue tokens). Every rule of the flow is here and is
/// unit-tested without a database, a hook or a key.
public struct PasswordSignInStateMachine: Sendable {
    /// What the caller must do next.
    public enum Action: Equatable, Sendable {
        /// Run the pool's PreAuthentication trigger; call `preAuthenticationPassed()` if it lets the user in.
        case runPreAuthentication
        /// Check the password against the verifier; call `passwordChecked(matches:)`.
        case verifyPassword
        /// Refuse the sign-in: append `refusal`'s event and answer with its error.
        case refuse(Refusal)
        /// The user holds a temporary password: answer with the NEW_PASSWORD_REQUIRED challenge.
        case challengeNewPassword
        /// The password was right and the pool wants a second factor: answer with this MFA step; its answer
        /// resumes with `resumeAfterSecondFactor()`.
        case challengeSecondFactor(MFAStep)
        /// The password was right and the sign-in names a confirmed device of the user: answer with
        /// DEVICE_SRP_AUTH; its proof resumes with `resumeAfterDevice(remembered:)`.
        case challengeDevice
        /// Run the pool's PostAuthentication trigger; call `postAuthenticationPassed()` after it.
        case runPostAuthentication
        /// The sign-in succeeded: mint and record tokens.
        case issueTokens
    }

    /// A refused attempt: what is recorded and what the caller is told.
    public struct Refusal: Equatable, Sendable {
        /// The reason recorded in `SignInFailed` (`incorrect_password`, `locked_out`, …).
        public var reason: String
        public var error: DomainError
        /// The failure counter and lock after this attempt, when it counts toward the lockout.
        public var lockout: (failedAttempts: Int, lockedUntil: Date?)?
        /// The password was not checked (the account is locked): spend the same work anyway, so a
        /// locked account cannot be told from a wrong password by timing.
        public var spendsPasswordCheck: Bool
        /// Counts toward the per-address and per-name failure limits (`Throttle`).
        public var countsAsFailure: Bool

        public static func == (lhs: Refusal, rhs: Refusal) -> Bool {
            lhs.reason == rhs.reason && lhs.error == rhs.error && lhs.lockout?.failedAttempts == rhs.lockout?.failedAttempts
                && lhs.lockout?.lockedUntil == rhs.lockout?.lockedUntil && lhs.spendsPasswordCheck == rhs.spendsPasswordCheck
                && lhs.countsAsFailure == rhs.countsAsFailure
        }

        /// The event that records the refusal on the user's stream.
        public func event(flow: String, clientId: ClientID?, poolId: UserPoolID) -> SignInFailed {
            SignInFailed(
                flow: flow, clientId: clientId, poolId: poolId, reason: reason, failedAttempts: lockout?.failedAttempts,
                lockedUntil: lockout?.lockedUntil)
        }
    }

    /// What the pool and app client say about this sign-in.
    public struct Policy: Equatable, Sendable {
        /// The client hides whether a user exists (`PreventUserExistenceErrors`): a locked account then
        /// answers exactly as a wrong password does.
        public var hidesUserExistence: Bool
        /// How long a temporary password signs in (`TemporaryPasswordValidityDays`).
        public var temporaryPasswordValidity: TimeInterval
        /// The second factor the pool and the user call for after the password (`UserMFA.nextStep`).
        public var secondFactor: MFAStep
        /// The sign-in names a confirmed device of the user (`DEVICE_KEY`) in a pool that tracks devices.
        public var knownDevice: Bool

        public init(hidesUserExistence: Bool, temporaryPasswordValidityDays: Int, secondFactor: MFAStep = .none, knownDevice: Bool = false) {
            self.hidesUserExistence = hidesUserExistence
            self.temporaryPasswordValidity = TimeInterval(temporaryPasswordValidityDays * 86_400)
            self.secondFactor = secondFactor
            self.knownDevice = knownDevice
        }
    }

    enum State: Equatable {
        case initial
        case awaitingPreAuthentication
        case awaitingPasswordCheck
        case awaitingPostAuthentication
        case finished
    }

    let account: UserAccount
    let policy: Policy
    let now: Date
    var state = State.initial

    public init(account: UserAccount, policy: Policy, now: Date) {
        self.account = account
        self.policy = policy
        self.now = now
    }

    public mutating func start() -> Action {
        precondition(state == .initial, "start() called twice")
        state = .awaitingPreAuthentication
        return .runPreAuthentication
    }

    /// Resumes an SRP sign-in at its second request: PreAuthentication ran when the PASSWORD_VERIFIER
    /// challenge was issued, so the flow goes on with the lock, then the password proof. The lock is
    /// checked here, not at InitiateAuth, so a locked account gets a challenge like any other and cannot be
    /// told from a missing one by its first answer.
    public mutating func resumeAtPasswordProof() -> Action {
        precondition(state == .initial, "resumeAtPasswordProof() after start()")
        state = .awaitingPreAuthentication
        return preAuthenticationPassed()
    }

    /// PreAuthentication let the user through (a refusing hook ends the flow with its own error).
    public mutating func preAuthenticationPassed() -> Action {
        precondition(state == .awaitingPreAuthentication, "preAuthenticationPassed() out of order")
        if Lockout.isLocked(until: account.lockedUntil, now: now) {
            state = .finished
            // Unknown users are never locked: a client hiding existence says what it says to them.
            let message = policy.hidesUserExistence ? "Incorrect username or password." : "Password attempts exceeded"
            return .refuse(Refusal(reason: "locked_out", error: .notAuthorized(message), spendsPasswordCheck: true, countsAsFailure: true))
        }
        state = .awaitingPasswordCheck
        return .verifyPassword
    }

    /// The password was checked (a user without a verifier never matches).
    public mutating func passwordChecked(matches: Bool) -> Action {
        precondition(state == .awaitingPasswordCheck, "passwordChecked(matches:) out of order")
        state = .finished
        guard matches else {
            return .refuse(
                Refusal(
                    reason: "incorrect_password", error: .notAuthorized("Incorrect username or password."),
                    lockout: Lockout.afterFailure(failedAttempts: account.failedAttempts, now: now), spendsPasswordCheck: false,
                    countsAsFailure: true))
        }
        if !account.enabled { return refuse("user_disabled", .notAuthorized("User is disabled.")) }
        switch account.status {
        case .unconfirmed:
            return refuse("user_not_confirmed", .userNotConfirmed)
        case .resetRequired:
            return refuse("password_reset_required", .passwordResetRequired)
        case .forceChangePassword:
            if let setAt = account.passwordSetAt, setAt.addingTimeInterval(policy.temporaryPasswordValidity) < now {
                return refuse(
                    "temporary_password_expired", .notAuthorized("Temporary password has expired and must be reset by an administrator."))
            }
            return .challengeNewPassword
        case .confirmed, .externalProvider:
            // The device proves itself before MFA: a remembered one stands in for it.
            if policy.knownDevice { return .challengeDevice }
            if policy.secondFactor != .none { return .challengeSecondFactor(policy.secondFactor) }
            state = .awaitingPostAuthentication
            return .runPostAuthentication
        }
    }

    /// Resumes a sign-in whose device proved itself (DEVICE_PASSWORD_VERIFIER): a remembered device skips the
    /// second factor, any other faces it; then PostAuthentication and tokens.
    public mutating func resumeAfterDevice(remembered: Bool) -> Action {
        precondition(state == .initial, "resumeAfterDevice(remembered:) after start()")
        state = .finished
        if !account.enabled { return refuse("user_disabled", .notAuthorized("User is disabled.")) }
        if !remembered, policy.secondFactor != .none { return .challengeSecondFactor(policy.secondFactor) }
        state = .awaitingPostAuthentication
        return .runPostAuthentication
    }

    /// Resumes a sign-in whose second factor was just proved (SOFTWARE_TOKEN_MFA, MFA_SETUP): an account
    /// disabled meanwhile is refused; otherwise PostAuthentication, then tokens.
    public mutating func resumeAfterSecondFactor() -> Action {
        precondition(state == .initial, "resumeAfterSecondFactor() after start()")
        state = .finished
        if !account.enabled { return refuse("user_disabled", .notAuthorized("User is disabled.")) }
        state = .awaitingPostAuthentication
        return .runPostAuthentication
    }

    /// PostAuthentication ran (its failure ends the flow with its own error).
    public mutating func postAuthenticationPassed() -> Action {
        precondition(state == .awaitingPostAuthentication, "postAuthenticationPassed() out of order")
        state = .finished
        return .issueTokens
    }

    private func refuse(_ reason: String, _ error: DomainError) -> Action {
        .refuse(Refusal(reason: reason, error: error, spendsPasswordCheck: false, countsAsFailure: false))
    }
}
