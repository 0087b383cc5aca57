import ArgumentParser
import Foundation
import Logging
import PosternAPI

/// The `postern` command line: the server and the operator's tools.
@main
struct PosternCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "postern",
        abstract: "A self-hosted, Cognito-compatible identity service, event-sourced on PostgreSQL.",
        subcommands: [
            Serve.self, Migrate.self, Events.self, Verify.self, Projections.self, AdminKeys.self, Hooks.self, Operations.self, Gateway.self,
        ])
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Migrate the database and serve the Cognito API.")
    @OptionGroup var options: CommonOptions

    func run() async throws {
        let configuration = try options.serverConfiguration(generateMasterKey: true)
        let logger = options.logger()
        logger.info("starting", metadata: ["address": "\(configuration.host):\(configuration.port)", "issuer": "\(configuration.issuerBase)"])
        try await serve(configuration: configuration, logger: logger)
    }
}

struct Gateway: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve an API-Gateway-style IAM authorizer in front of an HTTP service.",
        discussion: """
            Requests to /STAGE/... must be SigV4-signed (service execute-api) with credentials from \
            GetCredentialsForIdentity or AssumeRoleWithWebIdentity; the caller's role policies must allow \
            execute-api:Invoke on arn:aws:execute-api:REGION:ACCOUNT:API-ID/STAGE/METHOD/PATH. Allowed requests \
            go to the upstream without the stage, with X-Postern-Identity-Id, X-Postern-Identity-Pool-Id, \
            X-Postern-Principal-Arn and X-Postern-Authentication-Type. Uses the server's database and master key.
            """)
    @OptionGroup var options: CommonOptions
    @Option(help: "Address to listen on (HOST:PORT).") var listen: String = "127.0.0.1:7679"
    @Option(help: "The HTTP service allowed requests go to, e.g. http://127.0.0.1:8080.") var upstream: String
    @Option(help: "The API id in method ARNs.") var apiId: String
    @Option(help: "The stage: the first path segment, and part of method ARNs.") var stage: String

    func validate() throws {
        guard let separator = listen.lastIndex(of: ":"), Int(listen[listen.index(after: separator)...]) != nil else {
            throw ValidationError("--listen must be HOST:PORT")
        }
        guard let url = URL(string: upstream), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
            throw ValidationError("--upstream must be an http:// or https:// URL")
        }
        guard !stage.isEmpty, !stage.contains("/"), !apiId.isEmpty, !apiId.contains("/") else {
            throw ValidationError("--stage and --api-id must be non-empty and contain no /")
        }
    }

    func run() async throws {
        let server = try options.serverConfiguration(generateMasterKey: false)
        let separator = listen.lastIndex(of: ":")!
        let gateway = GatewayConfiguration(
            host: String(listen[..<separator]), port: Int(listen[listen.index(after: separator)...])!, upstream: upstream, apiId: apiId,
            stage: stage)
        let logger = options.logger()
        logger.info("gateway starting", metadata: ["address": "\(listen)", "upstream": "\(upstream)", "stage": "\(stage)"])
        try await runGateway(server: server, gateway: gateway, logger: logger)
    }
}

struct Operations: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the Cognito operations served, with their access and quota category (docs/operations.md).")
    @Flag(help: "JSON lines instead of Markdown.") var json = false

    func run() {
        print(json ? operationCatalogJSONLines() : operationCatalogMarkdown(), terminator: "")
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending database migrations.")
    @OptionGroup var options: CommonOptions

    func run() async throws {
        let applied = try await Operator(options: options, needsMasterKey: false).migrate()
        print(applied.isEmpty ? "up to date" : "applied \(applied.joined(separator: ", "))")
    }
}

struct Events: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print events as JSON lines, for auditors.")
    @OptionGroup var options: CommonOptions
    @Option(help: "Only this stream (e.g. user-<sub>).") var stream: String?
    @Option(help: "Only this event type (e.g. SignInFailed).") var type: String?
    @Option(help: "Only events after this global position.") var after: Int64 = 0
    @Option(help: "At most this many events.") var limit: Int = 1000

    func run() async throws {
        try await Operator(options: options, needsMasterKey: false).printEvents(stream: stream, type: type, after: after, limit: limit)
    }
}

struct Verify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check every stream's keyed hash chain and the signed log checkpoints; name the first problem.",
        discussion: """
            Needs the master key (the chain key is derived from it). Exit status 2 when the log was edited, \
            reordered or cut; prints the last checkpoint (seq:mac) so it can be recorded outside the database.
            """)
    @OptionGroup var options: CommonOptions
    @Option(help: "Seconds a keyed event may stay uncovered by a signed checkpoint (the server signs one every 10 s).")
    var maxUncoveredAge: Double = 600

    func run() async throws {
        let (failure, summary) = try await Operator(options: options).verify(maxUncoveredAge: maxUncoveredAge)
        if let failure {
            print("broken: \(failure)\nchecked \(summary)")
            throw ExitCode(2)
        }
        print("ok: \(summary)")
    }
}

struct Projections: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Manage projections.", subcommands: [Rebuild.self])

    struct Rebuild: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Replay the whole log into fresh tables and swap them in.")
        @OptionGroup var options: CommonOptions

        func run() async throws {
            let replayed = try await Operator(options: options).rebuild()
            print("rebuilt from \(replayed) events")
        }
    }
}

struct AdminKeys: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "admin-keys", abstract: "Manage SigV4 admin access keys.", subcommands: [Create.self, List.self, Revoke.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an access key; the secret is shown once.")
        @OptionGroup var options: CommonOptions
        @Option(help: "What the key is for.") var description: String = ""

        func run() async throws {
            let (id, secret) = try await Operator(options: options).createAdminKey(description: description)
            print("AccessKeyId: \(id)\nSecretAccessKey: \(secret)")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List access keys (never their secrets).")
        @OptionGroup var options: CommonOptions

        func run() async throws {
            for line in try await Operator(options: options).listAdminKeys() { print(line) }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke an access key.")
        @OptionGroup var options: CommonOptions
        @Argument var accessKeyId: String

        func run() async throws {
            try await Operator(options: options).revokeAdminKey(accessKeyId)
            print("revoked \(accessKeyId)")
        }
    }
}

struct Hooks: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Work with trigger hooks in the plugins directory.", subcommands: [Invoke.self])

    struct Invoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a hook with a sample trigger event and print its answer (or the error a Cognito caller would see).")
        @OptionGroup var options: CommonOptions
        @Argument(help: "Function name or Lambda ARN.") var function: String
        @Option(help: "File holding the trigger event JSON (- for stdin).") var event: String
        @Option(help: "Run it this many times and print latency figures to stderr.") var `repeat`: Int = 1
        @Option(help: "Runs in flight at once (with --repeat).") var concurrency: Int = 1
        @Option(help: "declared (as functions.json says), spawn or worker.") var mode: String = "declared"
        @Option(help: "Worker processes with --mode worker.") var workers: Int = 2

        func run() async throws {
            guard let mode = HookTool.Mode(rawValue: mode) else { throw ValidationError("--mode must be declared, spawn or worker") }
            let input = event == "-" ? FileHandle.standardInput.readDataToEndOfFile() : try Data(contentsOf: URL(fileURLWithPath: event))
            let directory = try options.settings().value("plugins_dir") ?? "./plugins"
            // The hook's stderr goes to this command's stderr, as a debugging aid.
            var logger = Logger(label: "hook")
            logger.logLevel = self.repeat > 1 ? .info : .debug
            let report = try await HookTool(pluginsDirectory: directory, logger: logger).invoke(
                function: function, event: input, count: max(self.repeat, 1), concurrency: concurrency, mode: mode, workers: workers)
            if self.repeat > 1 {
                let sorted = report.latencies.sorted()
                func percentile(_ p: Double) -> Double { sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] }
                let mean = sorted.reduce(0, +) / Double(sorted.count)
                FileHandle.standardError.write(
                    Data(
                        String(
                            format: "runs %d  mean %.2f ms  p50 %.2f ms  p95 %.2f ms  max %.2f ms\n", sorted.count, mean, percentile(0.5),
                            percentile(0.95), sorted.last ?? 0
                        ).utf8))
            }
            if let answer = report.answer { print(answer) }
            if let type = report.errorType {
                FileHandle.standardError.write(Data("\(type): \(report.errorMessage ?? "")\n".utf8))
                throw ExitCode(1)
            }
        }
    }
}
