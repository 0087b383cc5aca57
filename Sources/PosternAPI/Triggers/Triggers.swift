import Foundation
import Logging
import PosternCore
import PosternHooks
import PosternStore

/// Cognito's trigger contract around the hook runner: the event envelope, reading `response`, and the
/// errors callers see (spec/triggers.md §1–2).
struct Triggers: Sendable {
    let catalog: FunctionCatalog
    let runner: HookRunner
    let region: String
    let logger: Logger

    /// The configured function ARN of a trigger (`PreSignUp`, …), if any.
    static func arn(_ trigger: String, pool: PoolRecord) -> String? {
        pool.settings.json["LambdaConfig"]?[trigger]?.stringValue
    }

    /// Runs a trigger's hook with Cognito's event and returns the answered event and a record of the run.
    func invoke(
        _ trigger: String, arn: String, source: String, pool: PoolRecord, userName: String, clientId: ClientID?,
        request: [String: JSONValue], response: [String: JSONValue], version: String = "1"
    ) async throws -> (answer: JSONValue, record: HookInvocation) {
        let event = TriggerEvent(
            version: version, triggerSource: source, region: pool.id.region.isEmpty ? region : pool.id.region, userPoolId: pool.id.rawValue,
            userName: userName, clientId: clientId?.rawValue, request: request, response: response
        ).json
        let started = ContinuousClock.now
        let name = FunctionCatalog.functionName(arn: arn) ?? arn
        // A command decided again after a conflict asks its hooks the same questions: the answer given
        // to the same input is reused, and a hook runs again only when what it reads has changed.
        let attempt = CommandAttempt.current
        let memoKey = "\(arn)|\(source)"
        let input = attempt == nil ? "" : try Self.canonicalText(event)
        var rerun: String?
        switch attempt?.recall(hook: memoKey, input: input) {
        case .answered(let earlier):
            logger.debug("hook answer reused for an unchanged input", metadata: ["hook": "\(name)", "trigger_source": "\(source)"])
            return (earlier.answer, earlier.record)
        case .inputChanged:
            logger.info(
                "hook input changed when the command was decided again; running it again",
                metadata: ["hook": "\(name)", "trigger_source": "\(source)"])
            rerun = "input_changed"
        case .firstRun, nil:
            break
        }
        do {
            let function = try catalog.resolve(arn: arn)
            let answer = try await runner.invoke(function, event: event)
            var record = HookInvocation(
                function: name, triggerSource: source, durationMilliseconds: Self.milliseconds(since: started), outcome: "ok", decision: [:])
            record.rerun = rerun
            attempt?.remember(hook: memoKey, input: input, answer: answer, record: record)
            return (answer, record)
        } catch {
            // The caller sees Cognito's error; the operator sees why the hook failed.
            logger.warning(
                "hook failed", metadata: ["hook": "\(name)", "trigger_source": "\(source)", "reason": "\(error)"])
            throw AWSError.from(hook: error, trigger: trigger)
        }
    }

    /// PostConfirmation (`PostConfirmation_ConfirmSignUp`, `PostConfirmation_ConfirmForgotPassword`), run
    /// after the confirmation committed: its run is recorded on the user's stream whatever the outcome,
    /// and a failure still reaches the caller (Cognito reports it although the user stays confirmed).
    func postConfirmation(
        source: String = "PostConfirmation_ConfirmSignUp", pool: PoolRecord, user: UserRecord, clientId: ClientID?,
        clientMetadata: [String: String]?, call: Call, log: some EventLogService
    ) async throws {
        guard let arn = Self.arn("PostConfirmation", pool: pool) else { return }
        let started = ContinuousClock.now
        var failure: AWSError?
        do {
            _ = try await invoke(
                "PostConfirmation", arn: arn, source: source, pool: pool, userName: user.username, clientId: clientId,
                request: PostConfirmationTrigger.request(userAttributes: Self.userAttributes(of: user), clientMetadata: clientMetadata),
                response: [:])
        } catch let error as AWSError {
            failure = error
        }
        let record = HookInvocation(
            function: FunctionCatalog.functionName(arn: arn) ?? arn, triggerSource: source,
            durationMilliseconds: Self.milliseconds(since: started), outcome: failure?.type ?? "ok", decision: [:])
        try await log.retrying {
            let current = try await log.directory.user(sub: user.sub.rawValue) ?? user
            try await log.appendToUser(current, [HookInvoked(invocation: record)], call: call, actor: user.sub.rawValue, clientId: clientId)
        }
        if let failure { throw failure }
    }

    /// PreAuthentication (`PreAuthentication_Authentication`): no response, a failure denies the sign-in.
    /// Returns the run's record, or nil when the pool has no such function.
    func preAuthentication(pool: PoolRecord, user: UserRecord, clientId: ClientID, validationData: [String: String]?) async throws
        -> HookInvocation?
    {
        guard let arn = Self.arn("PreAuthentication", pool: pool) else { return nil }
        return try await invoke(
            "PreAuthentication", arn: arn, source: "PreAuthentication_Authentication", pool: pool, userName: user.username, clientId: clientId,
            request: PreAuthenticationTrigger.request(
                userAttributes: Self.userAttributes(of: user), validationData: validationData, userNotFound: false),
            response: [:]
        ).record
    }

    /// PostAuthentication (`PostAuthentication_Authentication`): no response, a failure denies the
    /// sign-in. Returns the run's record, or nil when the pool has no such function.
    func postAuthentication(pool: PoolRecord, user: UserRecord, clientId: ClientID, clientMetadata: [String: String]?) async throws
        -> HookInvocation?
    {
        guard let arn = Self.arn("PostAuthentication", pool: pool) else { return nil }
        return try await invoke(
            "PostAuthentication", arn: arn, source: "PostAuthentication_Authentication", pool: pool, userName: user.username, clientId: clientId,
            request: PostAuthenticationTrigger.request(
                userAttributes: Self.userAttributes(of: user), newDeviceUsed: false, clientMetadata: clientMetadata),
            response: [:]
        ).record
    }

    /// PreAuthentication for a user the pool does not know, which Cognito runs (with `userNotFound`)
    /// only when the client hides user existence. Returns nil when the pool has no such function.
    func preAuthenticationOfUnknownUser(pool: PoolRecord, login: String, clientId: ClientID, validationData: [String: String]?)
        async throws -> HookInvocation?
    {
        guard let arn = Self.arn("PreAuthentication", pool: pool) else { return nil }
        return try await invoke(
            "PreAuthentication", arn: arn, source: "PreAuthentication_Authentication", pool: pool, userName: login, clientId: clientId,
            request: PreAuthenticationTrigger.request(userAttributes: .object([:]), validationData: validationData, userNotFound: true),
            response: [:]
        ).record
    }

    /// `userAttributes` as Cognito sends them: the user's attributes with `sub` and `cognito:user_status`.
    static func userAttributes(of user: UserRecord) -> JSONValue {
        TriggerRequest.userAttributes(user.attributes, sub: user.sub.rawValue, status: user.status)
    }

    /// Reads a hook's answer; an answer Cognito would refuse is InvalidLambdaResponseException.
    static func reading<T>(_ read: () throws(InvalidTriggerAnswer) -> T) throws(AWSError) -> T {
        do { return try read() } catch { throw AWSError.invalidLambdaResponse(error.message) }
    }

    /// The event as sorted-key JSON text: equal inputs give equal text.
    static func canonicalText(_ event: JSONValue) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(event), as: UTF8.self)
    }

    /// A string map (ClientMetadata, validationData) as JSON; null when the caller sent none.
    static func json(_ map: [String: String]?) -> JSONValue { TriggerRequest.stringMap(map) }

    static func milliseconds(since start: ContinuousClock.Instant) -> Int {
        let elapsed = ContinuousClock.now - start
        return Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
    }

    /// PreSignUp (`PreSignUp_SignUp`, `PreSignUp_AdminCreateUser`): may reject, and for SignUp decides
    /// auto-confirmation and auto-verification. Returns nil when the pool has no PreSignUp function.
    func preSignUp(
        source: String, pool: PoolRecord, userName: String, clientId: ClientID?, attributes: [String: String],
        validationData: [AttributeType]?, clientMetadata: [String: String]?
    ) async throws -> (autoConfirm: Bool, autoVerifyEmail: Bool, autoVerifyPhone: Bool, record: HookInvocation)? {
        guard let arn = Self.arn("PreSignUp", pool: pool) else { return nil }
        let validation = validationData.map { $0.reduce(into: [String: String?]()) { $0[$1.Name] = $1.Value } }
        let (answer, record) = try await invoke(
            "PreSignUp", arn: arn, source: source, pool: pool, userName: userName, clientId: clientId,
            request: PreSignUpTrigger.request(userAttributes: attributes, validationData: validation, clientMetadata: clientMetadata),
            response: PreSignUpTrigger.neutralResponse)
        // Cognito ignores the decision for administrator-created users.
        guard source == "PreSignUp_SignUp" else { return (false, false, false, record) }
        let decision = try Self.reading { () throws(InvalidTriggerAnswer) in try PreSignUpTrigger.decision(answer) }
        var decided = record
        decided.decision = decision.summary
        return (decision.autoConfirm, decision.autoVerifyEmail, decision.autoVerifyPhone, decided)
    }

    /// PreTokenGeneration for a token pair about to be signed, in the version the pool configured
    /// (`PreTokenGenerationConfig`, else the plain `PreTokenGeneration` ARN as V1_0). Returns nil when
    /// the pool has no such function.
    func preTokenGeneration(
        source: String, pool: PoolRecord, user: UserRecord, clientId: ClientID, groups: GroupClaims, scopes: [String],
        clientMetadata: [String: String]?
    ) async throws -> (customization: TokenCustomization, record: HookInvocation)? {
        let config = pool.settings.json["LambdaConfig"]?["PreTokenGenerationConfig"]
        guard let arn = config?["LambdaArn"]?.stringValue ?? Self.arn("PreTokenGeneration", pool: pool) else { return nil }
        let version = config?["LambdaVersion"]?.stringValue == "V1_0" || config == nil ? 1 : 2
        let (answer, record) = try await invoke(
            "PreTokenGeneration", arn: arn, source: source, pool: pool, userName: user.username, clientId: clientId,
            request: PreTokenGenerationTrigger.request(
                userAttributes: Self.userAttributes(of: user), groups: groups.groups, iamRoles: groups.roles, preferredRole: groups.preferredRole,
                scopes: scopes, clientMetadata: clientMetadata, version: version),
            response: PreTokenGenerationTrigger.neutralResponse(version: version), version: String(version))
        var decided = record
        let customization = try TokenCustomization.parse(answer["response"], version: version)
        decided.decision = customization.summary
        return (customization, decided)
    }

    /// CustomMessage (`CustomMessage_<kind>`): the hook may write the message's text, which must keep
    /// the code placeholder; null fields keep the pool's template. Returns nil when the pool has no
    /// such function.
    func customMessage(
        source: String, pool: PoolRecord, user: (sub: Sub, username: String, attributes: [String: String]), medium: String,
        withUsername: Bool, context: MessageContext
    ) async throws -> (subject: String?, body: String?, record: HookInvocation)? {
        guard let arn = Self.arn("CustomMessage", pool: pool) else { return nil }
        let (answer, record) = try await invoke(
            "CustomMessage", arn: arn, source: source, pool: pool, userName: user.username, clientId: context.clientId,
            request: CustomMessageTrigger.request(
                userAttributes: TriggerRequest.userAttributes(user.attributes, sub: user.sub.rawValue, status: context.userStatus),
                withUsername: withUsername, clientMetadata: context.clientMetadata),
            response: CustomMessageTrigger.neutralResponse)
        let message = try Self.reading { () throws(InvalidTriggerAnswer) in try CustomMessageTrigger.message(answer, medium: medium) }
        var decided = record
        decided.decision = message.summary
        let (subject, body) = (message.subject, message.body)
        return (subject, body, decided)
    }
}
