import Foundation
import Logging
import PosternCore
import PosternHooks

/// `postern hooks invoke`: runs one function by hand with a sample event, through the same catalog,
/// runner and error mapping the server uses, and optionally many times to measure its latency.
public struct HookTool: Sendable {
    public let pluginsDirectory: URL
    /// Gets the hook's stderr (at debug level).
    public let logger: Logger?

    public init(pluginsDirectory path: String, logger: Logger? = nil) {
        pluginsDirectory = URL(fileURLWithPath: path).standardizedFileURL
        self.logger = logger
    }

    public enum Mode: String, Sendable { case declared, spawn, worker }

    /// The outcome of one or more runs: the last answer (or the error a Cognito caller would see) and
    /// the latency of every run in milliseconds.
    public struct Report: Sendable {
        public var answer: String?
        public var errorType: String?
        public var errorMessage: String?
        public var latencies: [Double]
    }

    /// Runs `function` (a name or a Lambda ARN) `count` times, `concurrency` at a time.
    public func invoke(function name: String, event: Data, count: Int = 1, concurrency: Int = 1, mode: Mode = .declared, workers: Int = 2)
        async throws -> Report
    {
        let event = try JSONValue.parse(event)
        var declared = try FunctionCatalog(directory: pluginsDirectory).resolve(arn: name)
        switch mode {
        case .declared: break
        case .spawn: declared.workers = nil
        case .worker: declared.workers = workers
        }
        let function = declared
        let runner = HookRunner(workingDirectory: pluginsDirectory, logger: logger)
        defer { Task { await runner.shutdown() } }
        let trigger = Self.trigger(of: event["triggerSource"]?.stringValue ?? "")
        let outcomes = await withTaskGroup(of: (Result<JSONValue, HookError>, Double).self) { group in
            var outcomes: [(Result<JSONValue, HookError>, Double)] = []
            var started = 0
            func launch() {
                started += 1
                group.addTask {
                    let start = ContinuousClock.now
                    let result: Result<JSONValue, HookError>
                    do throws(HookError) {
                        result = .success(try await runner.invoke(function, event: event))
                    } catch {
                        result = .failure(error)
                    }
                    let elapsed = ContinuousClock.now - start
                    return (result, Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15)
                }
            }
            while started < min(max(concurrency, 1), count) { launch() }
            for await outcome in group {
                outcomes.append(outcome)
                if started < count { launch() }
            }
            return outcomes
        }
        var report = Report(latencies: outcomes.map(\.1))
        switch outcomes.last?.0 {
        case .success(let answer)?:
            report.answer = String(decoding: try JSONEncoder.pretty.encode(answer), as: UTF8.self)
        case .failure(let error)?:
            let mapped = AWSError.from(hook: error, trigger: trigger)
            report.errorType = mapped.type
            report.errorMessage = "\(mapped.message) (\(error))"
        case nil:
            break
        }
        return report
    }

    /// The trigger a source belongs to: `PreSignUp_SignUp` → PreSignUp, `TokenGeneration_…` → PreTokenGeneration.
    static func trigger(of source: String) -> String {
        let prefix = String(source.prefix { $0 != "_" })
        return prefix == "TokenGeneration" ? "PreTokenGeneration" : (prefix.isEmpty ? "Hook" : prefix)
    }
}

extension JSONEncoder {
    static var pretty: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}
