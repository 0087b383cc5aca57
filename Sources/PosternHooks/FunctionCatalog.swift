import Foundation

/// How to run one function: the executable, its arguments, timeout, extra environment and mode.
public struct HookFunction: Sendable, Equatable {
    public var name: String
    public var executable: String
    public var arguments: [String]
    /// Per call, in both modes.
    public var timeout: Duration
    public var environment: [String: String]
    /// Worker mode with this many long-lived processes; nil spawns a process per call (the default).
    public var workers: Int?
    /// For CustomEmailSender / CustomSMSSender: the 32-byte key codes are sealed with (`codeKeyFile`).
    public var codeKey: [UInt8]?
    /// Calls made before a timeout is final (1–3; Cognito itself makes 3). 1 by default: a retried
    /// hook runs its side effects again.
    public var attempts = 1

    public init(
        name: String, executable: String, arguments: [String] = [], timeout: Duration = .seconds(5), environment: [String: String] = [:],
        workers: Int? = nil
    ) {
        self.name = name
        self.executable = executable
        self.arguments = arguments
        self.timeout = timeout
        self.environment = environment
        self.workers = workers
    }
}

/// Resolves Lambda ARNs to executables in the plugins directory.
///
/// `arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]` runs `NAME` from the directory, unless
/// `functions.json` there declares `NAME` as `{"command", "arguments", "timeout", "environment", "mode",
/// "workers", "attempts", "codeKeyFile"}` (`mode` is `spawn`, the default, or `worker`; `workers`
/// defaults to 2; `attempts` retries timed-out calls; `codeKeyFile` holds a base64 32-byte key for
/// sealing codes given to custom sender hooks).
public struct FunctionCatalog: Sendable {
    public let directory: URL

    public init(directory: URL) { self.directory = directory }

    struct Declaration: Decodable {
        var command: String
        var arguments: [String]?
        var timeout: Double?
        var environment: [String: String]?
        var mode: String?
        var workers: Int?
        var codeKeyFile: String?
        var attempts: Int?
    }

    /// The function name inside an ARN (a bare name is accepted too).
    public static func functionName(arn: String) -> String? {
        let parts = arn.split(separator: ":", omittingEmptySubsequences: false)
        let name: Substring
        if parts.count >= 7, parts[0] == "arn", parts[2] == "lambda", parts[5] == "function" {
            name = parts[6]
        } else if parts.count == 1 {
            name = parts[0]
        } else {
            return nil
        }
        // Lambda's own name rule; it also keeps a name from walking out of the plugins directory.
        guard (1...140).contains(name.count), name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
            return nil
        }
        return String(name)
    }

    public func resolve(arn: String) throws(HookError) -> HookFunction {
        guard let name = Self.functionName(arn: arn) else { throw .notFound(arn) }
        let declarations = directory.appendingPathComponent("functions.json")
        if let data = try? Data(contentsOf: declarations) {
            guard let table = try? JSONDecoder().decode([String: Declaration].self, from: data) else {
                throw .launchFailed("functions.json is not a map of function declarations")
            }
            if let declared = table[name] {
                let workers: Int?
                switch declared.mode ?? "spawn" {
                case "spawn": workers = nil
                case "worker": workers = min(max(declared.workers ?? 2, 1), 64)
                case let other: throw .launchFailed("functions.json: \(name) has unknown mode \(other) (spawn or worker)")
                }
                let command = declared.command.hasPrefix("/") ? declared.command : directory.appendingPathComponent(declared.command).path
                var function = HookFunction(
                    name: name, executable: command, arguments: declared.arguments ?? [],
                    timeout: .milliseconds(Int((declared.timeout ?? 5) * 1000)), environment: declared.environment ?? [:],
                    workers: workers)
                function.attempts = min(max(declared.attempts ?? 1, 1), 3)
                if let file = declared.codeKeyFile {
                    let url = file.hasPrefix("/") ? URL(fileURLWithPath: file) : directory.appendingPathComponent(file)
                    guard let text = try? String(contentsOf: url, encoding: .utf8),
                        let key = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)), key.count == 32
                    else { throw .launchFailed("functions.json: \(name)'s codeKeyFile must hold a base64 32-byte key") }
                    function.codeKey = Array(key)
                }
                return function
            }
        }
        let path = directory.appendingPathComponent(name).path
        guard FileManager.default.isExecutableFile(atPath: path) else { throw .notFound(name) }
        return HookFunction(name: name, executable: path)
    }
}
