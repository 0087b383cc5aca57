import Foundation

#if canImport(System)
    import System
#else
    import SystemPackage
#endif

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The event a spawned hook reads on stdin, handed over as an unnamed file rather than a pipe.
///
/// Why not a pipe: swift-subprocess traps the whole server (`FileDescriptor … was not closed`,
/// swiftlang/swift-subprocess#367, open) when a child exits before it has read all of a piped input — a
/// hook that answers from the first bytes, or ignores stdin, would crash Postern. A file has no writer to
/// be left behind, and a hook may read as much or as little of it as it likes.
///
/// The event holds personal data, so the file lives in `/dev/shm` (memory, never disk) when there is one,
/// is created mode 0600 and unlinked at once: only the open descriptor, which the child inherits as its
/// stdin, keeps it alive.
enum HookInputFile {
    /// A descriptor open for reading at offset 0 over `bytes`.
    static func make(_ bytes: [UInt8]) throws(HookError) -> FileDescriptor {
        let directory = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        var template = Array("\(directory)/postern-hook-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw .launchFailed("cannot create the hook's input file (errno \(errno))") }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        let descriptor = FileDescriptor(rawValue: fd)
        do {
            _ = try descriptor.writeAll(bytes)
            _ = try descriptor.seek(offset: 0, from: .start)
        } catch {
            try? descriptor.close()
            throw .launchFailed("cannot write the hook's input file: \(error)")
        }
        return descriptor
    }
}
