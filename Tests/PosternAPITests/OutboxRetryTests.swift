import Foundation
import NIOCore
import Testing

@testable import PosternAPI

/// The outbox's bounded retry: which failures are permanent, and how long a message is retried.
@Suite struct OutboxRetryTests {
    @Test(
        "SMTP 5xx is permanent, 4xx and connection trouble are transient",
        arguments: [
            (SMTPMailer.SMTPError.rejected(stage: "RCPT TO", code: 550), "smtp_550", true),
            (SMTPMailer.SMTPError.rejected(stage: "message", code: 554), "smtp_554", true),
            (SMTPMailer.SMTPError.rejected(stage: "RCPT TO", code: 451), "smtp_451", false),
            (SMTPMailer.SMTPError.rejected(stage: "greeting", code: 421), "smtp_421", false),
            (SMTPMailer.SMTPError.connectionClosed(stage: "DATA"), "connection_closed", false),
            (SMTPMailer.SMTPError.connectionClosed(stage: "timeout"), "timeout", false),
            (SMTPMailer.SMTPError.unsafeHeader, "unsafe_header", true),
        ]
    )
    func smtpFailuresAreClassified(error: SMTPMailer.SMTPError, reason: String, permanent: Bool) {
        #expect(DeliveryFailure(error) == DeliveryFailure(reason: reason, isPermanent: permanent))
    }

    @Test("a refused connection and a file error are transient")
    func otherFailuresAreTransient() {
        #expect(DeliveryFailure(IOError(errnoCode: ECONNREFUSED, reason: "connect")) == DeliveryFailure(reason: "connection", isPermanent: false))
        #expect(DeliveryFailure(SecretFile.Failure("cannot open", "/x", errno: ENOSPC)) == DeliveryFailure(reason: "file", isPermanent: false))
        #expect(!DeliveryFailure(CancellationError()).isPermanent)
    }

    @Test("waits double from the base, and stop after the last attempt")
    func backoffDoublesUpToTheBound() {
        let policy = OutboxRetryPolicy(maxAttempts: 5, baseDelay: .seconds(1))
        let waits = (1...5).map { policy.delay(after: $0, elapsed: .zero) }
        #expect(waits == [.seconds(1), .seconds(2), .seconds(4), .seconds(8), nil])
        #expect(waits.compactMap { $0 }.reduce(.zero, +) <= policy.maxTotal)
    }

    @Test("no retry starts past the total bound, however many attempts are allowed")
    func totalTimeIsBounded() {
        let policy = OutboxRetryPolicy(maxAttempts: 20, baseDelay: .seconds(10))
        #expect(policy.delay(after: 3, elapsed: .seconds(30)) == nil, "30 s spent + a 40 s wait passes one minute")
        #expect(policy.delay(after: 1, elapsed: .seconds(1)) == .seconds(10))
        #expect(OutboxRetryPolicy(maxAttempts: 1).delay(after: 1, elapsed: .zero) == nil, "one attempt: no retry")
    }
}
