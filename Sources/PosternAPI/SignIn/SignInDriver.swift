import Foundation
import PosternCore
import PosternCrypto
import PosternHooks
import PosternStore

/// Where a sign-in enters ``PasswordSignInStateMachine``, with the proof it brings.
enum SignInEntry {
    /// A password in hand (USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH, USER_AUTH's PASSWORD): PreAuthentication,
    /// the lock, then the password against the user's verifier; a locked account spends the same work.
    case password(String)
    /// A proof checked already, whose PreAuthentication ran with its challenge (SRP's password claim, a
    /// one-time code, a passkey, ConfirmSignUp's session): the lock, then the proof's verdict.
    case proof(correct: Bool)
    /// The named device proved itself (DEVICE_PASSWORD_VERIFIER); a remembered one skips the second factor.
    case deviceProved(remembered: Bool)
    /// The second factor was proved (SOFTWARE_TOKEN_MFA, SMS_MFA, EMAIL_OTP, MFA_SETUP).
    case secondFactorProved
}

/// The device a sign-in carries.
enum SignInDeviceClaim {
    /// Named with the password (`DEVICE_KEY`): a confirmed one must prove itself next (DEVICE_SRP_AUTH).
    case named(DeviceRecord)
    /// Carried from an earlier step of the sign-in, proved or not.
    case carried(SignInDevice)
}

/// The one place that carries out ``PasswordSignInStateMachine``'s actions: PreAuthentication, the proof,
/// refusals, the NEW_PASSWORD_REQUIRED, second-factor and device challenges, PostAuthentication and tokens.
///
/// Every sign-in that reaches the account's checks (a password, SRP's password claim, a passwordless first
/// factor, a device's proof, a second factor) comes here, so a rule of the flow is written once: what it
/// brings is only what really differs between them (where it enters the machine, the events of its answer,
/// the device, the failure limits).
extension SignInService {
    /// Runs the sign-in state machine for `user` from `entry` to its answer: a challenge or tokens, or the
    /// refusal's error after its event.
    ///
    /// `answered` are the events of this request that come first in whatever it appends (the challenge answer
    /// it claims); `withTokens` follow them only when tokens are issued. A refusal that counts as a failure
    /// is counted against `failureLimits` (nil: this step counts none). `afterPassword`, for CUSTOM_AUTH,
    /// replaces whatever follows a proved password (DefineAuthChallenge decides it).
    func driveSignIn(
        _ entry: SignInEntry, user: UserRecord, pool: PoolRecord, client: ClientRecord, flow: String, secondFactor: MFAStep = .none,
        device: SignInDeviceClaim? = nil, answered: [any EventPayload] = [], withTokens: [any EventPayload] = [], hooks ran: [HookInvocation] = [],
        failureLimits: [Throttle.Limit]? = nil, afterPassword: (() async throws -> AuthResponse)? = nil, clientMetadata: [String: String]?,
        call: Call
    ) async throws -> AuthResponse {
        let carried: SignInDevice? =
            switch device {
            case .named(let record): SignInDevice(key: record.key, authenticated: false)
            case .carried(let given): given
            case nil: nil
            }
        var knownDevice = false
        if case .named(let record) = device { knownDevice = record.tracked.confirmed }
        var signIn = PasswordSignInStateMachine(
            account: user.account,
            policy: .init(
                hidesUserExistence: client.settings.preventUserExistenceErrors,
                temporaryPasswordValidityDays: pool.settings.passwordPolicy.temporaryPasswordValidityDays, secondFactor: secondFactor,
                knownDevice: knownDevice),
            now: call.now)
        var hooks = ran
        var action: PasswordSignInStateMachine.Action =
            switch entry {
            case .password: signIn.start()
            case .proof: signIn.resumeAtPasswordProof()
            case .deviceProved(let remembered): signIn.resumeAfterDevice(remembered: remembered)
            case .secondFactorProved: signIn.resumeAfterSecondFactor()
            }
        while true {
            switch action {
            case .runPreAuthentication:
                // Only a password in hand starts here. PreAuthentication sees InitiateAuth's ClientMetadata as
                // validationData; a refusal appends nothing.
                if let pre = try await triggers.preAuthentication(pool: pool, user: user, clientId: client.id, validationData: clientMetadata) {
                    hooks.append(pre)
                }
                action = signIn.preAuthenticationPassed()
            case .verifyPassword:
                switch entry {
                case .password(let password):
                    let matches = try await verifier(of: user)?.matches(password: password, poolName: pool.id.poolName, userID: user.username)
                    action = signIn.passwordChecked(matches: matches == true)
                case .proof(let correct):
                    action = signIn.passwordChecked(matches: correct)
                case .deviceProved, .secondFactorProved:
                    preconditionFailure("the password was proved before the device and the second factor")
                }
            case .refuse(let refusal):
                if refusal.spendsPasswordCheck, case .password(let password) = entry {
                    PasswordVerifier.simulateCheck(password: password, poolName: pool.id.poolName, userID: user.username)
                }
                try await appendToUser(
                    user, answered + [refusal.event(flow: flow, clientId: client.id, poolId: pool.id)], call: call, actor: user.sub.rawValue,
                    clientId: client.id)
                if refusal.countsAsFailure, let failureLimits { await throttle.count(failureLimits, now: call.now) }
                throw refusal.error
            case .challengeNewPassword where afterPassword != nil, .runPostAuthentication where afterPassword != nil:
                // CUSTOM_AUTH goes back to DefineAuthChallenge, which decides what follows a correct password.
                guard let afterPassword else { preconditionFailure("matched only with afterPassword") }
                return try await afterPassword()
            case .challengeNewPassword:
                return try await newPasswordChallenge(pool: pool, client: client, user: user, call: call, extra: answered)
            case .challengeSecondFactor(let step):
                return try await secondFactorChallenge(
                    step, pool: pool, client: client, user: user, flow: flow, hooks: hooks, extra: answered, clientMetadata: clientMetadata,
                    device: carried, call: call)
            case .challengeDevice:
                guard case .named(let record) = device else { preconditionFailure("a device challenge needs the named device") }
                return try await deviceChallenge(
                    record, pool: pool, client: client, user: user, flow: flow, hooks: hooks, extra: answered, call: call)
            case .runPostAuthentication:
                // Cognito passes no ClientMetadata to PostAuthentication of a password sign-in, and the answer's
                // to every other.
                var metadata = clientMetadata
                if case .password = entry { metadata = nil }
                if let post = try await triggers.postAuthentication(pool: pool, user: user, clientId: client.id, clientMetadata: metadata) {
                    hooks.append(post)
                }
                action = signIn.postAuthenticationPassed()
            case .issueTokens:
                let result = try await completeSignIn(
                    pool: pool, client: client, user: user, flow: flow, call: call, extra: answered + withTokens, hooks: hooks,
                    clientMetadata: clientMetadata, device: carried)
                return AuthResponse(AuthenticationResult: result)
            }
        }
    }
}
