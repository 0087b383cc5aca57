import Foundation

/// Cognito's documented sign-in lockout: after five failures the user is locked for one second, and each
/// further failure doubles the lock, up to about fifteen minutes. Failures while locked do not count.
public enum Lockout {
    public static let freeAttempts = 5
    public static let maximumLock: TimeInterval = 900

    /// The counter and lock after one more failed attempt.
    public static func afterFailure(failedAttempts: Int, now: Date) -> (failedAttempts: Int, lockedUntil: Date?) {
        let attempts = failedAttempts + 1
        guard attempts >= freeAttempts else { return (attempts, nil) }
        let seconds = min(maximumLock, pow(2, Double(attempts - freeAttempts)))
        return (attempts, now.addingTimeInterval(seconds))
    }

    public static func isLocked(until lockedUntil: Date?, now: Date) -> Bool {
        guard let lockedUntil else { return false }
        return lockedUntil > now
    }
}
