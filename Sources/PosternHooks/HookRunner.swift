import Foundation
import Logging
import PosternCore
import Subprocess

#if canImport(System)
    import System
#else
    import SystemPackage
#endif

/// Runs a hook: the trigger event JSON on stdin, the answered event on stdout (spawn mode), or one
/// call on a long-lived worker process of the function (worker mode, `HookWorker`).
///
/// Each run gets a clean environment (no database URL, master key or admin secret: only PATH, LANG,
/// HOME and the function's declared variables), the plugins directory as working directory, its own
/// process group, a timeout after which the whole group is killed, and a cap on its output. A bounded
/// number of hooks run at once, so slow hooks queue instead of exhausting the server.
public struct HookRunner: Sendable {
    public let workingDirectory: URL
    public let outputLimit: Int
    /// Spawned hooks running at once are bounded by these slots.
    let slots: Lender<Int>
    let workers: WorkerPools
    /// Receives what hooks write to stderr, line by line, at debug level: hooks may print the events
    /// they get, which can hold passwords and codes, so it stays out of an info-level log.
    let logger: Logger?

    public init(workingDirectory: URL, maxConcurrent: Int = 16, outputLimit: Int = 1 << 20, logger: Logger? = nil) {
        self.workingDirectory = workingDirectory
        self.outputLimit = outputLimit
        self.logger = logger
        slots = Lender(Array(0..<max(maxConcurrent, 1)))
        workers = WorkerPools(workingDirectory: workingDirectory, outputLimit: outputLimit, logger: logger)
    }

    static func log(stderr line: Substring, of function: String, to logger: Logger?) {
        logger?.debug("\(line)", metadata: ["hook": "\(function)"])
    }

    /// The variables a hook sees: no secret of the server, the Lambda variables a handler may read, and
    /// the mode, so a shim knows whether to answer one event or serve a stream of them.
    static func environment(for function: HookFunction, mode: String) -> [Environment.Key: String] {
        let timeout = function.timeout.components
        var variables: [Environment.Key: String] = [
            "PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": NSTemporaryDirectory(),
            "AWS_LAMBDA_FUNCTION_NAME": function.name,
            "AWS_LAMBDA_FUNCTION_TIMEOUT": String(Double(timeout.seconds) + Double(timeout.attoseconds) / 1e18),
            "POSTERN_HOOK_MODE": mode,
        ]
        for (key, value) in function.environment { variables[Environment.Key(stringLiteral: key)] = value }
        return variables
    }

    /// Runs `function` with `event` and returns the event it wrote back (which must hold a `response`
    /// object). A call that times out is made again while the function's `attempts` allow.
    public func invoke(_ function: HookFunction, event: JSONValue) async throws(HookError) -> JSONValue {
        var attempt = 1
        while true {
            do {
                return try await invokeOnce(function, event: event)
            } catch {
                guard case .timedOut = error, attempt < function.attempts else { throw error }
                attempt += 1
            }
        }
    }

    /// One call within the function's timeout, which covers waiting for a free slot or worker too.
    private func invokeOnce(_ function: HookFunction, event: JSONValue) async throws(HookError) -> JSONValue {
        let deadline = ContinuousClock.now + function.timeout
        if let count = function.workers {
            return try await workers.pool(for: function, count: count).call(event, deadline: deadline).get()
        }
        let input: [UInt8]
        do { input = Array(try JSONEncoder().encode(event)) } catch { throw .invalidOutput("event not encodable") }
        guard let slot = await slots.borrow(until: deadline) else { throw .timedOut(function.name) }
        defer { Task { await slots.giveBack(slot) } }
        var budgeted = function
        budgeted.timeout = deadline - ContinuousClock.now
        guard budgeted.timeout > .zero else { throw .timedOut(function.name) }
        let outcome = try await spawn(budgeted, input: input)
        if logger != nil {
            for line in String(decoding: outcome.stderr, as: UTF8.self).split(whereSeparator: \.isNewline) {
                Self.log(stderr: line, of: function.name, to: logger)
            }
        }
        return try Self.interpret(outcome, function: function)
    }

    struct Outcome {
        var status: TerminationStatus
        var stdout: [UInt8]
        var stderr: [UInt8]
        var timedOut: Bool
        var tooLarge: Bool
    }

    /// Runs the hook once and waits for it to exit, but never past its timeout.
    ///
    /// The deadline covers the process, not its pipes: a hook that closes stdout and stderr (or hands
    /// them to nobody) and keeps running is still killed, with its whole process group, when the time
    /// is up. Whatever the hook left behind in its group when it exited is killed too, as Lambda freezes
    /// an execution environment once the handler returns. (A child that leaves the group with setsid(2)
    /// escapes the group kill; a cgroup would catch it.)
    func spawn(_ function: HookFunction, input: [UInt8]) async throws(HookError) -> Outcome {
        var options = PlatformOptions()
        options.processGroupID = 0  // its own group, so a timeout kills everything the hook started
        let limit = outputLimit
        let deadline = ContinuousClock.now + function.timeout
        let group = ProcessGroup()
        let configuration = Configuration(
            executable: .path(FilePath(function.executable)), arguments: Arguments(function.arguments),
            environment: .custom(Self.environment(for: function, mode: "spawn")), workingDirectory: FilePath(workingDirectory.path),
            platformOptions: options)
        do {
            return try await withThrowingTaskGroup(of: Outcome?.self) { tasks in
                tasks.addTask {
                    // A file, not a pipe: see HookInputFile. Made here, right before `run`, which closes it once
                    // the child holds it, so no path leaves it open.
                    let stdin = try HookInputFile.make(input)
                    let result = try await run(
                        configuration, input: .fileDescriptor(stdin, closeAfterSpawningProcess: true), output: .sequence, error: .sequence
                    ) { execution in
                        group.started(execution.processIdentifier.value)
                        return try await Self.collect(execution, limit: limit, killing: group)
                    }
                    group.killRemaining()
                    let streams = result.closureResult
                    return Outcome(
                        status: result.terminationStatus, stdout: streams.stdout, stderr: streams.stderr, timedOut: false,
                        tooLarge: streams.tooLarge)
                }
                tasks.addTask {
                    try await Task.sleep(until: deadline, clock: .continuous)
                    return nil
                }
                let first: Outcome??
                do { first = try await tasks.next() } catch {
                    group.killRemaining()
                    throw error
                }
                if case .some(.some(let outcome)) = first {
                    tasks.cancelAll()
                    return outcome
                }
                // The deadline passed first: kill the group, then wait for `run` to reap the hook.
                group.killRemaining()
                while let next = try await tasks.next() {
                    if var outcome = next {
                        outcome.timedOut = true
                        return outcome
                    }
                }
                throw HookError.timedOut(function.name)
            }
        } catch let error as HookError {
            throw error
        } catch {
            group.killRemaining()
            throw .launchFailed("\(function.name): \(error)")
        }
    }

    /// Reads stdout (up to `limit`) and stderr (up to 64 KiB) to their ends; kills the group on overflow.
    static func collect<Input: InputProtocol>(
        _ execution: Execution<Input, SequenceOutput, SequenceOutput>, limit: Int, killing group: ProcessGroup
    ) async throws -> (stdout: [UInt8], stderr: [UInt8], tooLarge: Bool) {
        try await withThrowingTaskGroup(of: Stream.self) { streams in
            streams.addTask { try await Stream.collect(execution.standardOutput, limit: limit, kind: .stdout) }
            streams.addTask { try await Stream.collect(execution.standardError, limit: 64 << 10, kind: .stderr) }
            var stdout: [UInt8] = [], stderr: [UInt8] = []
            var tooLarge = false
            while let stream = try await streams.next() {
                switch stream.kind {
                case .stdout:
                    stdout = stream.bytes
                    tooLarge = stream.overflowed
                case .stderr:
                    stderr = stream.bytes
                }
                if tooLarge {
                    group.killRemaining()
                    streams.cancelAll()
                    break
                }
            }
            return (stdout, stderr, tooLarge)
        }
    }

    /// The process group of one spawned hook (its id is the hook's pid), to kill as a whole.
    final class ProcessGroup: @unchecked Sendable {
        private let lock = NSLock()
        private var id: pid_t?

        func started(_ pid: pid_t) { lock.withLock { id = pid } }

        /// SIGKILL to every process left in the group; a no-op once the group is empty.
        ///
        /// Safe after the leader was reaped: Linux does not hand out a pid that is still some group's id.
        func killRemaining() {
            lock.withLock {
                if let id { _ = kill(-id, SIGKILL) }
            }
        }
    }

    /// One output stream read to its end (or to the limit).
    struct Stream: Sendable {
        enum Kind { case stdout, stderr }
        var kind: Kind
        var bytes: [UInt8]
        var overflowed: Bool

        static func collect(_ sequence: SubprocessOutputSequence, limit: Int, kind: Kind) async throws -> Stream {
            var bytes: [UInt8] = []
            for try await buffer in sequence {
                buffer.withUnsafeBytes { bytes.append(contentsOf: $0) }
                if bytes.count > limit { return Stream(kind: kind, bytes: [], overflowed: true) }
            }
            return Stream(kind: kind, bytes: bytes, overflowed: false)
        }
    }

    /// Maps how the hook ended to its answer or to Cognito's error classes.
    static func interpret(_ outcome: Outcome, function: HookFunction) throws(HookError) -> JSONValue {
        if outcome.timedOut { throw .timedOut(function.name) }
        if outcome.tooLarge { throw .invalidOutput("output larger than the limit") }
        let parsed = try? JSONValue.parse(Data(outcome.stdout))
        guard case .exited(0) = outcome.status else {
            if let message = parsed?["errorMessage"]?.stringValue, !message.isEmpty { throw .rejected(message) }
            let lastLine = String(decoding: outcome.stderr, as: UTF8.self).split(whereSeparator: \.isNewline)
                .last { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
            if let lastLine { throw .rejected(String(lastLine).trimmingCharacters(in: .whitespaces)) }
            throw .crashed("\(outcome.status)")
        }
        guard let parsed else { throw .invalidOutput("stdout is not a JSON object") }
        return try answer(parsed)
    }

    /// Checks that a hook's answer is the event with a `response` object (only `response` is read).
    static func answer(_ event: JSONValue) throws(HookError) -> JSONValue {
        guard case .object = event else { throw .invalidOutput("the answer is not a JSON object") }
        guard let response = event["response"], response.objectValue != nil || response.isNull else {
            throw .invalidOutput("the event has no response object")
        }
        return event
    }

    /// Stops every worker process (their stdin is closed).
    public func shutdown() async {
        await workers.shutdown()
    }
}

/// Lends a fixed set of items (spawn slots, worker processes) one borrower at a time. A borrower
/// waits its turn, but not past its deadline: a queued hook call fails as timed out instead of
/// waiting behind slow ones for ever.
actor Lender<Item: Sendable> {
    private var idle: [Item]
    private var waiters: [(id: Int, continuation: CheckedContinuation<Item?, Never>, timer: Task<Void, Never>)] = []
    private var nextId = 0

    init(_ items: [Item]) { idle = items }

    func borrow(until deadline: ContinuousClock.Instant) async -> Item? {
        if let item = idle.popLast() { return item }
        nextId += 1
        let id = nextId
        return await withCheckedContinuation { continuation in
            let timer = Task {
                guard (try? await Task.sleep(until: deadline, clock: .continuous)) != nil else { return }
                self.expire(id)
            }
            waiters.append((id, continuation, timer))
        }
    }

    func giveBack(_ item: Item) {
        guard !waiters.isEmpty else { return idle.append(item) }
        let waiter = waiters.removeFirst()
        waiter.timer.cancel()
        waiter.continuation.resume(returning: item)
    }

    private func expire(_ id: Int) {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return }
        waiters.remove(at: index).continuation.resume(returning: nil)
    }
}
