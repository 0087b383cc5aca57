import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Files that hold secrets (the master key, the outbox with its codes): readable by the owner only
/// from their first byte, in a directory only the owner can enter.
///
/// Written with open(2) rather than `FileManager`: `createFile(atPath:attributes:)` writes the bytes
/// first and sets the mode afterwards, so for a moment the file has the umask's mode (0644 with the
/// usual 022), and it silently replaces a file or follows a symlink already at the path.
/// `O_CREAT | O_EXCL` refuses both, the mode is given at creation, and `fchmod` then sets it exactly,
/// whatever the umask (which can only take bits away).
enum SecretFile {
    /// Owner read/write.
    static let fileMode: mode_t = 0o600
    /// Owner only.
    static let directoryMode: mode_t = 0o700

    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ what: String, _ path: String, errno code: Int32 = errno) {
            description = "\(what) \(path): \(String(cString: strerror(code)))"
        }
    }

    /// Creates the directory that will hold `path` (and missing parents) with mode 0700. Returns a
    /// warning when the directory already existed and others may write to it or list it.
    @discardableResult
    static func prepareDirectory(for path: String) throws -> String? {
        let directory = (path as NSString).deletingLastPathComponent
        guard !directory.isEmpty else { return nil }
        return try prepare(directory: directory)
    }

    private static func prepare(directory: String) throws -> String? {
        if let attributes = try? FileManager.default.attributesOfItem(atPath: directory) {
            guard attributes[.type] as? FileAttributeType == .typeDirectory else {
                throw Failure("not a directory:", directory, errno: ENOTDIR)
            }
            let mode = (attributes[.posixPermissions] as? NSNumber)?.uint16Value ?? 0
            guard mode & 0o077 != 0 else { return nil }
            return "directory \(directory) is accessible to other users (mode \(String(mode, radix: 8))); use 0700"
        }
        let parent = (directory as NSString).deletingLastPathComponent
        if !parent.isEmpty, parent != directory { _ = try prepare(directory: parent) }
        guard mkdir(directory, directoryMode) == 0 || errno == EEXIST else { throw Failure("cannot create directory", directory) }
        guard chmod(directory, directoryMode) == 0 else { throw Failure("cannot set the mode of", directory) }
        return nil
    }

    /// Writes a new file with mode 0600; fails if anything (a file, a symlink) is already at `path`.
    static func create(_ path: String, contents: [UInt8]) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, fileMode)
        guard descriptor >= 0 else { throw Failure("cannot create", path) }
        defer { close(descriptor) }
        guard fchmod(descriptor, fileMode) == 0 else { throw Failure("cannot set the mode of", path) }
        try writeAll(contents, to: descriptor, path: path)
        guard fsync(descriptor) == 0 else { throw Failure("cannot sync", path) }
    }

    /// Appends `bytes` in one write (so concurrent appenders do not interleave lines), creating the
    /// file with mode 0600 if needed. An existing file of ours with a looser mode is narrowed to 0600.
    static func append(_ bytes: [UInt8], to path: String) throws {
        var descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, fileMode)
        if descriptor < 0, errno == EEXIST {
            descriptor = open(path, O_WRONLY | O_APPEND | O_CLOEXEC)
        }
        guard descriptor >= 0 else { throw Failure("cannot open", path) }
        defer { close(descriptor) }
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        let mode = (attributes?[.posixPermissions] as? NSNumber)?.uint16Value
        let owner = (attributes?[.ownerAccountID] as? NSNumber)?.uint32Value
        if attributes?[.type] as? FileAttributeType == .typeRegular, mode != UInt16(fileMode), owner == geteuid() {
            guard fchmod(descriptor, fileMode) == 0 else { throw Failure("cannot set the mode of", path) }
        }
        try writeAll(bytes, to: descriptor, path: path)
    }

    private static func writeAll(_ bytes: [UInt8], to descriptor: Int32, path: String) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { buffer in write(descriptor, buffer.baseAddress, buffer.count) }
            if written < 0, errno == EINTR { continue }
            guard written > 0 else { throw Failure("cannot write", path) }
            offset += written
        }
    }
}
