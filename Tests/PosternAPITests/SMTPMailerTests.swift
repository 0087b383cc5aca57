import Foundation
import Testing

@testable import PosternAPI

/// SMTP smuggling and header injection: what `SMTPMailer` puts on the wire.
@Suite struct SMTPMailerTests {
    let mailer: SMTPMailer

    init() throws {
        mailer = try SMTPMailer(url: "smtp://127.0.0.1:1", from: "accounts@example.org")
    }

    /// The DATA section as sent: composed message plus the terminating `CRLF.CRLF`.
    func wire(_ body: String) -> String {
        mailer.compose(to: "alice@example.com", subject: "Code", body: body, messageID: "m1") + "\r\n.\r\n"
    }

    /// The body a receiver reads back: after the header block, un-dot-stuffed, lines split at CRLF.
    static func receivedLines(_ wire: String) -> [String] {
        let body = wire.components(separatedBy: "\r\n\r\n").dropFirst().joined(separator: "\r\n\r\n")
        var lines = body.components(separatedBy: "\r\n")
        lines.removeLast(2)  // the "." line and the empty string after the final CRLF
        return lines.map { $0.hasPrefix(".") ? String($0.dropFirst()) : $0 }
    }

    @Test(
        "every bare CR and bare LF becomes CRLF before dot-stuffing, so no end of data can be smuggled",
        arguments: [
            ("Code 1\r.\rMAIL FROM:<evil@example.net>\r", ["Code 1", ".", "MAIL FROM:<evil@example.net>", ""]),
            ("a\n.\nb", ["a", ".", "b"]),
            ("a\r\n.\r\nb", ["a", ".", "b"]),
            ("lone\rcr", ["lone", "cr"]),
            ("\r\r\n\n.", ["", "", "", "."]),
            ("..leading\n.", ["..leading", "."]),
        ]
    )
    func bareLineBreaksAreNormalised(body: String, lines: [String]) {
        let wire = wire(body)
        let bytes = Array(wire.utf8)
        for (index, byte) in bytes.enumerated() {
            if byte == 0x0D { #expect(index + 1 < bytes.count && bytes[index + 1] == 0x0A, "a CR not followed by LF at \(index)") }
            if byte == 0x0A { #expect(index > 0 && bytes[index - 1] == 0x0D, "an LF not preceded by CR at \(index)") }
        }
        let terminator = wire.range(of: "\r\n.\r\n")
        #expect(terminator?.upperBound == wire.endIndex, "the only end of data is the last one")
        #expect(Self.receivedLines(wire) == lines)
    }

    @Test(
        "header values refuse every C0 control character but HT, and DEL",
        arguments: ["a\u{0}b", "a\rb", "a\nb", "a\u{1B}[2Jb", "a\u{7F}b", "a\u{0B}b", "a\u{0C}b"]
    )
    func controlCharactersInHeadersAreRefused(value: String) async {
        #expect(!SMTPMailer.isHeaderSafe(value))
        await #expect(throws: SMTPMailer.SMTPError.unsafeHeader) {
            try await mailer.send(to: "alice@example.com", subject: value, body: "x", messageID: "m1")
        }
    }

    @Test("a tab, as in a folded header, and non-ASCII text are fine in a subject")
    func tabAndUnicodeAreAllowed() {
        #expect(SMTPMailer.isHeaderSafe("Your\tcode"))
        #expect(SMTPMailer.isHeaderSafe("Votre code — ünïcode"))
    }

    @Test(
        "an envelope address cannot carry ESMTP parameters or close its brackets",
        arguments: ["a@b.example> NOTIFY=NEVER", "a@b.example\tSIZE=1", "<a@b.example", "a@b\r\nRCPT TO:<c@d.example>"]
    )
    func envelopeInjectionIsRefused(address: String) async {
        #expect(!SMTPMailer.isEnvelopeSafe(address))
        await #expect(throws: SMTPMailer.SMTPError.unsafeHeader) {
            try await mailer.send(to: address, subject: "Code", body: "x", messageID: "m1")
        }
    }
}
