import Foundation

/// A one-time code waiting to be proved, as the directory keeps it (`directory.confirmation_codes`): the
/// keyed hash of the code, its expiry, the contact it was sent to, and the send and guess counters.
public struct PendingCode: Equatable, Sendable {
    public var codeHash: String
    public var expiresAt: Date
    /// The contact attribute the code went to; the hash covers its value. Nil on codes bound to no contact.
    public var attribute: String?
    public var counters: CodeCounters

    public init(codeHash: String, expiresAt: Date, attribute: String?, counters: CodeCounters) {
        self.codeHash = codeHash
        self.expiresAt = expiresAt
        self.attribute = attribute
        self.counters = counters
    }
}

/// The rules for proving a one-time code of any purpose (SignUp, ForgotPassword, Verify:email, the MFA and
/// passwordless codes), in this order: a code must be pending, the guess limit must not be reached, a
/// right code must not have expired, and a wrong one is recorded (it counts toward `CodeLimits`).
///
/// Pure: the caller says whether the typed code matches (its keyed hash, compared in constant time in
/// PosternCrypto, depends on the pending code's contact and the server key, neither of which a decision
/// should hold).
public enum OneTimeCodeCheck {
    /// What the check found.
    public enum Outcome: Equatable, Sendable {
        /// The code is right and current; it proves `attribute` (nil for codes bound to no contact).
        case proved(attribute: String?)
        /// Refused with `error`; a wrong guess also appends `ConfirmationCodeRejected` (`recordsRejection`)
        /// and counts toward the per-address limit of wrong codes.
        case refused(DomainError, recordsRejection: Bool)
    }

    public static func decide(pending: PendingCode?, matches: (PendingCode) -> Bool, now: Date) -> Outcome {
        guard let pending else { return .refused(.codeMismatch, recordsRejection: false) }
        if !CodeLimits.mayGuess(pending.counters, now: now) { return .refused(CodeLimits.exceeded, recordsRejection: false) }
        guard !pending.codeHash.isEmpty, matches(pending) else { return .refused(.codeMismatch, recordsRejection: true) }
        if pending.expiresAt <= now { return .refused(.expiredCode, recordsRejection: false) }
        return .proved(attribute: pending.attribute)
    }

    /// The event that records a wrong guess of a `purpose` code.
    public static func rejection(purpose: String) -> ConfirmationCodeRejected {
        ConfirmationCodeRejected(purpose: purpose, reason: "code_mismatch")
    }
}
