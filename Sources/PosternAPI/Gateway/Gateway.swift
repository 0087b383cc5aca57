import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import PosternCore
import PosternCrypto
import PosternStore
import PostgresNIO
import ServiceLifecycle
import Synchronization

/// Where `postern gateway` listens, what it fronts, and the API it poses as.
public struct GatewayConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// The service requests are forwarded to, e.g. `http://127.0.0.1:8080` (a path prefix is kept).
    public var upstream: String
    public var apiId: String
    public var stage: String
    /// How long the upstream may take before the caller gets API Gateway's 504 (API Gateway: 29 s).
    public var upstreamTimeout: Duration = .seconds(29)

    public init(host: String, port: Int, upstream: String, apiId: String, stage: String) {
        self.host = host
        self.port = port
        self.upstream = upstream.hasSuffix("/") ? String(upstream.dropLast()) : upstream
        self.apiId = apiId
        self.stage = stage
    }
}

/// Runs the API-Gateway-style IAM authorizer until SIGINT or SIGTERM: it reads the same database as the
/// server (roles, identities) and opens session tokens with the same master key.
public func runGateway(server: ServerConfiguration, gateway: GatewayConfiguration, logger: Logger) async throws {
    let client = PostgresClient(configuration: try postgresConfiguration(url: server.databaseURL), backgroundLogger: logger)
    let postern = Postern(client: client, configuration: server, logger: logger)
    // A proxy hands redirects to its caller and never decompresses what it relays.
    let http = HTTPClient(
        eventLoopGroup: HTTPClient.defaultEventLoopGroup,
        configuration: .init(redirectConfiguration: .disallow, decompression: .disabled), backgroundActivityLogger: logger)
    let responder = GatewayResponder(
        authorizer: GatewayAuthorizer(region: server.region, account: server.accountId, apiId: gateway.apiId, stage: gateway.stage),
        sessions: GatewaySessions(postern: postern), upstream: gateway.upstream, timeout: gateway.upstreamTimeout, http: http,
        trustedProxies: server.trustedProxies, logger: logger)
    let app = Application(
        responder: responder, configuration: .init(address: .hostname(gateway.host, port: gateway.port), serverName: "Postern gateway"),
        services: [client, HTTPClientShutdown(client: http)], logger: logger)
    try await app.runService()
}

/// Shuts the forwarding client down with the gateway.
struct HTTPClientShutdown: Service {
    let client: HTTPClient
    func run() async throws {
        try? await gracefulShutdown()
        try await client.shutdown()
    }
}

/// The gateway's request context: the peer address (`aws:SourceIp`) and API Gateway's 10 MB payload limit.
public struct GatewayRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    public var maxUploadSize: Int { 10 * 1024 * 1024 }
}

/// A verified caller: the session its token opened to, the role's permission policies, and the session
/// policies it was given (nil: none).
struct GatewayCaller: Sendable {
    var session: SessionCredentials.Session
    var policies: [PolicyDocument]
    var sessionPolicies: [PolicyDocument]?
}

/// Looks up what authorizing a session needs, caching each answer for a second: the role (recreated
/// roles get a new id, and sessions of the old one are refused) with its policies, and whether the
/// identity still exists (DeleteIdentities revokes its credentials).
final class GatewaySessions: Sendable {
    let postern: Postern
    private let roles = Mutex([String: (until: Date, role: IAMRole?, policies: [PolicyDocument])]())
    private let identities = Mutex([String: (until: Date, exists: Bool)]())
    private let managedPolicies = Mutex([String: (until: Date, document: PolicyDocument?)]())
    static let freshness: TimeInterval = 1

    /// Opens session tokens; derived once from the master key.
    let sealer: Sealer
    /// Seals the authorization messages of refusals (`AuthorizationMessage`).
    let messageSealer: Sealer

    init(postern: Postern) {
        self.postern = postern
        sealer = postern.master.sessionCredentials
        messageSealer = postern.master.sessions
    }

    func role(arn: String, now: Date) async throws -> (role: IAMRole?, policies: [PolicyDocument]) {
        if let cached = roles.withLock({ $0[arn] }), cached.until > now { return (cached.role, cached.policies) }
        let role = try await postern.roleForArn(arn)?.role
        var policies: [PolicyDocument] = []
        if let role { policies = try await postern.permissionPolicies(of: role) }
        roles.withLock { cache in
            if cache.count > 10_000 { cache.removeAll() }
            cache[arn] = (now + Self.freshness, role, policies)
        }
        return (role, policies)
    }

    /// The session's policies (nil when it was given none): its inline document, then each managed policy
    /// ARN's current default version; a policy deleted since grants nothing.
    func sessionPolicies(of session: SessionCredentials.Session, now: Date) async throws -> [PolicyDocument]? {
        guard session.policy != nil || !(session.policyArns ?? []).isEmpty else { return nil }
        var documents = session.policy.flatMap { try? PolicyDocument(json: $0, kind: .identity) }.map { [$0] } ?? []
        for arn in session.policyArns ?? [] {
            if let document = try await managedPolicy(arn: arn, now: now) { documents.append(document) }
        }
        return documents
    }

    func managedPolicy(arn: String, now: Date) async throws -> PolicyDocument? {
        if let cached = managedPolicies.withLock({ $0[arn] }), cached.until > now { return cached.document }
        let document = try await postern.managedPolicy(arn: arn)?.policy.defaultDocument.flatMap { try? PolicyDocument(json: $0, kind: .identity) }
        managedPolicies.withLock { cache in
            if cache.count > 10_000 { cache.removeAll() }
            cache[arn] = (now + Self.freshness, document)
        }
        return document
    }

    func identityExists(_ id: String, now: Date) async throws -> Bool {
        if let cached = identities.withLock({ $0[id] }), cached.until > now { return cached.exists }
        let exists = try await postern.directory.identityExists(id)
        identities.withLock { cache in
            if cache.count > 100_000 { cache.removeAll() }
            cache[id] = (now + Self.freshness, exists)
        }
        return exists
    }
}

/// Authorizes each request as API Gateway's `AWS_IAM` authorization does and relays the allowed ones
/// to the upstream, telling it who called in `X-Postern-*` headers it can trust (callers' own are dropped).
struct GatewayResponder: HTTPResponder {
    typealias Context = GatewayRequestContext

    let authorizer: GatewayAuthorizer
    let sessions: GatewaySessions
    let upstream: String
    let timeout: Duration
    let http: HTTPClient
    let trustedProxies: Set<String>
    let logger: Logger

    /// Headers that end at the gateway: credentials and hop-by-hop ones (RFC 9110 §7.6.1).
    static let notForwarded: Set<String> = [
        "authorization", "x-amz-security-token", "x-amz-date", "x-amz-content-sha256", "host", "connection", "keep-alive",
        "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade", "content-length",
    ]

    func respond(to request: Request, context: Context) async throws -> Response {
        let requestId = UUID().uuidString.lowercased()
        let now = Date()
        do {
            let resourcePath = try authorizer.resourcePath(of: request.uri.path)
            var request = request
            let body: ByteBuffer
            do { body = try await request.collectBody(upTo: context.maxUploadSize) } catch { throw GatewayRefusal.tooLarge }
            let caller = try await authenticate(request, body: body, now: now)
            let sourceIp = clientAddress(request, context: context)
            let decision = authorizer.decide(
                session: caller.session, policies: caller.policies, sessionPolicies: caller.sessionPolicies, method: request.method.rawValue,
                resourcePath: resourcePath, sourceIp: sourceIp, now: now)
            guard decision.isAllowed else {
                var refusal = GatewayRefusal.accessDenied(
                    principal: caller.session.assumedRoleArn,
                    resource: authorizer.resourceArn(method: request.method.rawValue, resourcePath: resourcePath),
                    explicit: decision.outcome == .explicitDeny)
                let session = caller.session
                let message = AuthorizationMessage(
                    decision: decision,
                    request: authorizer.policyRequest(
                        session: session, method: request.method.rawValue, resourcePath: resourcePath, sourceIp: sourceIp, now: now),
                    principalId: "\(session.roleId):\(session.sessionName)", principalArn: session.assumedRoleArn, now: now)
                refusal.authorizationMessage = try? message.encoded(sealer: sessions.messageSealer)
                throw refusal
            }
            return await forward(request, body: body, resourcePath: resourcePath, caller: caller, requestId: requestId)
        } catch let refusal as GatewayRefusal {
            logger.info(
                "gateway refused", metadata: ["request_id": "\(requestId)", "status": "\(refusal.status)", "error_type": "\(refusal.type)"])
            return Self.refusalResponse(refusal, requestId: requestId)
        } catch {
            logger.error("gateway failed", metadata: ["request_id": "\(requestId)", "error": "\(type(of: error))"])
            return Self.refusalResponse(
                GatewayRefusal(status: 500, type: "InternalServerErrorException", message: "Internal server error"), requestId: requestId)
        }
    }

    /// Verifies the signature with the secret sealed in the caller's session token.
    func authenticate(_ request: Request, body: ByteBuffer, now: Date) async throws -> GatewayCaller {
        guard request.headers[.authorization] != nil else { throw GatewayRefusal.missingToken }
        guard let token = request.headers[.init("X-Amz-Security-Token")!] else { throw GatewayRefusal.invalidToken }
        guard let session = SessionCredentials.open(token: token, sealer: sessions.sealer) else { throw GatewayRefusal.invalidToken }
        guard Double(session.expiresAt) > now.timeIntervalSince1970 else { throw GatewayRefusal.expiredToken }
        var headers = request.headers.map { (name: $0.name.canonicalName, value: $0.value) }
        if let authority = request.head.authority { headers.append((name: "host", value: authority)) }
        let signed = SigV4Request(
            method: request.method.rawValue, path: request.uri.path, query: request.uri.query ?? "", headers: headers,
            body: Array(buffer: body))
        let verifier = SigV4Verifier(
            service: "execute-api", region: authorizer.region, now: { now }, sessionTokenIsValid: { _, key in key == session.accessKeyId },
            secretFor: { key in key == session.accessKeyId ? session.secretAccessKey : nil })
        do { _ = try await verifier.verify(signed) } catch { throw GatewayRefusal.from(error) }
        let (role, policies) = try await sessions.role(arn: session.roleArn, now: now)
        guard let role, role.id == session.roleId else { throw GatewayRefusal.invalidToken }
        if let identity = session.subject, !(try await sessions.identityExists(identity, now: now)) {
            throw GatewayRefusal.invalidToken
        }
        return GatewayCaller(session: session, policies: policies, sessionPolicies: try await sessions.sessionPolicies(of: session, now: now))
    }

    func clientAddress(_ request: Request, context: Context) -> String? {
        guard let peer = context.remoteAddress?.ipAddress else { return nil }
        guard trustedProxies.contains(peer), let forwarded = request.headers[.init("X-Forwarded-For")!] else { return peer }
        let hops = forwarded.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return hops.last(where: { !trustedProxies.contains($0) }).map { String($0.prefix(64)) } ?? peer
    }

    /// Relays the request to the upstream and its answer back; the upstream's failures are API Gateway's 502 and 504.
    func forward(_ request: Request, body: ByteBuffer, resourcePath: String, caller: GatewayCaller, requestId: String) async -> Response {
        var outgoing = HTTPClientRequest(url: upstream + resourcePath + (request.uri.query.map { "?" + $0 } ?? ""))
        outgoing.method = HTTPMethod(rawValue: request.method.rawValue)
        for field in request.headers {
            let name = field.name.canonicalName
            guard !Self.notForwarded.contains(name), !name.hasPrefix("x-postern-") else { continue }
            outgoing.headers.add(name: field.name.rawName, value: field.value)
        }
        let session = caller.session
        outgoing.headers.add(name: "X-Postern-Principal-Arn", value: session.assumedRoleArn)
        if let identity = session.subject { outgoing.headers.add(name: "X-Postern-Identity-Id", value: identity) }
        if let pool = session.audience { outgoing.headers.add(name: "X-Postern-Identity-Pool-Id", value: pool) }
        if session.subject != nil {
            let authenticated = session.amr?.contains("authenticated") ?? false
            outgoing.headers.add(name: "X-Postern-Authentication-Type", value: authenticated ? "authenticated" : "unauthenticated")
        }
        if let federated = session.federated {
            outgoing.headers.add(name: "X-Postern-Web-Identity-Provider", value: federated.provider)
            outgoing.headers.add(name: "X-Postern-Web-Identity-Subject", value: federated.subject)
            outgoing.headers.add(name: "X-Postern-Authentication-Type", value: "authenticated")
        }
        outgoing.headers.add(name: "X-Amzn-RequestId", value: requestId)
        if body.readableBytes > 0 { outgoing.body = .bytes(body) }
        do {
            let answer = try await http.execute(outgoing, timeout: .nanoseconds(Int64(timeout.components.seconds) * 1_000_000_000))
            let payload = try await answer.body.collect(upTo: 10 * 1024 * 1024)
            var headers = HTTPFields()
            for (name, value) in answer.headers where !Self.notForwarded.contains(name.lowercased()) {
                if let field = HTTPField.Name(name) { headers.append(HTTPField(name: field, value: value)) }
            }
            headers[.init("x-amzn-RequestId")!] = requestId
            return Response(status: .init(code: Int(answer.status.code)), headers: headers, body: .init(byteBuffer: payload))
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout {
            logger.warning("upstream timed out", metadata: ["request_id": "\(requestId)"])
            return Self.refusalResponse(
                GatewayRefusal(status: 504, type: "IntegrationTimeout", message: "Endpoint request timed out"), requestId: requestId)
        } catch {
            logger.warning("upstream failed", metadata: ["request_id": "\(requestId)", "error": "\(error)"])
            return Self.refusalResponse(
                GatewayRefusal(status: 502, type: "InternalServerErrorException", message: "Internal server error"), requestId: requestId)
        }
    }

    static func refusalResponse(_ refusal: GatewayRefusal, requestId: String) -> Response {
        let member = refusal.capitalized ? "Message" : "message"
        let json =
            (try? JSONSerialization.data(withJSONObject: [member: refusal.message], options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        headers[.init("x-amzn-RequestId")!] = requestId
        headers[.init("x-amzn-ErrorType")!] = refusal.type
        if let message = refusal.authorizationMessage { headers[.init("X-Postern-Authorization-Message")!] = message }
        return Response(status: .init(code: refusal.status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: json)))
    }
}
