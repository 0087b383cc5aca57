import Foundation
import Testing
@testable import PosternCore

@Suite struct PasswordPolicyTests {
    let policy = PasswordPolicy()

    @Test func defaultPolicyAcceptsAStrongPassword() throws {
        try policy.validate("Passw0rd!")
    }

    @Test(arguments: [
        ("Pa0!", "Password not long enough"),
        ("PASSW0RD!", "Password must have lowercase characters"),
        ("passw0rd!", "Password must have uppercase characters"),
        ("Password!", "Password must have numeric characters"),
        ("Passw0rd1", "Password must have symbol characters"),
    ])
    func defaultPolicyNamesTheFirstUnmetRule(password: String, rule: String) {
        #expect(throws: DomainError.invalidPassword("Password did not conform with policy: " + rule)) { try policy.validate(password) }
    }

    @Test func relaxedPolicyReadFromPoolSettings() throws {
        let relaxed = PasswordPolicy(json: .object(["MinimumLength": .int(6), "RequireSymbols": .bool(false), "RequireUppercase": .bool(false)]))
        try relaxed.validate("abc123")
        #expect(relaxed.temporaryPasswordValidityDays == 7)
    }

    @Test func whitespaceOnlyAndOverlongPasswordsAreRejected() {
        #expect(throws: DomainError.self) { try policy.validate("        ") }
        #expect(throws: DomainError.self) { try policy.validate(String(repeating: "Aa1!", count: 65)) }
    }
}

@Suite struct UserFilterTests {
    @Test func parsesExactAndPrefixFilters() throws {
        #expect(try UserFilter.parse(#"email = "a@b.c""#) == UserFilter(attribute: "email", match: .exact, value: "a@b.c"))
        #expect(try UserFilter.parse(#"given_name ^= "Jo""#) == UserFilter(attribute: "given_name", match: .prefix, value: "Jo"))
        #expect(try UserFilter.parse(#"cognito:user_status = "UNCONFIRMED""#)?.attribute == "cognito:user_status")
    }

    @Test func unescapesQuotesInsideValues() throws {
        #expect(try UserFilter.parse(#"name = "say \"hi\"""#)?.value == #"say "hi""#)
    }

    @Test func emptyFilterMeansAllUsers() throws {
        #expect(try UserFilter.parse("  ") == nil)
    }

    @Test(arguments: [#"email "x""#, #"email = x"#, #"email = "x"#, #"custom:tier = "gold""#, #"email = "x" extra"#])
    func malformedOrUnfilterableFiltersAreRejected(filter: String) {
        #expect(throws: DomainError.self) { try UserFilter.parse(filter) }
    }
}

@Suite struct LockoutTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func firstFourFailuresDoNotLock() {
        for previous in 0..<4 { #expect(Lockout.afterFailure(failedAttempts: previous, now: now).lockedUntil == nil) }
    }

    @Test func lockDoublesFromTheFifthFailureUpToFifteenMinutes() {
        #expect(Lockout.afterFailure(failedAttempts: 4, now: now).lockedUntil == now.addingTimeInterval(1))
        #expect(Lockout.afterFailure(failedAttempts: 5, now: now).lockedUntil == now.addingTimeInterval(2))
        #expect(Lockout.afterFailure(failedAttempts: 7, now: now).lockedUntil == now.addingTimeInterval(8))
        #expect(Lockout.afterFailure(failedAttempts: 40, now: now).lockedUntil == now.addingTimeInterval(900))
    }

    @Test func lockExpires() {
        #expect(Lockout.isLocked(until: now.addingTimeInterval(1), now: now))
        #expect(!Lockout.isLocked(until: now, now: now))
        #expect(!Lockout.isLocked(until: nil, now: now))
    }
}
