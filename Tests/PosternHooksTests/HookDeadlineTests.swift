import Foundation
import PosternCore
import PosternHooks
import Testing

/// A spawned hook's timeout holds until the process has exited, whatever it does with its pipes, and
/// nothing it started outlives the call (fixtures in `Tests/Fixtures/hooks/`).
@Suite struct HookDeadlineTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/hooks")

    /// A fresh plugins directory holding a copy of the fixture script `name`.
    static func plugins(with name: String) throws -> Plugins {
        let plugins = try Plugins()
        try plugins.add(name, String(contentsOf: fixtures.appendingPathComponent(name), encoding: .utf8))
        return plugins
    }

    /// The pid the fixture wrote to `sleeper.pid`, waiting briefly for the file.
    static func sleeperPID(in plugins: Plugins) async throws -> Int32 {
        let path = plugins.directory.appendingPathComponent("sleeper.pid").path
        for _ in 0..<40 {
            if let text = try? String(contentsOfFile: path, encoding: .utf8), let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                return pid
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw HookError.notFound("sleeper.pid")
    }

    /// Whether `pid` is gone within a second (`kill -0` fails, or only a zombie is left).
    static func isGone(_ pid: Int32) async throws -> Bool {
        for _ in 0..<20 {
            if kill(pid, 0) != 0 || !HookRunnerTests.isRunning(pid) { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    @Test("a hook that closes stdout and stderr and sleeps times out at its timeout, and its group is killed")
    func closedPipesDoNotEscapeTheTimeout() async throws {
        let plugins = try Self.plugins(with: "closes-pipes-and-sleeps")
        let started = ContinuousClock.now
        await #expect(throws: HookError.timedOut("closes-pipes-and-sleeps")) {
            try await plugins.invoke("closes-pipes-and-sleeps", timeout: .milliseconds(700))
        }
        let elapsed = ContinuousClock.now - started
        #expect(elapsed >= .milliseconds(700) && elapsed < .seconds(5), "failed at about the timeout, not after the 30 s sleep")
        #expect(try await Self.isGone(try await Self.sleeperPID(in: plugins)), "the hook's sleep was killed with its group")
    }

    @Test("a hook that answers, closes its pipes and keeps running has not finished: it times out")
    func anAnswerBeforeExitIsNotEnough() async throws {
        let plugins = try Self.plugins(with: "answers-then-lingers")
        let started = ContinuousClock.now
        await #expect(throws: HookError.timedOut("answers-then-lingers")) {
            try await plugins.invoke("answers-then-lingers", timeout: .milliseconds(700))
        }
        #expect(ContinuousClock.now - started < .seconds(5))
        #expect(try await Self.isGone(try await Self.sleeperPID(in: plugins)))
    }

    @Test("what a hook leaves running in its group when it exits is killed")
    func leftoversAreKilled() async throws {
        let plugins = try Self.plugins(with: "leaves-a-child")
        #expect(try await plugins.invoke("leaves-a-child") == Plugins.event)
        #expect(try await Self.isGone(try await Self.sleeperPID(in: plugins)), "the background sleep did not outlive the call")
    }
}
