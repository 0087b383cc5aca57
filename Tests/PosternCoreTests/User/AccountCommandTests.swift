import Foundation
import Testing

@testable import PosternCore

@Suite struct AccountCommandTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    let verifier = PasswordVerifier(saltHex: "ab", verifierHex: "cd")

    func account(_ status: UserStatus = .unconfirmed, enabled: Bool = true) -> UserAccount {
        UserAccount(sub: "0b1c", poolId: "us-east-1_abc", status: status, enabled: enabled, hasPassword: true, version: 3)
    }

    func context(hides: Bool = false, autoVerified: [String] = ["email"], contacts: Set<String> = ["email"]) -> AccountCommandContext {
        AccountCommandContext(now: t0, hidesUserExistence: hides, autoVerifiedAttributes: autoVerified, contactsOnFile: contacts)
    }

    @Test func confirmingSignUpVerifiesTheContactTheCodeProved() throws {
        let events = try account().decide(.confirmSignUp(provedAttribute: "phone_number"), context: context())
        let confirmed = try #require(events.first as? UserConfirmed)
        #expect(events.count == 1 && confirmed.by == "code" && confirmed.verifiedAttribute == "phone_number")
    }

    @Test func aCodeBoundToNoContactVerifiesTheFirstAutoVerifiedContactOnFile() throws {
        let both = context(autoVerified: ["email", "phone_number"], contacts: ["email", "phone_number"])
        let confirmed = try #require(try account().decide(.confirmSignUp(provedAttribute: nil), context: both).first as? UserConfirmed)
        #expect(confirmed.verifiedAttribute == "phone_number")
        let none = context(autoVerified: ["phone_number"], contacts: ["email"])
        let unverified = try #require(try account().decide(.confirmSignUp(provedAttribute: nil), context: none).first as? UserConfirmed)
        #expect(unverified.verifiedAttribute == nil)
    }

    @Test func onlyAnUnconfirmedUserIsConfirmedAndAHidingClientSaysWrongCode() {
        #expect(throws: DomainError.notAuthorized("User cannot be confirmed. Current status is CONFIRMED")) {
            try account(.confirmed).decide(.confirmSignUp(provedAttribute: "email"), context: context())
        }
        #expect(throws: DomainError.codeMismatch) {
            try account(.confirmed).decide(.confirmSignUp(provedAttribute: "email"), context: context(hides: true))
        }
        // An administrator is told the status whatever the client setting.
        #expect(throws: DomainError.notAuthorized("User cannot be confirmed. Current status is FORCE_CHANGE_PASSWORD")) {
            try account(.forceChangePassword).decide(.confirmByAdmin, context: context(hides: true))
        }
        #expect((try? account().decide(.confirmByAdmin, context: context()).first as? UserConfirmed)?.by == "admin")
    }

    @Test func aForgottenPasswordResetConfirmsTheUserAndUsesTheCodeUp() throws {
        let events = try account(.resetRequired).decide(.resetForgottenPassword(verifier), context: context())
        let changed = try #require(events.first as? PasswordChanged)
        #expect(changed.status == .confirmed && changed.reason == "forgot_password" && changed.consumedCode == "ForgotPassword")
        #expect(changed.sealedVerifier == .plaintext(verifier))
        #expect(throws: DomainError.notAuthorized("User is disabled.")) {
            try account(.confirmed, enabled: false).decide(.resetForgottenPassword(verifier), context: context())
        }
        #expect(throws: DomainError.codeMismatch) {
            try account(.confirmed, enabled: false).decide(.resetForgottenPassword(verifier), context: context(hides: true))
        }
    }

    @Test func anAdministratorSetsAPermanentOrATemporaryPassword() throws {
        let permanent = try #require(try account().decide(.setPassword(verifier, permanent: true), context: context()).first as? PasswordChanged)
        #expect(permanent.status == .confirmed && permanent.reason == "admin_set_permanent")
        let temporary = try #require(
            try account(.confirmed).decide(.setPassword(verifier, permanent: false), context: context()).first as? PasswordChanged)
        #expect(temporary.status == .forceChangePassword && temporary.reason == "admin_set_temporary")
    }

    @Test func signOutResetAndDeletionAreFactsAboutNow() throws {
        let signedOut = try #require(try account(.confirmed).decide(.signOutGlobally, context: context()).first as? UserSignedOutGlobally)
        #expect(signedOut.tokensValidAfter == t0)
        #expect((try account().decide(.requirePasswordReset, context: context()).first as? PasswordResetRequired)?.by == "admin")
        let deleted = try #require(try account().decide(.delete(byUser: true), context: context()).first as? UserDeleted)
        #expect(deleted.by == "self" && deleted.poolId == "us-east-1_abc")
        #expect((try account().decide(.delete(byUser: false), context: context()).first as? UserDeleted)?.by == "admin")
    }

    @Test func onlyContactsAreVerified() throws {
        #expect((try account().decide(.verifyAttribute("email"), context: context()).first as? AttributeVerified)?.attribute == "email")
        #expect(throws: UserAccount.notVerifiable) { try account().decide(.verifyAttribute("name"), context: context()) }
    }

    @Test func codeRequestsFollowTheAccountAndTheHourlyLimit() {
        #expect(account().decide(.signUp, pending: nil, now: t0) == .send)
        #expect(
            account(.confirmed).decide(.signUp, pending: nil, now: t0)
                == .refuse(.invalidParameter("User is already confirmed."), hiddenAs: "already_confirmed"))
        #expect(account(.confirmed).decide(.passwordReset, pending: nil, now: t0) == .send)
        #expect(
            account(.confirmed, enabled: false).decide(.passwordReset, pending: nil, now: t0)
                == .refuse(.notAuthorized("User is disabled."), hiddenAs: "user_disabled"))
        let spent = CodeCounters(issued: CodeLimits.maximumIssues, issueWindowStart: t0.addingTimeInterval(-60))
        #expect(account().decide(.signUp, pending: spent, now: t0) == .refuse(CodeLimits.exceeded, hiddenAs: nil))
        // The window is an hour from the first send.
        #expect(account().decide(.signUp, pending: spent, now: t0.addingTimeInterval(CodeLimits.window)) == .send)
    }

    @Test func evolveFollowsTheLifecycleEvents() {
        let registered = UserRegistered(
            poolId: "us-east-1_abc", sub: "0b1c", origin: "SignUp", sealedProfile: .ciphertext("sealed"), sealedVerifier: .ciphertext("v"),
            status: .unconfirmed, clientId: "client")
        let confirmed = UserAccount.fold([(registered, t0), (UserConfirmed(by: "code"), t0)])
        #expect(confirmed?.status == .confirmed && confirmed?.version == 2)
        let reset = UserAccount.evolve(
            confirmed, with: PasswordChanged(sealedVerifier: .ciphertext("w"), status: .confirmed, reason: "forgot_password"),
            recordedAt: t0.addingTimeInterval(5))
        #expect(reset?.passwordSetAt == t0.addingTimeInterval(5) && reset?.version == 3)
        // Profile changes, codes and verified attributes move only the version on.
        let verified = UserAccount.evolve(reset, with: AttributeVerified(attribute: "email"), recordedAt: t0)
        #expect(verified?.status == .confirmed && verified?.version == 4)
        #expect(UserAccount.evolve(verified, with: UserDeleted(poolId: "us-east-1_abc", by: "admin"), recordedAt: t0) == nil)
    }

    @Test func disablingSignsTheUserOutEverywhereAndDisablingAgainChangesNothing() throws {
        let events = try account(.confirmed).decide(.disable, context: context())
        #expect(events.count == 2)
        #expect((events.first as? UserDisabled)?.by == "admin")
        #expect((events.last as? UserSignedOutGlobally)?.tokensValidAfter == t0)
        // Cognito answers AdminDisableUser on a disabled user (and AdminEnableUser on an enabled one) with success.
        #expect(try account(.confirmed, enabled: false).decide(.disable, context: context()).isEmpty)
        #expect(try account(.confirmed).decide(.enable, context: context()).isEmpty)
        let enabled = try account(.confirmed, enabled: false).decide(.enable, context: context())
        #expect(enabled.count == 1 && (enabled.first as? UserEnabled)?.by == "admin")
    }

    @Test func evolveFollowsDisablingAndEnabling() {
        let start = account(.confirmed)
        let disabled = UserAccount.evolve(start, with: UserDisabled(by: "admin"), recordedAt: t0)
        #expect(disabled?.enabled == false && disabled?.version == 4)
        let signedOut = UserAccount.evolve(disabled, with: UserSignedOutGlobally(tokensValidAfter: t0), recordedAt: t0)
        #expect(signedOut?.enabled == false && signedOut?.tokensValidAfter == t0)
        let enabled = UserAccount.evolve(signedOut, with: UserEnabled(by: "admin"), recordedAt: t0)
        // Enabling does not bring the revoked tokens back.
        #expect(enabled?.enabled == true && enabled?.tokensValidAfter == t0 && enabled?.version == 6)
    }

    @Test func aUserChangesTheirPasswordWhenConfirmedAndEnabled() throws {
        let changed = try #require(try account(.confirmed).decide(.changePassword(verifier), context: context()).first as? PasswordChanged)
        #expect(changed.status == .confirmed && changed.reason == "user_changed" && changed.sealedVerifier == .plaintext(verifier))
        #expect(changed.consumedCode == nil && changed.sessionId == nil)
        #expect(throws: DomainError.notAuthorized("User is disabled.")) {
            try account(.confirmed, enabled: false).decide(.changePassword(verifier), context: context())
        }
        #expect(throws: DomainError.passwordResetRequired) { try account(.resetRequired).decide(.changePassword(verifier), context: context()) }
        #expect(throws: DomainError.userNotConfirmed) { try account(.unconfirmed).decide(.changePassword(verifier), context: context()) }
    }

    @Test func aWrongPreviousPasswordCountsTowardTheLockout() throws {
        #expect(account(.confirmed).previousPasswordRefusal(matches: true, now: t0) == nil)
        let wrong = try #require(account(.confirmed).previousPasswordRefusal(matches: false, now: t0))
        #expect(wrong.reason == "incorrect_password" && wrong.error == .notAuthorized("Incorrect username or password."))
        #expect(wrong.lockout?.failedAttempts == 1 && wrong.lockout?.lockedUntil == nil && wrong.countsAsFailure)
        let event = wrong.event(flow: "ChangePassword", clientId: "client", poolId: "us-east-1_abc")
        #expect(event.flow == "ChangePassword" && event.reason == "incorrect_password" && event.failedAttempts == 1)
        // The fifth failure locks the account; while locked, even the right password is refused and not counted.
        var failing = account(.confirmed)
        failing.failedAttempts = Lockout.freeAttempts - 1
        let fifth = try #require(failing.previousPasswordRefusal(matches: false, now: t0))
        #expect(fifth.lockout?.failedAttempts == Lockout.freeAttempts && fifth.lockout?.lockedUntil == t0.addingTimeInterval(1))
        failing.failedAttempts = Lockout.freeAttempts
        failing.lockedUntil = t0.addingTimeInterval(1)
        let locked = try #require(failing.previousPasswordRefusal(matches: true, now: t0))
        #expect(locked.reason == "locked_out" && locked.error == .notAuthorized("Password attempts exceeded") && locked.lockout == nil)
        #expect(failing.previousPasswordRefusal(matches: true, now: t0.addingTimeInterval(1)) == nil)
    }
}

@Suite struct PasswordHistoryTests {
    @Test func theHistoryIsTheLatestVerifiersOnTheStreamNewestFirst() {
        let registered = UserRegistered(
            poolId: "us-east-1_abc", sub: "0b1c", origin: "SignUp", sealedProfile: .ciphertext("p"), sealedVerifier: .ciphertext("v1"),
            status: .unconfirmed, clientId: "client")
        let events: [any EventPayload] = [
            registered, UserConfirmed(by: "code"),
            PasswordChanged(sealedVerifier: .ciphertext("v2"), status: .confirmed, reason: "user_changed"),
            UserSignedOutGlobally(tokensValidAfter: Date(timeIntervalSince1970: 0)),
            PasswordChanged(sealedVerifier: .ciphertext("v3"), status: .confirmed, reason: "user_changed"),
        ]
        #expect(PasswordHistory.recentVerifiers(events, size: 2).map(\.ciphertext) == ["v3", "v2"])
        #expect(PasswordHistory.recentVerifiers(events, size: 24).map(\.ciphertext) == ["v3", "v2", "v1"])
        #expect(PasswordHistory.recentVerifiers(events, size: 0).isEmpty)
    }

    @Test func thePolicyKeepsTheHistorySizeOnlyWhenSet() {
        #expect(PasswordPolicy().json["PasswordHistorySize"] == nil)
        let policy = PasswordPolicy(json: .object(["PasswordHistorySize": .int(3)]))
        #expect(policy.passwordHistorySize == 3 && policy.json["PasswordHistorySize"]?.intValue == 3)
    }
}
