import Foundation
import Logging
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
/// delivery are skipped: their key is gone. A failing send is retried from the log, so a relay outage
/// delays later messages rather than losing any.
struct OutboxDelivery: Service {
    let postern: Postern
    let logger: Logger
    static let subscriber = "outbox-delivery"

    func run() async throws {
        let sink = FileMessageSink(path: postern.configuration.outboxFile)
        let mailer = try postern.configuration.smtpURL.map { try SMTPMailer(url: $0, from: postern.configuration.smtpFrom) }
        let senders = CustomSenders(postern: postern, logger: logger)
        let subscription = Subscription(name: Self.subscriber, store: postern.store, types: [MessageQueued.eventType]) { event in
            let queued = try event.payload(as: MessageQueued.self)
            guard let key = try await postern.dataKey(of: Sub(event.streamEntityID)) else {
                logger.info("message skipped: recipient deleted", metadata: ["message_id": "\(queued.messageId)"])
                return
            }
            let message = try key.open(queued.sealedMessage, as: OutboundMessage.self)
            if let pool = try? await postern.directory.pool(queued.poolId.rawValue),
                let arn = CustomSenders.arn(pool: pool, medium: queued.deliveryMedium)
            {
                try await senders.send(queued, message: message, event: event, pool: pool, arn: arn)
                return
            }
            if let mailer, queued.deliveryMedium == "EMAIL" {
                try await mailer.send(
                    to: message.destination, subject: message.subject ?? "", body: message.message, messageID: queued.messageId)
            } else {
                try sink.deliver(queued: queued, message: message)
            }
            logger.info(
                "message delivered",
                metadata: ["message_id": "\(queued.messageId)", "kind": "\(queued.kind)", "transport": "\(mailer != nil && queued.deliveryMedium == "EMAIL" ? "smtp" : "file")"])
        }
        try await cancelWhenGracefulShutdown {
            await subscription.run(logger: logger)
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
