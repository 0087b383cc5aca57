import Foundation

/// How often one-time codes may be sent and guessed, per user and purpose (SignUp, ForgotPassword,
/// Verify:email …), counted across re-issues so that asking for a new code never buys new guesses.
///
/// Both counters run in fixed windows that start with the first send or the first wrong guess and last
/// an hour, as Cognito's per-user limits do; a code that is used up (or a user who succeeds) starts
/// afresh. The counts are folded from events (`ConfirmationCodeIssued`, `ConfirmationCodeRejected`), so a
/// projection rebuild reproduces them and every server on the database sees the same numbers.
public struct CodeCounters: Equatable, Sendable {
    public var issued: Int
    public var issueWindowStart: Date?
    public var failures: Int
    public var failureWindowStart: Date?

    public init(issued: Int = 0, issueWindowStart: Date? = nil, failures: Int = 0, failureWindowStart: Date? = nil) {
        self.issued = issued
        self.issueWindowStart = issueWindowStart
        self.failures = failures
        self.failureWindowStart = failureWindowStart
    }
}

public enum CodeLimits {
    public static let window: TimeInterval = 3600
    /// Codes sent per user, purpose and window (ForgotPassword, ResendConfirmationCode,
    /// GetUserAttributeVerificationCode refuse the next one).
    public static let maximumIssues = 5
    /// Wrong guesses per user, purpose and window, whatever number of codes were sent meanwhile.
    public static let maximumFailures = 5

    /// Cognito's answer once a limit is reached.
    public static let exceeded = DomainError.limitExceeded("Attempt limit exceeded, please try after some time.")

    public static func mayIssue(_ counters: CodeCounters?, now: Date) -> Bool {
        guard let counters, let start = counters.issueWindowStart, start.addingTimeInterval(window) > now else { return true }
        return counters.issued < maximumIssues
    }

    public static func mayGuess(_ counters: CodeCounters?, now: Date) -> Bool {
        guard let counters, let start = counters.failureWindowStart, start.addingTimeInterval(window) > now else { return true }
        return counters.failures < maximumFailures
    }
}
