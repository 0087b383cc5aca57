import Foundation
import Logging
import PosternCore
import PosternCrypto
import PosternStore
import ServiceLifecycle

/// Delivers queued messages (`MessageQueued`) from the committed log to the file sink, at least once.
///
/// Each line carries the message id, so a consumer can drop the duplicate a crash between writing and
/// checkpointing may cause. Messages of users deleted before delivery are skipped: their key is gone.
struct OutboxDelivery: Service {
    let postern: Postern
    let logger: Logger
    static let subscriber = "outbox-delivery"

    func run() async throws {
        let sink = FileMessageSink(path: postern.configuration.outboxFile)
        let subscription = Subscription(name: Self.subscriber, store: postern.store) { event in
            guard event.type == MessageQueued.eventType else { return }
            let queued = try event.payload(as: MessageQueued.self)
            guard let key = try await postern.dataKey(of: Sub(event.streamEntityID)) else {
                logger.info("message skipped: recipient deleted", metadata: ["message_id": "\(queued.messageId)"])
                return
            }
            let message = try key.open(queued.sealedMessage, as: OutboundMessage.self)
            try sink.deliver(queued: queued, message: message)
            logger.info("message delivered", metadata: ["message_id": "\(queued.messageId)", "kind": "\(queued.kind)"])
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
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        if !FileManager.default.fileExists(atPath: path) {
            FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600])
        }
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: data)
    }
}
