import Foundation
import Logging
import NIOCore
import NIOPosix
import PosternCore
import PosternCrypto
import PosternStore
import ServiceLifecycle

/// Delivers queued messages (`MessageQueued`) from the committed log, at least once: to the pool's
/// CustomEmailSender / CustomSMSSender hook when it has one, email through the SMTP relay when one is
/// configured, everything else (and all mail without a relay) to the file sink.
///
/// A message carries its id (the file line's `id`, the mail's Message-ID), so a consumer can drop the
/// duplicate a crash between sending and checkpointing may cause. Messages of users deleted before
/// delivery are skipped: their key is gone.
///
/// One message can never stop the others: the subscription handles the log in order and would retry a
/// throwing handler for ever, so failures are caught here. A transient failure (SMTP 4xx, a refused or
/// dropped connection, a timeout, a file error) is retried with exponential backoff within
/// `OutboxRetryPolicy`; a permanent one (SMTP 5xx, a header that cannot be sent) at once, or the
/// attempts running out, records `MessageDeadLettered` on the user's stream and moves on. Only a failing
/// database (which stops everything anyway) or shutdown makes the handler throw.
struct OutboxDelivery: Service {
    let postern: Postern
    let logger: Logger
    static let subscriber = "outbox-delivery"

    func run() async throws {
        let configuration = postern.configuration
        let sink = FileMessageSink(path: configuration.outboxFile)
        if let warning = try? SecretFile.prepareDirectory(for: configuration.outboxFile) { logger.warning("\(warning)") }
        let mailer = try configuration.smtpURL.map { try SMTPMailer(url: $0, from: configuration.smtpFrom) }
        let senders = CustomSenders(postern: postern, logger: logger)
        let policy = OutboxRetryPolicy(maxAttempts: configuration.outboxMaxAttempts, baseDelay: configuration.outboxRetryBase)
        let subscription = Subscription(name: Self.subscriber, store: postern.store, types: [MessageQueued.eventType]) { event in
            try await deliver(event, sink: sink, mailer: mailer, senders: senders, policy: policy)
        }
        try await cancelWhenGracefulShutdown {
            await subscription.run(logger: logger)
        }
    }

    func deliver(_ event: RecordedEvent, sink: FileMessageSink, mailer: SMTPMailer?, senders: CustomSenders, policy: OutboxRetryPolicy)
        async throws
    {
        let queued: MessageQueued
        do { queued = try event.payload(as: MessageQueued.self) } catch {
            logger.error("message skipped: unreadable MessageQueued", metadata: ["position": "\(event.position)"])
            return
        }
        guard let key = try await postern.dataKey(of: Sub(event.streamEntityID)) else {
            logger.info("message skipped: recipient deleted", metadata: ["message_id": "\(queued.messageId)"])
            return
        }
        let transport = mailer != nil && queued.deliveryMedium == "EMAIL" ? "smtp" : "file"
        let message: OutboundMessage
        do { message = try key.open(queued.sealedMessage) } catch {
            try await deadLetter(queued, event: event, reason: "unreadable", attempts: 0, transport: transport)
            return
        }
        // An outage throws, so the subscription tries this message again; it never skips the pool's sender.
        if let pool = try await postern.directory.poolIfExists(queued.poolId.rawValue),
            let arn = CustomSenders.arn(pool: pool, medium: queued.deliveryMedium)
        {
            let outcome = try await senders.send(queued, message: message, event: event, pool: pool, arn: arn)
            if outcome != "ok" {
                try await deadLetter(queued, event: event, reason: "hook_\(outcome)", attempts: CustomSenders.attempts, transport: "hook")
            }
            return
        }
        var attempt = 0
        let started = ContinuousClock.now
        while true {
            attempt += 1
            do {
                if let mailer, transport == "smtp" {
                    try await mailer.send(
                        to: message.destination, subject: message.subject ?? "", body: message.message, messageID: queued.messageId)
                } else {
                    try sink.deliver(queued: queued, message: message)
                }
                logger.info(
                    "message delivered",
                    metadata: ["message_id": "\(queued.messageId)", "kind": "\(queued.kind)", "transport": "\(transport)", "attempt": "\(attempt)"])
                return
            } catch {
                try Task.checkCancellation()  // shutting down: the message stays in the log for the next start
                let failure = DeliveryFailure(error)
                logger.warning(
                    "message delivery failed",
                    metadata: [
                        "message_id": "\(queued.messageId)", "attempt": "\(attempt)", "failure": "\(failure.reason)",
                        "permanent": "\(failure.isPermanent)",
                    ])
                if failure.isPermanent {
                    try await deadLetter(queued, event: event, reason: failure.reason, attempts: attempt, transport: transport)
                    return
                }
                guard let delay = policy.delay(after: attempt, elapsed: ContinuousClock.now - started) else {
                    try await deadLetter(
                        queued, event: event, reason: "transient_exhausted", attempts: attempt, transport: transport, lastFailure: failure.reason)
                    return
                }
                try await Task.sleep(for: delay)
            }
        }
    }

    /// Records that `queued` will not be delivered (no address, no text), so audits and operators see it.
    func deadLetter(
        _ queued: MessageQueued, event: RecordedEvent, reason: String, attempts: Int, transport: String, lastFailure: String? = nil
    ) async throws {
        logger.error(
            "message dead-lettered", metadata: ["message_id": "\(queued.messageId)", "reason": "\(reason)", "attempts": "\(attempts)"])
        let record = MessageDeadLettered(
            messageId: queued.messageId, reason: reason, attempts: attempts, transport: transport, lastFailure: lastFailure)
        let call = Call(
            requestId: "delivery-\(queued.messageId)", operation: "OutboxDelivery", sourceIp: nil, userAgent: nil, adminKeyId: nil, now: Date())
        let clientId = event.metadata["clientId"]?.stringValue.map(ClientID.init)
        try await postern.retrying {
            guard let user = try await postern.directory.user(sub: event.streamEntityID) else { return }
            try await postern.appendToUser(user, [record], call: call, actor: "postern:outbox-delivery", clientId: clientId)
        }
    }
}

/// How long the outbox keeps trying a message that fails transiently.
struct OutboxRetryPolicy: Sendable, Equatable {
    /// Attempts in all, the first included.
    var maxAttempts = 5
    /// The wait after the first failure; each further wait doubles it.
    var baseDelay: Duration = .seconds(1)
    /// No retry starts later than this after the first attempt, so one message holds the queue up for
    /// about a minute at most (with the default 1 s base: waits of 1, 2, 4 and 8 s).
    var maxTotal: Duration = .seconds(60)

    /// The wait before the next attempt, or nil to give up: after `maxAttempts`, or when waiting would
    /// pass `maxTotal`.
    func delay(after attempt: Int, elapsed: Duration) -> Duration? {
        guard attempt < maxAttempts else { return nil }
        let delay = baseDelay * (1 << min(attempt - 1, 20))
        guard elapsed + delay <= maxTotal else { return nil }
        return delay
    }
}

/// A failed delivery attempt, as the dead-letter record names it.
struct DeliveryFailure: Sendable, Equatable {
    /// `smtp_<code>`, `unsafe_header`, `connection_closed`, `timeout`, `connection`, `file`, `unexpected`.
    var reason: String
    /// Permanent failures are not retried: SMTP 5xx (RFC 5321 §4.2.1) and messages that cannot be sent.
    var isPermanent: Bool

    init(reason: String, isPermanent: Bool) {
        self.reason = reason
        self.isPermanent = isPermanent
    }

    init(_ error: any Error) {
        switch error {
        case SMTPMailer.SMTPError.rejected(_, let code):
            self.init(reason: "smtp_\(code)", isPermanent: (500...599).contains(code))
        case SMTPMailer.SMTPError.unsafeHeader:
            self.init(reason: "unsafe_header", isPermanent: true)
        case SMTPMailer.SMTPError.connectionClosed(let stage):
            self.init(reason: stage == "timeout" ? "timeout" : "connection_closed", isPermanent: false)
        case is IOError, is ChannelError, is NIOConnectionError:
            self.init(reason: "connection", isPermanent: false)
        case is SecretFile.Failure, is EncodingError:
            self.init(reason: "file", isPermanent: false)
        default:
            self.init(reason: "unexpected", isPermanent: false)
        }
    }
}

/// Appends one JSON line per message to a file (development and tests; SMTP is the production transport).
struct FileMessageSink: Sendable {
    let path: String

    struct Line: Encodable {
        var id: String
        var userPoolId: String
        var username: String
        var kind: String
        var deliveryMedium: String
        var destination: String
        var subject: String?
        var message: String
        var code: String?
    }

    func deliver(queued: MessageQueued, message: OutboundMessage) throws {
        let line = Line(
            id: queued.messageId, userPoolId: queued.poolId.rawValue, username: message.username, kind: queued.kind,
            deliveryMedium: queued.deliveryMedium, destination: message.destination, subject: message.subject, message: message.message,
            code: message.code)
        var data = try JSONEncoder().encode(line)
        data.append(0x0A)
        // Codes and temporary passwords: mode 0600 from the first byte, in a 0700 directory (SecretFile).
        try SecretFile.prepareDirectory(for: path)
        try SecretFile.append(Array(data), to: path)
    }
}
