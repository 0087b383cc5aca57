import Foundation
import Logging
import PosternCore
import PosternCrypto
import PosternHooks
import PosternStore

/// CustomEmailSender / CustomSMSSender (spec/triggers.md): when a pool names a sender for a message's
/// medium, the hook is the transport and Postern sends nothing itself. It runs from the outbox, after
/// the operation committed, as Cognito runs these functions asynchronously.
///
/// The code reaches the hook in `request.code`: sealed with the function's `codeKeyFile` key when its
/// declaration names one (AES-256-GCM, see `CodeEnvelope`), otherwise in plain text on the hook's
/// stdin pipe only — never in an argument, the environment or the event log. A failing hook is tried
/// three times, as Lambda retries asynchronous invocations, then the message is given up (the outbox
/// dead-letters it); each outcome is recorded as `HookInvoked` on the user's stream.
struct CustomSenders: Sendable {
    let postern: Postern
    let logger: Logger

    /// The configured sender for a medium (`EMAIL` or `SMS`), if any.
    static func arn(pool: PoolRecord, medium: String) -> String? {
        let trigger = medium == "EMAIL" ? "CustomEmailSender" : "CustomSMSSender"
        return pool.settings.json["LambdaConfig"]?[trigger]?["LambdaArn"]?.stringValue
    }

    static let attempts = 3

    /// Hands the message to the hook; returns the last outcome (`ok`, or the error type of the last attempt).
    func send(_ queued: MessageQueued, message: OutboundMessage, event: RecordedEvent, pool: PoolRecord, arn: String) async throws -> String {
        guard let user = try await postern.directory.user(sub: event.streamEntityID) else { return "ok" }
        let trigger = queued.deliveryMedium == "EMAIL" ? "CustomEmailSender" : "CustomSMSSender"
        let source = "\(trigger)_\(queued.kind)"
        let clientId = event.metadata["clientId"]?.stringValue.map(ClientID.init)
        var outcome = "ok"
        let started = ContinuousClock.now
        for attempt in 1...Self.attempts {
            do {
                let code = try protect(message.code.map { queued.kind == "AdminCreateUser" ? Self.htmlEscaped($0) : $0 }, arn: arn)
                _ = try await postern.triggers.invoke(
                    trigger, arn: arn, source: source, pool: pool, userName: user.username, clientId: clientId,
                    request: CustomSenderTrigger.request(
                        trigger: trigger, encryptedCode: code, userAttributes: Triggers.userAttributes(of: user),
                        clientMetadata: message.clientMetadata),
                    response: [:])
                outcome = "ok"
                break
            } catch {
                outcome = (error as? AWSError)?.type ?? "UnexpectedLambdaException"
                logger.warning(
                    "custom sender failed", metadata: ["message_id": "\(queued.messageId)", "attempt": "\(attempt)", "error": "\(outcome)"])
                if attempt < Self.attempts { try await Task.sleep(for: .seconds(attempt)) }
            }
        }
        let record = HookInvocation(
            function: FunctionCatalog.functionName(arn: arn) ?? arn, triggerSource: source,
            durationMilliseconds: Triggers.milliseconds(since: started), outcome: outcome, decision: ["messageId": .string(queued.messageId)])
        let call = Call(requestId: "delivery-\(queued.messageId)", operation: trigger, sourceIp: nil, userAgent: nil, adminKeyId: nil, now: Date())
        try await postern.retrying {
            guard let current = try await postern.directory.user(sub: user.sub.rawValue) else { return }
            try await postern.appendToUser(
                current, [HookInvoked(invocation: record)], call: call, actor: "postern:outbox-delivery", clientId: clientId)
        }
        logger.info("message handed to \(trigger)", metadata: ["message_id": "\(queued.messageId)", "outcome": "\(outcome)"])
        return outcome
    }

    private func protect(_ code: String?, arn: String) throws -> String? {
        guard let code else { return nil }
        guard let key = try postern.triggers.catalog.resolve(arn: arn).codeKey else { return code }
        return try CodeEnvelope.seal(code, key: key)
    }

    /// Cognito HTML-escapes temporary passwords for custom senders.
    static func htmlEscaped(_ text: String) -> String {
        text.replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
