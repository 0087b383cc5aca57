import Foundation
import Logging
import PosternCore
import PosternStore
import PosternHooks

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
        _ trigger: String, arn: String, source: String, pool: PoolRecord, userName: String, clientId: ClientID?, request: JSONValue,
        response: JSONValue, version: String = "1"
    ) async throws -> (answer: JSONValue, record: HookInvocation) {
        let event: JSONValue = .object([
            "version": .string(version), "triggerSource": .string(source), "region": .string(pool.id.region.isEmpty ? region : pool.id.region),
            "userPoolId": .string(pool.id.rawValue), "userName": .string(userName),
            "callerContext": .object([
                "awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": clientId.map { .string($0.rawValue) } ?? .null,
            ]),
            "request": request, "response": response,
        ])
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
        clientMetadata: [String: String]?, call: Call, postern: Postern
    ) async throws {
        guard let arn = Self.arn("PostConfirmation", pool: pool) else { return }
        let started = ContinuousClock.now
        var failure: AWSError?
        do {
            _ = try await invoke(
                "PostConfirmation", arn: arn, source: source, pool: pool, userName: user.username, clientId: clientId,
                request: .object([
                    "userAttributes": Self.userAttributes(of: user),
                    "clientMetadata": Self.json(clientMetadata),
                ]),
                response: .object([:]))
        } catch let error as AWSError {
            failure = error
        }
        let record = HookInvocation(
            function: FunctionCatalog.functionName(arn: arn) ?? arn, triggerSource: source,
            durationMilliseconds: Self.milliseconds(since: started), outcome: failure?.type ?? "ok", decision: [:])
        try await postern.retrying {
            let current = try await postern.directory.user(sub: user.sub.rawValue) ?? user
            try await postern.appendToUser(current, [HookInvoked(invocation: record)], call: call, actor: user.sub.rawValue, clientId: clientId)
        }
        if let failure { throw failure }
    }

    /// PreAuthentication / PostAuthentication (`…_Authentication`): no response, a failure denies the
    /// sign-in. Returns the run's record, or nil when the pool has no such function.
    func authentication(
        _ trigger: String, pool: PoolRecord, user: UserRecord, clientId: ClientID, request extra: [String: JSONValue]
    ) async throws -> HookInvocation? {
        guard let arn = Self.arn(trigger, pool: pool) else { return nil }
        var request = extra
        request["userAttributes"] = Self.userAttributes(of: user)
        return try await invoke(
            trigger, arn: arn, source: "\(trigger)_Authentication", pool: pool, userName: user.username, clientId: clientId,
            request: .object(request), response: .object([:])
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
            request: .object([
                "userAttributes": .object([:]), "userNotFound": .bool(true),
                "validationData": Self.json(validationData),
            ]),
            response: .object([:])
        ).record
    }

    /// `userAttributes` as Cognito sends them: the user's attributes with `sub` and `cognito:user_status`.
    static func userAttributes(of user: UserRecord) -> JSONValue {
        var attributes = user.attributes.mapValues(JSONValue.string)
        attributes["sub"] = .string(user.sub.rawValue)
        attributes["cognito:user_status"] = .string(user.status.rawValue)
        return .object(attributes)
    }

    /// The event as sorted-key JSON text: equal inputs give equal text.
    static func canonicalText(_ event: JSONValue) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(event), as: UTF8.self)
    }

    /// A string map (ClientMetadata, validationData) as JSON; null when the caller sent none.
    static func json(_ map: [String: String]?) -> JSONValue {
        map.map { .object($0.mapValues(JSONValue.string)) } ?? .null
    }

    static func milliseconds(since start: ContinuousClock.Instant) -> Int {
        let elapsed = ContinuousClock.now - start
        return Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
    }

    /// A boolean member of `response`: absent or null is false; any other type is an invalid answer.
    static func flag(_ answer: JSONValue, _ name: String) throws -> Bool {
        switch answer["response"]?[name] {
        case nil, .null?: return false
        case .bool(let value)?: return value
        default: throw AWSError.invalidLambdaResponse()
        }
    }

    /// PreSignUp (`PreSignUp_SignUp`, `PreSignUp_AdminCreateUser`): may reject, and for SignUp decides
    /// auto-confirmation and auto-verification. Returns nil when the pool has no PreSignUp function.
    func preSignUp(
        source: String, pool: PoolRecord, userName: String, clientId: ClientID?, attributes: [String: String],
        validationData: [AttributeType]?, clientMetadata: [String: String]?
    ) async throws -> (autoConfirm: Bool, autoVerifyEmail: Bool, autoVerifyPhone: Bool, record: HookInvocation)? {
        guard let arn = Self.arn("PreSignUp", pool: pool) else { return nil }
        let validation = (validationData ?? []).reduce(into: [String: JSONValue]()) { $0[$1.Name] = $1.Value.map(JSONValue.string) ?? .null }
        let (answer, record) = try await invoke(
            "PreSignUp", arn: arn, source: source, pool: pool, userName: userName, clientId: clientId,
            request: .object([
                "userAttributes": .object(attributes.mapValues(JSONValue.string)),
                "validationData": validationData == nil ? .null : .object(validation),
                "clientMetadata": Self.json(clientMetadata),
            ]),
            response: .object(["autoConfirmUser": .bool(false), "autoVerifyEmail": .bool(false), "autoVerifyPhone": .bool(false)]))
        // Cognito ignores the decision for administrator-created users.
        guard source == "PreSignUp_SignUp" else { return (false, false, false, record) }
        let confirm = try Self.flag(answer, "autoConfirmUser")
        let verifyEmail = try Self.flag(answer, "autoVerifyEmail")
        let verifyPhone = try Self.flag(answer, "autoVerifyPhone")
        var decided = record
        decided.decision = ["autoConfirmUser": .bool(confirm), "autoVerifyEmail": .bool(verifyEmail), "autoVerifyPhone": .bool(verifyPhone)]
        return (confirm, verifyEmail, verifyPhone, decided)
    }

    /// PreTokenGeneration for a token pair about to be signed, in the version the pool configured
    /// (`PreTokenGenerationConfig`, else the plain `PreTokenGeneration` ARN as V1_0). Returns nil when
    /// the pool has no such function.
    func preTokenGeneration(
        source: String, pool: PoolRecord, user: UserRecord, clientId: ClientID, groups: [String], scopes: [String],
        clientMetadata: [String: String]?
    ) async throws -> (customization: TokenCustomization, record: HookInvocation)? {
        let config = pool.settings.json["LambdaConfig"]?["PreTokenGenerationConfig"]
        guard let arn = config?["LambdaArn"]?.stringValue ?? Self.arn("PreTokenGeneration", pool: pool) else { return nil }
        let version = config?["LambdaVersion"]?.stringValue == "V1_0" || config == nil ? 1 : 2
        var request: [String: JSONValue] = [
            "userAttributes": Self.userAttributes(of: user),
            "groupConfiguration": .object([
                "groupsToOverride": .array(groups.map(JSONValue.string)), "iamRolesToOverride": .array([]), "preferredRole": .null,
            ]),
            "clientMetadata": Self.json(clientMetadata),
        ]
        if version == 2 { request["scopes"] = .array(scopes.map(JSONValue.string)) }
        let neutral: JSONValue = .object([version == 1 ? "claimsOverrideDetails" : "claimsAndScopeOverrideDetails": .null])
        let (answer, record) = try await invoke(
            "PreTokenGeneration", arn: arn, source: source, pool: pool, userName: user.username, clientId: clientId,
            request: .object(request), response: neutral, version: String(version))
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
        var attributes = user.attributes
        attributes["sub"] = user.sub.rawValue
        if let status = context.userStatus { attributes["cognito:user_status"] = status.rawValue }
        let (answer, record) = try await invoke(
            "CustomMessage", arn: arn, source: source, pool: pool, userName: user.username, clientId: context.clientId,
            request: .object([
                "userAttributes": .object(attributes.mapValues(JSONValue.string)), "codeParameter": "{####}",
                "linkParameter": "{##Click Here##}", "usernameParameter": withUsername ? "{username}" : .null,
                "clientMetadata": Self.json(context.clientMetadata),
            ]),
            response: .object(["smsMessage": .null, "emailMessage": .null, "emailSubject": .null]))
        func text(_ name: String) throws -> String? {
            switch answer["response"]?[name] {
            case nil, .null?: return nil
            case .string(let value)?: return value
            default: throw AWSError.invalidLambdaResponse()
            }
        }
        let body = try text(medium == "EMAIL" ? "emailMessage" : "smsMessage")
        let subject = medium == "EMAIL" ? try text("emailSubject") : nil
        if let body, !body.contains("{####}") {
            throw AWSError.invalidLambdaResponse("CustomMessage returned a message without the code parameter {####}.")
        }
        var decided = record
        decided.decision = [
            "customized": .array([body.map { _ in "message" }, subject.map { _ in "subject" }].compactMap { $0 }.map(JSONValue.string))
        ]
        return (subject, body, decided)
    }
}
