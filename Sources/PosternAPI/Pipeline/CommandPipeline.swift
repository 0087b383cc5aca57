import Foundation
import Logging
import PosternCore
import PosternStore
import Synchronization

/// Runs every operation the same way: load, pre-hooks, decide, append; on a version conflict, load and
/// decide again without running a hook twice for the same input; after `maximumAttempts`,
/// ConcurrentModificationException. No handler can forget the retry, and no conflict is ever a 500.
///
/// The handler is the unit that is re-run: everything it does before its first append (reads, hook
/// calls, checks) is repeatable by construction, because reads have no effects and hook answers come
/// from `CommandAttempt`'s memo. Once an append has committed, the attempt is final: a conflict after
/// that (a follow-up append) is the caller's ConcurrentModificationException, never a second run of a
/// command that already took effect.
enum CommandPipeline {
    static let maximumAttempts = 5

    static func run<T: Sendable>(operation: String, logger: Logger, _ body: () async throws -> T) async throws -> T {
        let attempt = CommandAttempt()
        return try await CommandAttempt.$current.withValue(attempt) {
            while true {
                do {
                    return try await body()
                } catch StoreError.wrongExpectedVersion(let stream) {
                    guard !attempt.hasCommitted, attempt.number < maximumAttempts else {
                        throw DomainError.concurrentModification("The resource was modified concurrently; try again.")
                    }
                    logger.debug(
                        "concurrent append; deciding again",
                        metadata: ["stream": "\(stream)", "attempt": "\(attempt.number)", "operation": "\(operation)"])
                    attempt.beginNextAttempt()
                }
            }
        }
    }
}

/// The state of one operation across its attempts: whether anything committed, and what each hook
/// answered to which input.
final class CommandAttempt: Sendable {
    /// The attempt of the operation this task serves, if any (background work has none).
    @TaskLocal static var current: CommandAttempt?

    /// A hook's earlier run: its exact input (the event JSON it read on stdin) and its answer.
    struct HookRun: Sendable {
        var attempt: Int
        var input: String
        var answer: JSONValue
        var record: HookInvocation
    }

    /// What an earlier attempt says about a hook call about to be made.
    enum Recall: Sendable {
        /// Never called in this operation: run it.
        case firstRun
        /// Called before with exactly this input: use that answer, do not run the process again.
        case answered(HookRun)
        /// Called in an earlier attempt with a different input (the reloaded state changed it): run it again.
        case inputChanged
    }

    private struct State {
        var number = 1
        var committed = false
        var hooks: [String: [HookRun]] = [:]
    }
    private let state = Mutex(State())

    var number: Int { state.withLock { $0.number } }
    var hasCommitted: Bool { state.withLock { $0.committed } }

    func markCommitted() { state.withLock { $0.committed = true } }
    func beginNextAttempt() { state.withLock { $0.number += 1 } }

    /// `key` names the function and trigger source; `input` is the event the hook would read.
    func recall(hook key: String, input: String) -> Recall {
        state.withLock { state in
            let runs = state.hooks[key] ?? []
            if let same = runs.last(where: { $0.input == input }) { return .answered(same) }
            return runs.contains(where: { $0.attempt < state.number }) ? .inputChanged : .firstRun
        }
    }

    func remember(hook key: String, input: String, answer: JSONValue, record: HookInvocation) {
        state.withLock { state in
            state.hooks[key, default: []].append(HookRun(attempt: state.number, input: input, answer: answer, record: record))
        }
    }
}
