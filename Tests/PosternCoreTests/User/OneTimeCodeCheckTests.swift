import Foundation
import Testing

@testable import PosternCore

@Suite struct OneTimeCodeCheckTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    func pending(expiresIn: TimeInterval = 600, failures: Int = 0, hash: String = "h") -> PendingCode {
        PendingCode(
            codeHash: hash, expiresAt: t0.addingTimeInterval(expiresIn), attribute: "email",
            counters: CodeCounters(issued: 1, issueWindowStart: t0, failures: failures, failureWindowStart: failures > 0 ? t0 : nil))
    }

    @Test func aRightCurrentCodeProvesItsContact() {
        #expect(OneTimeCodeCheck.decide(pending: pending(), matches: { $0.codeHash == "h" }, now: t0) == .proved(attribute: "email"))
    }

    @Test func noPendingCodeIsAWrongCodeWithNothingRecorded() {
        #expect(OneTimeCodeCheck.decide(pending: nil, matches: { _ in true }, now: t0) == .refused(.codeMismatch, recordsRejection: false))
    }

    @Test func aWrongCodeIsRecordedAndAVoidedCodeNeverMatches() {
        #expect(OneTimeCodeCheck.decide(pending: pending(), matches: { _ in false }, now: t0) == .refused(.codeMismatch, recordsRejection: true))
        // A used-up code keeps its row with an empty hash: even a "match" against it is a wrong guess.
        #expect(
            OneTimeCodeCheck.decide(pending: pending(hash: ""), matches: { _ in true }, now: t0) == .refused(.codeMismatch, recordsRejection: true))
    }

    @Test func onlyARightCodeLearnsThatItExpired() {
        let expired = pending(expiresIn: 0)
        #expect(OneTimeCodeCheck.decide(pending: expired, matches: { _ in true }, now: t0) == .refused(.expiredCode, recordsRejection: false))
        #expect(OneTimeCodeCheck.decide(pending: expired, matches: { _ in false }, now: t0) == .refused(.codeMismatch, recordsRejection: true))
    }

    @Test func theGuessLimitStopsEvenTheRightCodeForAnHour() {
        let spent = pending(failures: CodeLimits.maximumFailures)
        #expect(OneTimeCodeCheck.decide(pending: spent, matches: { _ in true }, now: t0) == .refused(CodeLimits.exceeded, recordsRejection: false))
        let later = t0.addingTimeInterval(CodeLimits.window)
        #expect(
            OneTimeCodeCheck.decide(pending: pending(expiresIn: 2 * CodeLimits.window, failures: 5), matches: { _ in true }, now: later)
                == .proved(attribute: "email"))
    }

    @Test func theRejectionNamesThePurpose() {
        let rejected = OneTimeCodeCheck.rejection(purpose: "ForgotPassword")
        #expect(rejected.purpose == "ForgotPassword" && rejected.reason == "code_mismatch")
    }
}
