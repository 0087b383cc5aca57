import Foundation
import Testing

@testable import PosternCore

@Suite struct PasswordSignInStateMachineTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let policy = PasswordSignInStateMachine.Policy(hidesUserExistence: false, temporaryPasswordValidityDays: 7)

    func account(
        _ status: UserStatus = .confirmed, enabled: Bool = true, failedAttempts: Int = 0, lockedUntil: Date? = nil,
        passwordSetAt: Date? = nil
    ) -> UserAccount {
        UserAccount(
            sub: "0b1c", poolId: "us-east-1_abc", status: status, enabled: enabled, hasPassword: true, passwordSetAt: passwordSetAt,
            failedAttempts: failedAttempts, lockedUntil: lockedUntil, version: 3)
    }

    /// Runs the machine to its first answer that is not a hook or a check, with the password matching or not.
    func outcome(_ account: UserAccount, matches: Bool = true, policy: PasswordSignInStateMachine.Policy? = nil)
        -> (PasswordSignInStateMachine.Action, steps: [String])
    {
        var machine = PasswordSignInStateMachine(account: account, policy: policy ?? self.policy, now: now)
        var steps: [String] = []
        var action = machine.start()
        while true {
            switch action {
            case .runPreAuthentication:
                steps.append("pre")
                action = machine.preAuthenticationPassed()
            case .verifyPassword:
                steps.append("verify")
                action = machine.passwordChecked(matches: matches)
            case .runPostAuthentication:
                steps.append("post")
                action = machine.postAuthenticationPassed()
            case .refuse, .challengeNewPassword, .challengeSecondFactor, .challengeDevice, .issueTokens:
                return (action, steps)
            }
        }
    }

    @Test func aConfirmedUserWithTheRightPasswordRunsBothTriggersThenGetsTokens() {
        let (action, steps) = outcome(account())
        #expect(action == .issueTokens)
        #expect(steps == ["pre", "verify", "post"])
    }

    @Test func aWrongPasswordCountsTowardTheLockoutAndTheThrottle() {
        guard case .refuse(let refusal) = outcome(account(failedAttempts: 2), matches: false).0 else {
            Issue.record("expected a refusal")
            return
        }
        #expect(refusal.reason == "incorrect_password")
        #expect(refusal.error == .notAuthorized("Incorrect username or password."))
        #expect(refusal.lockout?.failedAttempts == 3)
        #expect(refusal.lockout?.lockedUntil == nil)
        #expect(refusal.countsAsFailure)
        #expect(!refusal.spendsPasswordCheck)
        let event = refusal.event(flow: "USER_PASSWORD_AUTH", clientId: "client", poolId: "us-east-1_abc")
        #expect(event.failedAttempts == 3 && event.reason == "incorrect_password")
    }

    @Test func theFifthWrongPasswordLocksForOneSecondAndEachNextDoubles() {
        guard case .refuse(let fifth) = outcome(account(failedAttempts: 4), matches: false).0,
            case .refuse(let seventh) = outcome(account(failedAttempts: 6), matches: false).0
        else {
            Issue.record("expected refusals")
            return
        }
        #expect(fifth.lockout?.lockedUntil == now.addingTimeInterval(1))
        #expect(seventh.lockout?.lockedUntil == now.addingTimeInterval(4))
    }

    @Test func aLockedAccountIsRefusedWithoutCheckingThePasswordButSpendsTheWork() {
        let (action, steps) = outcome(account(failedAttempts: 5, lockedUntil: now.addingTimeInterval(10)))
        guard case .refuse(let refusal) = action else {
            Issue.record("expected a refusal")
            return
        }
        #expect(steps == ["pre"])
        #expect(refusal.reason == "locked_out")
        #expect(refusal.error == .notAuthorized("Password attempts exceeded"))
        #expect(refusal.spendsPasswordCheck)
        #expect(refusal.lockout == nil, "failures while locked do not count")
    }

    @Test func aLockedAccountLooksLikeAWrongPasswordWhenTheClientHidesUserExistence() {
        let hiding = PasswordSignInStateMachine.Policy(hidesUserExistence: true, temporaryPasswordValidityDays: 7)
        guard case .refuse(let refusal) = outcome(account(lockedUntil: now.addingTimeInterval(10)), policy: hiding).0 else {
            Issue.record("expected a refusal")
            return
        }
        #expect(refusal.error == .notAuthorized("Incorrect username or password."))
    }

    @Test func anExpiredLockNoLongerRefuses() {
        #expect(outcome(account(failedAttempts: 5, lockedUntil: now.addingTimeInterval(-1))).0 == .issueTokens)
    }

    @Test(arguments: [
        (UserStatus.unconfirmed, "user_not_confirmed", DomainError.userNotConfirmed),
        (UserStatus.resetRequired, "password_reset_required", DomainError.passwordResetRequired),
    ])
    func statusesThatCannotSignInAreRefusedAfterThePasswordMatched(status: UserStatus, reason: String, error: DomainError) {
        let (action, steps) = outcome(account(status))
        #expect(steps == ["pre", "verify"])
        #expect(action == .refuse(.init(reason: reason, error: error, spendsPasswordCheck: false, countsAsFailure: false)))
    }

    @Test func aDisabledUserIsRefusedOnlyWithTheRightPassword() {
        let (right, _) = outcome(account(enabled: false))
        #expect(
            right
                == .refuse(
                    .init(reason: "user_disabled", error: .notAuthorized("User is disabled."), spendsPasswordCheck: false, countsAsFailure: false)))
        guard case .refuse(let wrong) = outcome(account(enabled: false), matches: false).0 else {
            Issue.record("expected a refusal")
            return
        }
        #expect(wrong.reason == "incorrect_password", "a wrong password says nothing about the account")
    }

    @Test func aTemporaryPasswordIsChallengedWhileValidAndRefusedAfter() {
        #expect(outcome(account(.forceChangePassword, passwordSetAt: now.addingTimeInterval(-6 * 86_400))).0 == .challengeNewPassword)
        guard case .refuse(let expired) = outcome(account(.forceChangePassword, passwordSetAt: now.addingTimeInterval(-8 * 86_400))).0 else {
            Issue.record("expected a refusal")
            return
        }
        #expect(expired.reason == "temporary_password_expired")
        #expect(expired.error == .notAuthorized("Temporary password has expired and must be reset by an administrator."))
    }

    @Test func aTemporaryPasswordChallengeDoesNotRunPostAuthentication() {
        #expect(outcome(account(.forceChangePassword, passwordSetAt: now)).steps == ["pre", "verify"])
    }
}

@Suite struct UserAccountTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    func registered(_ status: UserStatus = .unconfirmed, verifier: Sealed<PasswordVerifier>? = .ciphertext("sealed")) -> UserRegistered {
        UserRegistered(
            poolId: "us-east-1_abc", sub: "0b1c", origin: "SignUp", sealedProfile: .ciphertext("sealed"), sealedVerifier: verifier, status: status,
            clientId: "client")
    }

    @Test func registrationStartsTheAccountAtVersionOne() {
        let account = UserAccount.evolve(nil, with: registered(), recordedAt: t0)
        #expect(account == UserAccount(sub: "0b1c", poolId: "us-east-1_abc", status: .unconfirmed, hasPassword: true, passwordSetAt: t0, version: 1))
    }

    @Test func aUserCreatedWithoutAPasswordHasNone() {
        let account = UserAccount.evolve(nil, with: registered(.forceChangePassword, verifier: nil), recordedAt: t0)
        #expect(account?.hasPassword == false && account?.passwordSetAt == nil)
    }

    @Test func failuresLockAndASuccessOrNewPasswordClearsTheLock() {
        let lockedUntil = t0.addingTimeInterval(1)
        var failed = SignInFailed(flow: "USER_PASSWORD_AUTH", clientId: "client", poolId: "us-east-1_abc", reason: "incorrect_password")
        failed.failedAttempts = 5
        failed.lockedUntil = lockedUntil
        let locked = UserAccount.fold([
            (registered(), t0), (UserConfirmed(by: "self"), t0), (failed, t0.addingTimeInterval(5)),
        ])
        #expect(locked?.status == .confirmed)
        #expect(locked?.failedAttempts == 5 && locked?.lockedUntil == lockedUntil)
        #expect(locked?.version == 3)

        let signedIn = SignInSucceeded(
            flow: "USER_PASSWORD_AUTH", clientId: "client", originJti: "jti", refreshTokenHash: "h", authTime: t0, refreshExpiresAt: t0)
        let cleared = UserAccount.evolve(locked, with: signedIn, recordedAt: t0)
        #expect(cleared?.failedAttempts == 0 && cleared?.lockedUntil == nil && cleared?.version == 4)

        let reset = UserAccount.evolve(
            locked, with: PasswordChanged(sealedVerifier: .ciphertext("v2"), status: .confirmed, reason: "forgot_password"),
            recordedAt: t0.addingTimeInterval(9))
        #expect(reset?.failedAttempts == 0 && reset?.lockedUntil == nil && reset?.passwordSetAt == t0.addingTimeInterval(9))
    }

    @Test func aFailureThatDoesNotCountLeavesTheCounterAlone() {
        var account = UserAccount.evolve(nil, with: registered(.confirmed), recordedAt: t0)
        account?.failedAttempts = 2
        let notConfirmed = SignInFailed(flow: "USER_PASSWORD_AUTH", clientId: "client", poolId: "us-east-1_abc", reason: "user_disabled")
        #expect(UserAccount.evolve(account, with: notConfirmed, recordedAt: t0)?.failedAttempts == 2)
    }

    @Test func resetSignOutAndDeletion() {
        let start = UserAccount.evolve(nil, with: registered(.confirmed), recordedAt: t0)
        #expect(UserAccount.evolve(start, with: PasswordResetRequired(by: "admin"), recordedAt: t0)?.status == .resetRequired)
        let signedOut = UserAccount.evolve(start, with: UserSignedOutGlobally(tokensValidAfter: t0), recordedAt: t0)
        #expect(signedOut?.tokensValidAfter == t0)
        #expect(UserAccount.evolve(start, with: UserDeleted(poolId: "us-east-1_abc", by: "self"), recordedAt: t0) == nil)
        #expect(UserAccount.evolve(nil, with: UserConfirmed(by: "self"), recordedAt: t0) == nil, "no stream, no account")
    }
}

@Suite struct SRPAnswerStateMachineTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let policy = PasswordSignInStateMachine.Policy(hidesUserExistence: true, temporaryPasswordValidityDays: 7)

    func account(lockedUntil: Date? = nil, status: UserStatus = .confirmed) -> UserAccount {
        UserAccount(
            sub: "0b1c", poolId: "us-east-1_abc", status: status, enabled: true, hasPassword: true, passwordSetAt: now,
            failedAttempts: lockedUntil == nil ? 0 : 5, lockedUntil: lockedUntil, version: 3)
    }

    @Test func theAnswerGoesStraightToTheLockAndTheProof() {
        var machine = PasswordSignInStateMachine(account: account(), policy: policy, now: now)
        #expect(machine.resumeAtPasswordProof() == .verifyPassword)
        #expect(machine.passwordChecked(matches: true) == .runPostAuthentication)
        #expect(machine.postAuthenticationPassed() == .issueTokens)
    }

    @Test func aLockedAccountIsRefusedAtTheAnswerAsAWrongPasswordWouldBe() {
        var machine = PasswordSignInStateMachine(account: account(lockedUntil: now.addingTimeInterval(60)), policy: policy, now: now)
        guard case .refuse(let refusal) = machine.resumeAtPasswordProof() else {
            Issue.record("expected a refusal")
            return
        }
        #expect(refusal.reason == "locked_out")
        #expect(refusal.error == .notAuthorized("Incorrect username or password."))
        #expect(refusal.countsAsFailure)
    }

    @Test func aWrongProofCountsTowardTheLockout() {
        var machine = PasswordSignInStateMachine(account: account(), policy: policy, now: now)
        _ = machine.resumeAtPasswordProof()
        guard case .refuse(let refusal) = machine.passwordChecked(matches: false) else {
            Issue.record("expected a refusal")
            return
        }
        #expect(refusal.reason == "incorrect_password")
        #expect(refusal.lockout?.failedAttempts == 1)
    }

    @Test func aTemporaryPasswordProvedBySRPGetsTheNewPasswordChallenge() {
        var machine = PasswordSignInStateMachine(account: account(status: .forceChangePassword), policy: policy, now: now)
        _ = machine.resumeAtPasswordProof()
        #expect(machine.passwordChecked(matches: true) == .challengeNewPassword)
    }
}

@Suite struct DeviceSignInStateMachineTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let account = UserAccount(
        sub: "0b1c", poolId: "us-east-1_abc", status: .confirmed, enabled: true, hasPassword: true, passwordSetAt: nil, failedAttempts: 0,
        lockedUntil: nil, version: 3)

    func policy(mfa: MFAStep = .none, knownDevice: Bool = false) -> PasswordSignInStateMachine.Policy {
        .init(hidesUserExistence: false, temporaryPasswordValidityDays: 7, secondFactor: mfa, knownDevice: knownDevice)
    }

    @Test func aKnownDeviceProvesItselfBeforeMFA() {
        var machine = PasswordSignInStateMachine(account: account, policy: policy(mfa: .challenge(.softwareToken), knownDevice: true), now: now)
        _ = machine.start()
        _ = machine.preAuthenticationPassed()
        #expect(machine.passwordChecked(matches: true) == .challengeDevice)
    }

    @Test func aRememberedDeviceSkipsMFAAndAnotherFacesIt() {
        var remembered = PasswordSignInStateMachine(account: account, policy: policy(mfa: .challenge(.softwareToken)), now: now)
        #expect(remembered.resumeAfterDevice(remembered: true) == .runPostAuthentication)
        #expect(remembered.postAuthenticationPassed() == .issueTokens)
        var forgotten = PasswordSignInStateMachine(account: account, policy: policy(mfa: .challenge(.softwareToken)), now: now)
        #expect(forgotten.resumeAfterDevice(remembered: false) == .challengeSecondFactor(.challenge(.softwareToken)))
        var noMFA = PasswordSignInStateMachine(account: account, policy: policy(), now: now)
        #expect(noMFA.resumeAfterDevice(remembered: false) == .runPostAuthentication)
    }

    @Test func aUserDisabledMeanwhileIsRefusedAfterTheDeviceOrTheSecondFactor() {
        var disabled = account
        disabled.enabled = false
        var afterDevice = PasswordSignInStateMachine(account: disabled, policy: policy(), now: now)
        guard case .refuse(let refusal) = afterDevice.resumeAfterDevice(remembered: true) else {
            Issue.record("expected a refusal")
            return
        }
        #expect(refusal.reason == "user_disabled")
        var afterMFA = PasswordSignInStateMachine(account: disabled, policy: policy(), now: now)
        guard case .refuse = afterMFA.resumeAfterSecondFactor() else {
            Issue.record("expected a refusal")
            return
        }
    }
}

@Suite struct DeviceTrackingPolicyTests {
    @Test func aPoolWithoutDeviceConfigurationTracksNothing() {
        #expect(DeviceTrackingPolicy(settings: UserPoolSettings(json: .object([:]))) == nil)
        let policy = DeviceTrackingPolicy(
            settings: UserPoolSettings(
                json: .object(["DeviceConfiguration": .object(["ChallengeRequiredOnNewDevice": .bool(true)])])))
        #expect(policy == DeviceTrackingPolicy(challengeRequiredOnNewDevice: true, onlyRememberedOnUserPrompt: false))
    }

    @Test func onlyAConfirmedRememberedDeviceSkipsTheSecondFactor() {
        let policy = DeviceTrackingPolicy(challengeRequiredOnNewDevice: true, onlyRememberedOnUserPrompt: false)
        #expect(policy.skipsSecondFactor(TrackedDevice(key: "k", groupKey: "g", confirmed: true, remembered: true)))
        #expect(!policy.skipsSecondFactor(TrackedDevice(key: "k", groupKey: "g", confirmed: true, remembered: false)))
        #expect(!policy.skipsSecondFactor(TrackedDevice(key: "k", groupKey: "g", confirmed: false, remembered: true)))
    }

    @Test func keysLookLikeCognitos() {
        let id = UUID()
        #expect(TrackedDevice.newKey(region: "eu-west-1", id: id) == "eu-west-1_\(id.uuidString.lowercased())")
        var generator = SystemRandomNumberGenerator()
        let group = TrackedDevice.newGroupKey(using: &generator)
        #expect(group.count == 10 && group.hasPrefix("-") && group.dropFirst().allSatisfy { $0.isLetter || $0.isNumber })
        // The same draws give the same key: the generator is the only source.
        var first = CountingGenerator(), second = CountingGenerator()
        #expect(TrackedDevice.newGroupKey(using: &first) == TrackedDevice.newGroupKey(using: &second))
    }
}

/// A deterministic generator for tests: the same fixed sequence every time.
struct CountingGenerator: RandomNumberGenerator {
    var state: UInt64 = 0
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return state
    }
}
