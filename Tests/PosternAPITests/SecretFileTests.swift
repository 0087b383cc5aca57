import Foundation
import PosternCore
import Testing

@testable import PosternAPI

/// The master key and the outbox are owner-only from their first byte, whatever the umask.
@Suite(.serialized) struct SecretFileTests {
    let root: String

    init() throws {
        root = NSTemporaryDirectory() + "postern-secret-\(UUID().uuidString)"
    }

    static func mode(_ path: String) -> mode_t {
        var info = stat()
        return stat(path, &info) == 0 ? info.st_mode & 0o7777 : 0
    }

    /// Runs `body` with umask 0, which would leave files 0666 and directories 0777 if the mode were left to it.
    static func withUmaskZero<T>(_ body: () throws -> T) rethrows -> T {
        let previous = umask(0)
        defer { umask(previous) }
        return try body()
    }

    @Test("a generated master key is 0600 in a new 0700 directory, with umask 0")
    func masterKeyFileIsOwnerOnly() throws {
        let path = root + "/state/master.key"
        let resolver = try SettingsResolver(flags: ["master_key_file": path], environment: [:])
        _ = try Self.withUmaskZero { try resolver.masterKey(generate: true, required: true) }
        #expect(Self.mode(path) == 0o600)
        #expect(Self.mode(root + "/state") == 0o700)
        #expect(Self.mode(root) == 0o700, "missing parents are created 0700 too")
        let written = try String(contentsOfFile: path, encoding: .utf8)
        _ = try resolver.masterKey(generate: true, required: true)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == written, "read back on the next start, not replaced")
    }

    @Test("a symlink planted where the key will be written is not followed")
    func symlinkAtTheKeyPathIsRefused() throws {
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let target = root + "/elsewhere"
        let path = root + "/master.key"
        try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: target)
        #expect(throws: SecretFile.Failure.self) { try SecretFile.create(path, contents: Array("secret".utf8)) }
        #expect(!FileManager.default.fileExists(atPath: target), "nothing was written through the link")
    }

    @Test("the outbox file is created 0600 in a 0700 directory with umask 0, and an existing 0644 one is narrowed")
    func outboxFileIsOwnerOnly() throws {
        let path = root + "/outbox/outbox.jsonl"
        let sink = FileMessageSink(path: path)
        let queued = MessageQueued(messageId: "m1", poolId: "us-east-1_abc", kind: "SignUp", deliveryMedium: "EMAIL", sealedMessage: .ciphertext(""))
        let message = OutboundMessage(username: "alice", destination: "alice@example.com", subject: "s", message: "Code 123456", code: "123456")
        try Self.withUmaskZero { try sink.deliver(queued: queued, message: message) }
        #expect(Self.mode(path) == 0o600)
        #expect(Self.mode(root + "/outbox") == 0o700)

        let loose = root + "/outbox/loose.jsonl"
        #expect(FileManager.default.createFile(atPath: loose, contents: nil, attributes: [.posixPermissions: 0o644]))
        try FileMessageSink(path: loose).deliver(queued: queued, message: message)
        try FileMessageSink(path: loose).deliver(queued: queued, message: message)
        #expect(Self.mode(loose) == 0o600)
        let lines = try String(contentsOfFile: loose, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 2, "appended, one line per message")
    }

    @Test("an existing directory others can enter is reported, not silently used")
    func looseDirectoryIsWarnedAbout() throws {
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        chmod(root, 0o755)
        let warning = try SecretFile.prepareDirectory(for: root + "/master.key")
        #expect(warning?.contains("0700") == true)
        chmod(root, 0o700)
        #expect(try SecretFile.prepareDirectory(for: root + "/master.key") == nil)
    }
}
