import Foundation
import NIOCore
import NIOPosix
import PosternCore

/// Sends mail to an SMTP relay (RFC 5321): EHLO, MAIL FROM, RCPT TO, DATA, QUIT.
///
/// Hand-written because no package in our offline set speaks SMTP. It talks plain SMTP without AUTH,
/// which is what a local relay (postfix, an MTA sidecar) expects; TLS and credentials belong to that
/// relay. URL form: `smtp://host:port`.
struct SMTPMailer: Sendable {
    let host: String
    let port: Int
    let from: String
    let heloName: String
    let timeout: Duration = .seconds(15)

    init(url: String, from: String) throws {
        guard let components = URLComponents(string: url), components.scheme == "smtp", let host = components.host, !host.isEmpty else {
            throw ConfigurationError("POSTERN_SMTP_URL must look like smtp://host:port (plain SMTP to a relay)")
        }
        guard components.user == nil else {
            throw ConfigurationError("SMTP AUTH is not supported: point POSTERN_SMTP_URL at a relay that accepts this host")
        }
        guard Self.isHeaderSafe(from), Self.isEnvelopeSafe(from), from.contains("@") else {
            throw ConfigurationError("POSTERN_SMTP_FROM must be an email address")
        }
        self.host = host
        self.port = components.port ?? 25
        self.from = from
        heloName = ProcessInfo.processInfo.hostName.isEmpty ? "postern.local" : ProcessInfo.processInfo.hostName
    }

    enum SMTPError: Error, Equatable, CustomStringConvertible {
        case rejected(stage: String, code: Int)
        case connectionClosed(stage: String)
        case unsafeHeader

        var description: String {
            switch self {
            case .rejected(let stage, let code): "SMTP relay answered \(code) to \(stage)"
            case .connectionClosed(let stage): "SMTP relay closed the connection during \(stage)"
            case .unsafeHeader: "a header value or address contains a control character"
            }
        }
    }

    /// Whether `value` may go into a header as it is: no C0 control character but HT (legal white space
    /// in a header; CR and LF would start a new header or the body) and no DEL.
    static func isHeaderSafe(_ value: String) -> Bool {
        value.unicodeScalars.allSatisfy { $0 == "\t" || ($0.value >= 0x20 && $0.value != 0x7F) }
    }

    /// Whether an address may go into `MAIL FROM:<…>` / `RCPT TO:<…>`: no white space (which would start
    /// an ESMTP parameter), no angle bracket, no control character.
    static func isEnvelopeSafe(_ address: String) -> Bool {
        isHeaderSafe(address) && !address.unicodeScalars.contains { $0 == " " || $0 == "\t" || $0 == "<" || $0 == ">" }
    }

    /// Sends one plain-text message, or throws (see `OutboxDelivery` for what is retried).
    func send(to recipient: String, subject: String, body: String, messageID: String) async throws {
        guard Self.isHeaderSafe(recipient), Self.isEnvelopeSafe(recipient), Self.isHeaderSafe(subject) else { throw SMTPError.unsafeHeader }
        let message = compose(to: recipient, subject: subject, body: body, messageID: messageID)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await converse(recipient: recipient, message: message) }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw SMTPError.connectionClosed(stage: "timeout")
            }
            try await group.next()
            group.cancelAll()
        }
    }

    func converse(recipient: String, message: String) async throws {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(10))
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
            }
        try await channel.executeThenClose { inbound, outbound in
            var replies = ReplyReader(iterator: inbound.makeAsyncIterator())
            func step(_ command: String?, _ stage: String, expect: Set<Int>) async throws {
                if let command { try await outbound.write(ByteBuffer(string: command + "\r\n")) }
                let code = try await replies.next(stage: stage)
                guard expect.contains(code) else { throw SMTPError.rejected(stage: stage, code: code) }
            }
            try await step(nil, "greeting", expect: [220])
            try await step("EHLO \(heloName)", "EHLO", expect: [250])
            try await step("MAIL FROM:<\(from)>", "MAIL FROM", expect: [250])
            try await step("RCPT TO:<\(recipient)>", "RCPT TO", expect: [250, 251])
            try await step("DATA", "DATA", expect: [354])
            try await step(message + "\r\n.", "message", expect: [250])
            try? await step("QUIT", "QUIT", expect: [221])
        }
    }

    /// Headers and a CRLF-normalised, dot-stuffed UTF-8 body (without the final `CRLF.CRLF`).
    func compose(to recipient: String, subject: String, body: String, messageID: String) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        let encodedSubject = subject.allSatisfy(\.isASCII) ? subject : "=?UTF-8?B?\(Data(subject.utf8).base64EncodedString())?="
        let lines = Self.lines(of: body).map { $0.hasPrefix(".") ? "." + $0 : $0 }
        return [
            "From: \(from)", "To: \(recipient)", "Subject: \(encodedSubject)", "Date: \(formatter.string(from: Date()))",
            "Message-ID: <\(messageID)@\(heloName)>", "MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: 8bit", "",
        ].joined(separator: "\r\n") + "\r\n" + lines.joined(separator: "\r\n")
    }

    /// The body's lines, split at CRLF and at every bare CR and bare LF.
    ///
    /// SMTP smuggling: a receiver that takes `\r.\r` or `\n.\n` for the end of the data would read what
    /// follows as new commands (another MAIL FROM, another recipient). Splitting at every bare CR and LF
    /// before dot-stuffing leaves the wire with CRLF line ends only, so the only end of data is ours.
    static func lines(of body: String) -> [String] {
        var lines: [String] = []
        var line = String.UnicodeScalarView()
        var previousWasCR = false
        for scalar in body.unicodeScalars {
            switch scalar {
            case "\r":
                lines.append(String(line))
                line = .init()
                previousWasCR = true
                continue
            case "\n":
                if !previousWasCR {
                    lines.append(String(line))
                    line = .init()
                }
            default:
                line.append(scalar)
            }
            previousWasCR = false
        }
        lines.append(String(line))
        return lines
    }

    /// Reads SMTP replies (possibly multi-line: `250-…` continues, `250 …` ends) and returns their code.
    struct ReplyReader {
        var iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
        var pending = ""

        mutating func next(stage: String) async throws -> Int {
            while true {
                while let range = pending.range(of: "\r\n") {
                    let line = String(pending[..<range.lowerBound])
                    pending.removeSubrange(..<range.upperBound)
                    let characters = Array(line)
                    guard characters.count >= 3, let code = Int(String(characters[0..<3])) else { continue }
                    if characters.count == 3 || characters[3] == " " { return code }
                }
                guard var buffer = try await iterator.next() else { throw SMTPError.connectionClosed(stage: stage) }
                pending += buffer.readString(length: buffer.readableBytes) ?? ""
            }
        }
    }
}
