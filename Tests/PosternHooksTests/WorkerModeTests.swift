import Foundation
import PosternCore
import PosternHooks
import Testing

/// Worker mode against a real long-lived Python process that reports its pid, so the tests can tell
/// a reused worker from a restarted one.
@Suite struct WorkerModeTests {
    static let worker = """
        #!/usr/bin/python3
        import json, os, sys, time
        for line in sys.stdin:
            call = json.loads(line)
            with open("calls.log", "a") as log:
                log.write(call["id"] + "\\n")
            event = call["event"]
            action = event["request"].get("action", "answer")
            if action == "sleep":
                time.sleep(float(event["request"]["seconds"]))
            elif action == "reject":
                print(json.dumps({"id": call["id"], "error": {"errorMessage": "Domain not allowed.", "errorType": "Error"}}), flush=True)
                continue
            elif action == "crash":
                print("lost the database connection", file=sys.stderr, flush=True)
                os._exit(3)
            elif action == "garbage":
                print("this is not JSON", flush=True)
                continue
            event["response"] = {"pid": os.getpid(), "mode": os.environ.get("POSTERN_HOOK_MODE"),
                                 "name": os.environ.get("AWS_LAMBDA_FUNCTION_NAME"), "timeout": os.environ.get("AWS_LAMBDA_FUNCTION_TIMEOUT")}
            print(json.dumps({"id": call["id"], "result": event}), flush=True)
        """

    struct Fixture {
        let plugins: Plugins
        let runner: HookRunner
        let function: HookFunction

        init(workers: Int = 1, timeout: Double = 2) throws {
            plugins = try Plugins()
            let path = plugins.directory.appendingPathComponent("py-worker").path
            try WorkerModeTests.worker.write(toFile: path, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
            try #"{"warm": {"command": "py-worker", "mode": "worker", "workers": \#(workers), "timeout": \#(timeout)}}"#
                .write(to: plugins.directory.appendingPathComponent("functions.json"), atomically: true, encoding: .utf8)
            runner = plugins.runner
            function = try plugins.catalog.resolve(arn: "arn:aws:lambda:us-east-1:123456789012:function:warm")
        }

        func call(_ request: [String: JSONValue] = [:]) async throws(HookError) -> JSONValue {
            try await runner.invoke(function, event: .object(["triggerSource": "PreSignUp_SignUp", "request": .object(request), "response": .object([:])]))
        }

        func pid(_ request: [String: JSONValue] = [:]) async throws -> Int {
            try #require(try await call(request)["response"]?["pid"]?.intValue)
        }
    }

    @Test func functionsJsonDeclaresWorkerMode() throws {
        let fixture = try Fixture(workers: 3)
        #expect(fixture.function.workers == 3)
        #expect(fixture.function.timeout == .seconds(2))
    }

    @Test func oneProcessAnswersManyCallsAndKnowsItsMode() async throws {
        let fixture = try Fixture()
        defer { Task { await fixture.runner.shutdown() } }
        let answer = try await fixture.call()
        #expect(answer["response"]?["mode"] == "worker")
        #expect(answer["response"]?["name"] == "warm")
        #expect(answer["response"]?["timeout"] == "2.0")
        let first = try #require(answer["response"]?["pid"]?.intValue)
        for _ in 0..<5 { #expect(try await fixture.pid() == first) }
    }

    @Test func anErrorAnswerIsARejectionAndTheWorkerKeepsServing() async throws {
        let fixture = try Fixture()
        defer { Task { await fixture.runner.shutdown() } }
        let before = try await fixture.pid()
        await #expect(throws: HookError.rejected("Domain not allowed.")) { try await fixture.call(["action": "reject"]) }
        #expect(try await fixture.pid() == before)
    }

    @Test func aCrashedWorkerFailsItsCallWithItsLastStderrLineAndIsRestarted() async throws {
        let fixture = try Fixture()
        defer { Task { await fixture.runner.shutdown() } }
        let before = try await fixture.pid()
        await #expect(throws: HookError.rejected("lost the database connection")) { try await fixture.call(["action": "crash"]) }
        let after = try await fixture.pid()
        #expect(after != before)
        #expect(!HookRunnerTests.isRunning(Int32(before)))
    }

    @Test func aCallPastItsTimeoutKillsTheWorkerAndTheNextCallGetsAFreshOne() async throws {
        let fixture = try Fixture(timeout: 0.5)
        defer { Task { await fixture.runner.shutdown() } }
        let before = try await fixture.pid()
        await #expect(throws: HookError.timedOut("warm")) { try await fixture.call(["action": "sleep", "seconds": "30"]) }
        #expect(try await fixture.pid() != before)
        try await Task.sleep(for: .milliseconds(200))
        #expect(!HookRunnerTests.isRunning(Int32(before)))
    }

    @Test func aLineThatIsNotTheAnswerIsAnInvalidResponseAndTheWorkerIsReplaced() async throws {
        let fixture = try Fixture()
        defer { Task { await fixture.runner.shutdown() } }
        let before = try await fixture.pid()
        await #expect(throws: HookError.invalidOutput("a line that is not the answer to call 2")) { try await fixture.call(["action": "garbage"]) }
        #expect(try await fixture.pid() != before)
    }

    @Test func concurrentCallsShareTheDeclaredNumberOfWorkers() async throws {
        // The deadline covers the wait for a free worker and a cold Python start on a loaded machine:
        // generous, since what is checked is the number of workers, not their speed.
        let fixture = try Fixture(workers: 2, timeout: 20)
        defer { Task { await fixture.runner.shutdown() } }
        let pids = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<8 { group.addTask { try await fixture.pid(["action": "sleep", "seconds": "0.1"]) } }
            return try await group.reduce(into: Set<Int>()) { $0.insert($1) }
        }
        #expect(pids.count == 2)
    }

    @Test func aMissingWorkerExecutableCannotStart() async throws {
        let plugins = try Plugins()
        try #"{"ghost": {"command": "does-not-exist", "mode": "worker"}}"#
            .write(to: plugins.directory.appendingPathComponent("functions.json"), atomically: true, encoding: .utf8)
        let function = try plugins.catalog.resolve(arn: "ghost")
        await #expect {
            try await plugins.runner.invoke(function, event: Plugins.event)
        } throws: { error in
            if case .launchFailed? = error as? HookError { true } else { false }
        }
    }

    @Test func anUnknownModeIsRefused() throws {
        let plugins = try Plugins()
        try #"{"odd": {"command": "x", "mode": "forking"}}"#
            .write(to: plugins.directory.appendingPathComponent("functions.json"), atomically: true, encoding: .utf8)
        #expect(throws: HookError.self) { try plugins.catalog.resolve(arn: "odd") }
    }

    @Test func aCallWaitingForABusyWorkerTimesOutWithoutReachingOne() async throws {
        let fixture = try Fixture(workers: 1, timeout: 0.5)
        defer { Task { await fixture.runner.shutdown() } }
        _ = try await fixture.pid()
        let outcomes = await withTaskGroup(of: HookError?.self) { group in
            for _ in 0..<2 {
                group.addTask {
                    do throws(HookError) {
                        _ = try await fixture.call(["action": "sleep", "seconds": "30"])
                        return nil
                    } catch {
                        return error
                    }
                }
            }
            return await group.reduce(into: [HookError?]()) { $0.append($1) }
        }
        #expect(outcomes == [HookError.timedOut("warm"), HookError.timedOut("warm")])
        let calls = try String(contentsOf: fixture.plugins.directory.appendingPathComponent("calls.log"), encoding: .utf8)
        #expect(calls.split(separator: "\n").count == 2, "the first call and one slow call reached the worker; the queued one did not")
    }
}
