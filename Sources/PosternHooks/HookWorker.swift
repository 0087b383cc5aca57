import Foundation
import Logging
import PosternCore
import Subprocess
#if canImport(System)
import System
#else
import SystemPackage
#endif

/// One long-lived hook process in worker mode, speaking newline-delimited JSON: `{"id", "event"}` in
/// (in that order), `{"id", "result"}` or `{"id", "error"}` out, one call at a time.
///
/// A worker that crashes, times out or breaks the protocol is killed (its whole process group) and
/// started afresh on the next call; each process is a new *generation*, so late news from a dead
/// process never touches the current one.
actor HookWorker {
    let function: HookFunction
    let workingDirectory: URL
    let outputLimit: Int
    let logger: Logger?

    private struct Running {
        var writer: StandardInputWriter
        var kill: @Sendable () -> Void
    }

    private var generation = 0
    private var running: Running?
    private var starting: [CheckedContinuation<Result<Void, HookError>, Never>] = []
    private var pending: (id: String, reply: CheckedContinuation<Result<JSONValue, HookError>, Never>)?
    private var deadline: Task<Void, Never>?
    private var lastErrorLine = ""
    private var nextCall = 0

    /// How long a new worker may take to start, on top of its first call's timeout (Lambda's init limit).
    static let startupAllowance: Duration = .seconds(10)

    init(function: HookFunction, workingDirectory: URL, outputLimit: Int, logger: Logger?) {
        self.function = function
        self.workingDirectory = workingDirectory
        self.outputLimit = outputLimit
        self.logger = logger
    }

    /// Sends one event and waits for its answer, the timeout, or the process's death.
    func call(_ event: JSONValue, timeout: Duration) async -> Result<JSONValue, HookError> {
        var timeout = timeout
        if running == nil {
            if case .failure(let error) = await start() { return .failure(error) }
            // A cold start (interpreter, imports) does not count toward the call's timeout; as in Lambda's
            // init phase, it has a limit of its own.
            timeout += Self.startupAllowance
        }
        guard let running else { return .failure(.crashed("\(function.name): worker exited during start")) }
        nextCall += 1
        let id = String(nextCall)
        // Written by hand so `id` always comes first: a worker as small as one `sed` can answer.
        let line: [UInt8]
        do {
            line = Array(#"{"id":"\#(id)","event":"#.utf8) + Array(try JSONEncoder().encode(event)) + Array("}\n".utf8)
        } catch {
            return .failure(.invalidOutput("event not encodable"))
        }
        let current = generation
        return await withCheckedContinuation { reply in
            pending = (id, reply)
            Task {
                do { _ = try await running.writer.write(line) } catch { await self.died(generation: current, status: nil) }
            }
            deadline = Task {
                guard (try? await Task.sleep(for: timeout)) != nil else { return }
                await self.expire(id: id, generation: current)
            }
        }
    }

    /// Answers the pending call (if any) and stops its deadline.
    private func settle(_ result: Result<JSONValue, HookError>) {
        deadline?.cancel()
        deadline = nil
        pending?.reply.resume(returning: result)
        pending = nil
    }

    /// Stops the process: its stdin is closed, which a well-behaved worker treats as the end.
    func shutdown() async {
        guard let running else { return }
        self.running = nil
        generation += 1
        try? await running.writer.finish()
    }

    private func start() async -> Result<Void, HookError> {
        generation += 1
        lastErrorLine = ""
        let current = generation
        let function = function, directory = workingDirectory, limit = outputLimit, logger = logger
        Task { [weak self] in
            var options = PlatformOptions()
            options.processGroupID = 0
            do {
                let result = try await run(
                    .path(FilePath(function.executable)), arguments: Arguments(function.arguments),
                    environment: .custom(HookRunner.environment(for: function, mode: "worker")), workingDirectory: FilePath(directory.path),
                    platformOptions: options, input: .inputWriter, output: .sequence, error: .sequence
                ) { execution in
                    let kill: @Sendable () -> Void = { try? execution.send(signal: .kill, toProcessGroup: true) }
                    await self?.attach(Running(writer: execution.standardInputWriter, kill: kill), generation: current)
                    async let errors: Void = Self.follow(execution.standardError, of: function.name, logger: logger, into: self, generation: current)
                    let complete = try? await Self.forEachLine(of: execution.standardOutput, limit: limit) { line in
                        await self?.received(line, generation: current)
                    }
                    if complete == false { await self?.protocolBroken("output line larger than the limit", generation: current) }
                    kill()
                    try? await errors
                }
                await self?.died(generation: current, status: "\(result.terminationStatus)")
            } catch {
                await self?.launchFailed("\(function.name): \(error)", generation: current)
            }
        }
        return await withCheckedContinuation { starting.append($0) }
    }

    /// Keeps the last non-empty stderr line: the message of a worker that dies without answering.
    private static func follow(_ stream: SubprocessOutputSequence, of name: String, logger: Logger?, into worker: HookWorker?, generation: Int)
        async throws
    {
        _ = try await forEachLine(of: stream, limit: 64 << 10) { line in
            HookRunner.log(stderr: Substring(line), of: name, to: logger)
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if !trimmed.isEmpty { await worker?.noteError(trimmed, generation: generation) }
        }
    }

    /// Calls `body` with each `\n`-terminated line of `stream`; false when a line outgrows `limit`.
    ///
    /// Written by hand: swift-subprocess's `strings(separatedBy:)` matches separators one code unit at a
    /// time through unspecialized generics, which cost about a millisecond of CPU per worker answer.
    private static func forEachLine(of stream: SubprocessOutputSequence, limit: Int, _ body: (String) async -> Void) async throws -> Bool {
        var pending: [UInt8] = []
        for try await buffer in stream {
            buffer.withUnsafeBytes { pending.append(contentsOf: $0) }
            var start = pending.startIndex
            while let newline = pending[start...].firstIndex(of: 0x0A) {
                await body(String(decoding: pending[start..<newline], as: UTF8.self))
                start = newline + 1
            }
            pending.removeSubrange(..<start)
            if pending.count > limit { return false }
        }
        return true
    }

    private func noteError(_ line: String, generation: Int) {
        if generation == self.generation { lastErrorLine = line }
    }

    private func attach(_ process: Running, generation: Int) {
        guard generation == self.generation else {
            process.kill()
            return
        }
        running = process
        for waiter in starting { waiter.resume(returning: .success(())) }
        starting = []
    }

    private func launchFailed(_ detail: String, generation: Int) {
        guard generation == self.generation else { return }
        for waiter in starting { waiter.resume(returning: .failure(.launchFailed(detail))) }
        starting = []
    }

    private func received(_ line: String, generation: Int) {
        guard generation == self.generation else { return }
        guard let id = pending?.id else {
            return protocolBroken("an answer nobody asked for", generation: generation)
        }
        guard let message = try? JSONValue.parse(Data(line.utf8)), message["id"]?.stringValue == id else {
            return protocolBroken("a line that is not the answer to call \(id)", generation: generation)
        }
        if let result = message["result"] {
            settle(Result { () throws(HookError) in try HookRunner.answer(result) })
        } else if let message = message["error"]?["errorMessage"]?.stringValue, !message.isEmpty {
            settle(.failure(.rejected(message)))
        } else {
            settle(.failure(.crashed("\(function.name): error without errorMessage")))
        }
    }

    /// The process broke the protocol: the pending call gets InvalidLambdaResponse, the process dies.
    private func protocolBroken(_ detail: String, generation: Int) {
        guard generation == self.generation else { return }
        settle(.failure(.invalidOutput(detail)))
        retire()
    }

    private func expire(id: String, generation: Int) {
        guard generation == self.generation, pending?.id == id else { return }
        settle(.failure(.timedOut(function.name)))
        retire()
    }

    private func died(generation: Int, status: String?) {
        guard generation == self.generation else { return }
        running = nil
        self.generation += 1
        for waiter in starting { waiter.resume(returning: .failure(.launchFailed("\(function.name): exited during start"))) }
        starting = []
        if pending != nil {
            settle(.failure(lastErrorLine.isEmpty ? .crashed("\(function.name) exited (\(status ?? "?"))") : .rejected(lastErrorLine)))
        }
    }

    /// Kills the current process group; the next call starts a new process.
    private func retire() {
        running?.kill()
        running = nil
        generation += 1
    }
}

/// The N workers of one function: a call takes an idle worker or waits for one until its deadline.
final class WorkerPool: Sendable {
    let function: HookFunction
    private let workers: [HookWorker]
    private let lender: Lender<HookWorker>

    init(function: HookFunction, count: Int, workingDirectory: URL, outputLimit: Int, logger: Logger?) {
        self.function = function
        workers = (0..<max(1, count)).map { _ in
            HookWorker(function: function, workingDirectory: workingDirectory, outputLimit: outputLimit, logger: logger)
        }
        lender = Lender(workers)
    }

    func call(_ event: JSONValue, deadline: ContinuousClock.Instant) async -> Result<JSONValue, HookError> {
        guard let worker = await lender.borrow(until: deadline) else { return .failure(.timedOut(function.name)) }
        let remaining = deadline - ContinuousClock.now
        let result = remaining > .zero ? await worker.call(event, timeout: remaining) : .failure(.timedOut(function.name))
        await lender.giveBack(worker)
        return result
    }

    func shutdown() async {
        for worker in workers { await worker.shutdown() }
    }
}

/// The worker pools of all functions, created on first use and replaced when a declaration changes.
actor WorkerPools {
    private var pools: [String: WorkerPool] = [:]
    let workingDirectory: URL
    let outputLimit: Int
    let logger: Logger?

    init(workingDirectory: URL, outputLimit: Int, logger: Logger?) {
        self.workingDirectory = workingDirectory
        self.outputLimit = outputLimit
        self.logger = logger
    }

    func pool(for function: HookFunction, count: Int) async -> WorkerPool {
        if let pool = pools[function.name], pool.function == function { return pool }
        if let stale = pools[function.name] { await stale.shutdown() }
        let pool = WorkerPool(function: function, count: count, workingDirectory: workingDirectory, outputLimit: outputLimit, logger: logger)
        pools[function.name] = pool
        return pool
    }

    func shutdown() async {
        for pool in pools.values { await pool.shutdown() }
        pools = [:]
    }
}
