import Foundation
import Logging
import PosternCore
import PosternHooks
import Testing

/// Real shell scripts as hooks, written to a fresh plugins directory per test.
struct Plugins {
    let directory: URL

    init() throws {
        directory = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("postern-hooks-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    func add(_ name: String, _ script: String) throws {
        let path = directory.appendingPathComponent(name).path
        try ("#!/bin/sh\n" + script + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
    }

    var catalog: FunctionCatalog { FunctionCatalog(directory: directory) }
    var runner: HookRunner { HookRunner(workingDirectory: directory) }

    func invoke(_ name: String, timeout: Duration = .seconds(5)) async throws(HookError) -> JSONValue {
        var function = try catalog.resolve(arn: "arn:aws:lambda:us-east-1:123456789012:function:\(name)")
        function.timeout = timeout
        return try await runner.invoke(function, event: Self.event)
    }

    static let event: JSONValue = .object([
        "version": "1", "triggerSource": "PreSignUp_SignUp", "userPoolId": "us-east-1_abc", "userName": "alice",
        "request": .object(["userAttributes": .object(["email": "alice@example.com"])]),
        "response": .object(["autoConfirmUser": .bool(false)]),
    ])
}

@Suite struct HookRunnerTests {
    /// Whether `pid` is a live process (a zombie waiting for its new parent to reap it is not).
    static func isRunning(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return false }
        return stat[stat.index(close, offsetBy: 2)] != "Z"
    }

    @Test func aHookAnswersWithTheEventOnStdout() async throws {
        let plugins = try Plugins()
        try plugins.add("echo-event", "cat")
        #expect(try await plugins.invoke("echo-event") == Plugins.event)
    }

    /// A hook may answer without reading its whole event (swift-subprocess traps on a piped input whose
    /// reader left early, swiftlang/swift-subprocess#367): the event is a file, so nothing is left unwritten.
    @Test func aHookThatAnswersWithoutReadingItsEventIsHeard() async throws {
        let plugins = try Plugins()
        try plugins.add("answer-early", #"head -c 1 >/dev/null; printf '{"response": {"autoConfirmUser": true}}'"#)
        var function = try plugins.catalog.resolve(arn: "arn:aws:lambda:us-east-1:123456789012:function:answer-early")
        function.timeout = .seconds(10)
        let large: JSONValue = .object(["request": .object(["padding": .string(String(repeating: "x", count: 4 << 20))])])
        for _ in 0..<3 {
            let answer = try await plugins.runner.invoke(function, event: large)
            #expect(answer["response"]?["autoConfirmUser"] == .bool(true))
        }
    }

    /// A hook that cannot be started is a launch failure, and its input file is closed on that path too.
    @Test func aHookWithAMissingInterpreterFailsToLaunch() async throws {
        let plugins = try Plugins()
        let path = plugins.directory.appendingPathComponent("no-interpreter").path
        try "#!/nonexistent/interpreter\n".write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        await #expect {
            try await plugins.invoke("no-interpreter")
        } throws: { error in
            if case .launchFailed = error as? HookError { return true }
            return false
        }
    }

    @Test func aNonZeroExitWithALambdaErrorObjectIsARejectionWithItsMessage() async throws {
        let plugins = try Plugins()
        try plugins.add("deny", #"cat >/dev/null; printf '{"errorMessage": "Domain not allowed.", "errorType": "Error"}'; exit 1"#)
        await #expect(throws: HookError.rejected("Domain not allowed.")) { try await plugins.invoke("deny") }
    }

    @Test func withoutAnErrorObjectTheLastStderrLineIsTheMessage() async throws {
        let plugins = try Plugins()
        try plugins.add("stderr", "cat >/dev/null; echo 'first' >&2; echo 'no such tenant' >&2; exit 3")
        await #expect(throws: HookError.rejected("no such tenant")) { try await plugins.invoke("stderr") }
    }

    @Test func aSilentCrashIsACrash() async throws {
        let plugins = try Plugins()
        try plugins.add("crash", "cat >/dev/null; exit 2")
        await #expect {
            try await plugins.invoke("crash")
        } throws: { error in
            if case HookError.crashed = error { return true } else { return false }
        }
    }

    @Test func garbageAndEventsWithoutAResponseAreInvalidOutput() async throws {
        let plugins = try Plugins()
        try plugins.add("garbage", "cat >/dev/null; echo 'not json'")
        try plugins.add("no-response", #"cat >/dev/null; echo '{"version": "1"}'"#)
        await #expect(throws: HookError.invalidOutput("stdout is not a JSON object")) { try await plugins.invoke("garbage") }
        await #expect(throws: HookError.invalidOutput("the event has no response object")) { try await plugins.invoke("no-response") }
    }

    @Test func oversizedOutputIsCutOffAndRefused() async throws {
        let plugins = try Plugins()
        try plugins.add("flood", "cat >/dev/null; head -c 3000000 /dev/zero")
        await #expect(throws: HookError.invalidOutput("output larger than the limit")) { try await plugins.invoke("flood") }
    }

    @Test func aTimeoutKillsTheWholeProcessGroup() async throws {
        let plugins = try Plugins()
        let pidFile = plugins.directory.appendingPathComponent("child.pid").path
        try plugins.add("slow", "cat >/dev/null; sleep 30 & echo $! > \(pidFile); wait")
        let started = ContinuousClock.now
        await #expect(throws: HookError.timedOut("slow")) { try await plugins.invoke("slow", timeout: .milliseconds(500)) }
        #expect(ContinuousClock.now - started < .seconds(5))
        let child = try #require(Int32(try String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        var alive = true
        for _ in 0..<40 where alive {
            alive = Self.isRunning(child)
            if alive { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(!alive, "the hook's background child was killed with it")
    }

    @Test func hooksGetACleanEnvironmentAndThePluginsDirectoryAsWorkingDirectory() async throws {
        setenv("POSTERN_MASTER_KEY", "must-not-leak", 1)
        setenv("POSTERN_DATABASE_URL", "postgres://secret@db/postern", 1)
        let plugins = try Plugins()
        try plugins.add(
            "env",
            #"cat >/dev/null; printf '{"response": {"env": "%s", "cwd": "%s"}}' "$(env | tr '\n' ' ' | tr -d '"')" "$(pwd)""#)
        let answer = try await plugins.invoke("env")
        let environment = try #require(answer["response"]?["env"]?.stringValue)
        #expect(!environment.contains("must-not-leak") && !environment.contains("secret@db"))
        let names = Set(environment.split(separator: " ").map { String($0.prefix { $0 != "=" }) })
        #expect(names == ["PATH", "LANG", "HOME", "PWD", "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_TIMEOUT", "POSTERN_HOOK_MODE"])
        #expect(answer["response"]?["cwd"]?.stringValue == plugins.directory.path)
    }

    @Test func unknownAndUnsafeFunctionNamesAreNotFound() throws {
        let plugins = try Plugins()
        #expect(throws: HookError.notFound("missing")) { try plugins.catalog.resolve(arn: "arn:aws:lambda:us-east-1:1:function:missing") }
        #expect(throws: HookError.self) { try plugins.catalog.resolve(arn: "arn:aws:lambda:us-east-1:1:function:../../bin/sh") }
        #expect(FunctionCatalog.functionName(arn: "arn:aws:lambda:us-east-1:1:function:pre-sign-up:live") == "pre-sign-up")
    }

    @Test func functionsJSONDeclaresCommandArgumentsTimeoutAndEnvironment() throws {
        let plugins = try Plugins()
        try #"{"allow-list": {"command": "/bin/sh", "arguments": ["-c", "cat"], "timeout": 2.5, "environment": {"DOMAINS": "example.com"}}}"#
            .write(to: plugins.directory.appendingPathComponent("functions.json"), atomically: true, encoding: .utf8)
        let function = try plugins.catalog.resolve(arn: "arn:aws:lambda:eu-west-1:1:function:allow-list")
        #expect(
            function
                == HookFunction(
                    name: "allow-list", executable: "/bin/sh", arguments: ["-c", "cat"], timeout: .milliseconds(2500),
                    environment: ["DOMAINS": "example.com"]))
    }

    @Test func aTimedOutCallIsMadeAgainWhileAttemptsAllow() async throws {
        let plugins = try Plugins()
        // Slow the first time only: the marker file remembers the first call.
        try plugins.add("slow-once", #"cat >/tmp/$$.in; if [ -e first-done ]; then cat /tmp/$$.in; else touch first-done; sleep 30; fi"#)
        try #"{"retrying": {"command": "slow-once", "timeout": 1.5, "attempts": 2}, "once": {"command": "slow-once", "timeout": 1.5}}"#
            .write(to: plugins.directory.appendingPathComponent("functions.json"), atomically: true, encoding: .utf8)
        let once = try plugins.catalog.resolve(arn: "once")
        #expect(once.attempts == 1)
        await #expect(throws: HookError.timedOut("once")) { try await plugins.runner.invoke(once, event: Plugins.event) }
        try FileManager.default.removeItem(at: plugins.directory.appendingPathComponent("first-done"))
        let retrying = try plugins.catalog.resolve(arn: "retrying")
        #expect(retrying.attempts == 2)
        #expect(try await plugins.runner.invoke(retrying, event: Plugins.event) == Plugins.event)
    }

    @Test func aCallQueuedBehindSlowHooksTimesOutWithoutStarting() async throws {
        let plugins = try Plugins()
        try plugins.add("slow-log", #"echo started >> starts.log; sleep 30"#)
        try #"{"slow": {"command": "slow-log", "timeout": 0.5}}"#
            .write(to: plugins.directory.appendingPathComponent("functions.json"), atomically: true, encoding: .utf8)
        let runner = HookRunner(workingDirectory: plugins.directory, maxConcurrent: 1)
        let function = try plugins.catalog.resolve(arn: "slow")
        let outcomes = await withTaskGroup(of: HookError?.self) { group in
            for _ in 0..<3 {
                group.addTask {
                    do throws(HookError) {
                        _ = try await runner.invoke(function, event: Plugins.event)
                        return nil
                    } catch {
                        return error
                    }
                }
            }
            return await group.reduce(into: [HookError?]()) { $0.append($1) }
        }
        #expect(outcomes == Array(repeating: HookError.timedOut("slow"), count: 3))
        let starts = try String(contentsOf: plugins.directory.appendingPathComponent("starts.log"), encoding: .utf8)
        #expect(starts.split(separator: "\n").count == 1, "the queued calls never started")
    }

    @Test func whatAHookWritesToStderrIsLoggedAtDebugLevelInBothModes() async throws {
        let plugins = try Plugins()
        try plugins.add("chatty", #"echo "looking up tenant" >&2; cat"#)
        try plugins.add(
            "chatty-worker",
            #"while read -r line; do echo "serving" >&2; echo "$line" | sed -u 's/^{"id":\("[^"]*"\),"event":\(.*\)}$/{"id":\1,"result":\2}/'; done"#)
        try #"{"warm": {"command": "chatty-worker", "mode": "worker", "workers": 1}}"#
            .write(to: plugins.directory.appendingPathComponent("functions.json"), atomically: true, encoding: .utf8)
        let lines = CapturedLines()
        var logger = Logger(label: "hooks") { _ in CapturingHandler(lines: lines) }
        logger.logLevel = .debug
        let runner = HookRunner(workingDirectory: plugins.directory, logger: logger)
        _ = try await runner.invoke(try plugins.catalog.resolve(arn: "chatty"), event: Plugins.event)
        _ = try await runner.invoke(try plugins.catalog.resolve(arn: "warm"), event: Plugins.event)
        await runner.shutdown()
        try await Task.sleep(for: .milliseconds(100))
        #expect(lines.all.contains("debug chatty: looking up tenant"))
        #expect(lines.all.contains("debug warm: serving"))
    }
}

/// Log lines as "<level> <hook>: <message>".
final class CapturedLines: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func append(_ line: String) { lock.withLock { lines.append(line) } }
    var all: [String] { lock.withLock { lines } }
}

struct CapturingHandler: LogHandler {
    let lines: CapturedLines
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(
        level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String, file: String, function: String, line: UInt
    ) {
        lines.append("\(level) \(metadata?["hook"].map { "\($0)" } ?? "?"): \(message)")
    }
}
