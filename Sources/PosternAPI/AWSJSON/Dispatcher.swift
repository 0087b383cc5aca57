import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import PosternCore
import PosternCrypto
import PosternStore

/// The awsJson services Postern serves on `POST /`, told apart by the `X-Amz-Target` prefix; each signs
/// its admin operations with its own SigV4 service name.
enum AWSJSONService: Sendable {
    case cognitoIdentityProvider
    case cognitoIdentity

    var targetPrefix: String {
        switch self {
        case .cognitoIdentityProvider: "AWSCognitoIdentityProviderService."
        case .cognitoIdentity: "AWSCognitoIdentityService."
        }
    }

    var signingName: String {
        switch self {
        case .cognitoIdentityProvider: "cognito-idp"
        case .cognitoIdentity: "cognito-identity"
        }
    }

}

/// Routes `POST /` by `X-Amz-Target` to the operation's entry in its service's registry
/// (`OperationRegistry`, `IdentityOperationRegistry`): authenticates the caller as the entry says, counts
/// the request against its pool's quota, and runs the handler through `CommandPipeline`.
struct Dispatcher: Sendable {
    typealias Handler = @Sendable (Data, Call, Postern, Logger) async throws -> Data

    let service: AWSJSONService
    var targetPrefix: String { service.targetPrefix }
    let handlers: [String: (entry: OperationRegistry.Entry, handle: Handler)]
    let postern: Postern
    let verifier: SigV4Verifier

    init(postern: Postern, service: AWSJSONService = .cognitoIdentityProvider, registry: [OperationRegistry.Entry]? = nil) {
        self.service = service
        let registry = registry ?? (service == .cognitoIdentity ? IdentityOperationRegistry.entries : OperationRegistry.entries)
        var handlers: [String: (entry: OperationRegistry.Entry, handle: Handler)] = [:]
        for entry in registry { handlers[entry.name] = (entry, Self.handler(for: entry.operation, entry: entry)) }
        self.handlers = handlers
        self.postern = postern
        verifier = Self.adminVerifier(postern: postern, service: service.signingName, region: postern.configuration.region)
    }

    /// Verifies signatures made with an admin access key (the bootstrap key or one in the directory) for
    /// `service` in `region`; temporary credentials are refused.
    static func adminVerifier(postern: Postern, service: String, region: String) -> SigV4Verifier {
        let bootstrap = postern.configuration.bootstrapAdminKey
        let directory = postern.directory
        let secrets = postern.master.secrets
        return SigV4Verifier(service: service, region: region) { accessKeyID in
            if let bootstrap, constantTimeEquals(bootstrap.accessKeyID, accessKeyID) { return bootstrap.secret }
            // A database outage throws (a 5xx), it does not make the key unknown.
            guard let sealed = try await directory.adminSecret(accessKeyID: accessKeyID) else { return nil }
            return String(decoding: try secrets.open(sealed), as: UTF8.self)
        }
    }

    func adminVerifier(service: String, region: String) -> SigV4Verifier {
        Self.adminVerifier(postern: postern, service: service, region: region)
    }

    /// Decodes the request once, admits it against its pool's quota, then runs the pipeline; an
    /// access-token operation has its token verified (and its user loaded) on every attempt.
    static func handler<Operation: AWSOperation>(for operation: Operation.Type, entry: OperationRegistry.Entry) -> Handler {
        { body, call, postern, logger in
            let request: Operation.Request
            do {
                request = try WireJSON.decode(Operation.Request.self, from: body.isEmpty ? Data("{}".utf8) : body)
            } catch is JSONParser.SyntaxError {
                throw AWSError(type: "SerializationException", message: "The request body is not a JSON object.", status: 400)
            } catch let error as DecodingError {
                if case .dataCorrupted(let context) = error, context.codingPath.isEmpty {
                    throw AWSError(type: "SerializationException", message: "The request body is not a JSON object.", status: 400)
                }
                if case .typeMismatch(_, let context) = error, context.codingPath.isEmpty {
                    throw AWSError(type: "SerializationException", message: "The request body is not a JSON object.", status: 400)
                }
                throw error
            }
            let reference = PoolReference(request)
            if let category = entry.quota, let reference {
                try await postern.admit(category: category, reference: reference, now: call.now)
            }
            let parsedToken: CompactJWT? = if case .accessToken(let jwt)? = reference { jwt } else { nil }
            return try await CommandPipeline.run(operation: Operation.name, logger: logger) {
                var call = call
                if entry.access == .accessToken {
                    guard let carrier = request as? any CarriesAccessToken else {
                        throw DomainError.notAuthorized("Invalid Access Token")
                    }
                    call.identity = try await postern.authenticate(accessToken: carrier.AccessToken, parsed: parsedToken, now: call.now)
                }
                return try WireJSON.encode(try await Operation.handle(request, call: call, services: Operation.services(postern)))
            }
        }
    }

    func respond(to request: Request, context: PosternRequestContext) async -> Response {
        let requestId = UUID().uuidString.lowercased()
        var logger = context.logger
        logger[metadataKey: "request_id"] = "\(requestId)"
        let target = request.headers[.init("X-Amz-Target")!] ?? ""
        let operation = target.hasPrefix(targetPrefix) ? String(target.dropFirst(targetPrefix.count)) : target
        logger[metadataKey: "operation"] = "\(operation)"
        do {
            let buffer: ByteBuffer
            do {
                buffer = try await request.body.collect(upTo: postern.configuration.maxBodySize)
            } catch {
                throw AWSError(type: "RequestEntityTooLargeException", message: "Request body is larger than 1 MiB.", status: 413)
            }
            let body = Data(buffer.readableBytesView)
            guard let (entry, handle) = handlers[operation], target.hasPrefix(targetPrefix) else {
                throw AWSError(type: "UnknownOperationException", message: "Unknown operation \(target).", status: 400)
            }
            var call = Call(
                requestId: requestId, operation: operation, sourceIp: clientAddress(request, context: context),
                userAgent: request.headers[.userAgent].map { Call.capped($0) }, now: Date())
            if entry.access.isSigned {
                call.adminKeyId = try await authenticate(request, body: buffer)
                logger[metadataKey: "admin_key"] = "\(call.adminKeyId ?? "")"
            }
            let output = try await handle(body, call, postern, logger)
            logger.debug("served")
            return Self.response(status: .ok, requestId: requestId, body: output)
        } catch {
            let wire = AWSError.from(error)
            logger.log(
                level: wire.logLevel, "request failed",
                metadata: ["error_type": "\(wire.type)", "error": "\(type(of: error)): \(error)"])
            var response = Self.response(
                status: HTTPResponse.Status(code: wire.status), requestId: requestId,
                body: (try? WireJSON.encode(["__type": wire.type, "message": wire.message])) ?? Data())
            response.headers[.init("x-amzn-ErrorType")!] = wire.type
            return response
        }
    }

    /// The caller's address: the peer, or, when the peer is a trusted reverse proxy, the nearest address
    /// in `X-Forwarded-For` that is not one (an address a client wrote there itself is never trusted).
    func clientAddress(_ request: Request, context: PosternRequestContext) -> String? {
        guard let peer = context.remoteAddress?.ipAddress else { return nil }
        let proxies = postern.configuration.trustedProxies
        guard proxies.contains(peer), let forwarded = request.headers[.init("X-Forwarded-For")!] else { return peer }
        let hops = forwarded.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return hops.last(where: { !proxies.contains($0) }).map { String($0.prefix(64)) } ?? peer
    }

    /// Verifies the SigV4 signature of an admin call; returns the access key id.
    func authenticate(_ request: Request, body: ByteBuffer) async throws -> String {
        var headers = request.headers.map { (name: $0.name.canonicalName, value: $0.value) }
        // HTTP/1 `Host` arrives as the request's authority, not among the header fields; SigV4 signs it.
        if let authority = request.head.authority { headers.append((name: "host", value: authority)) }
        let path = request.uri.path
        let signed = SigV4Request(
            method: request.method.rawValue, path: path.isEmpty ? "/" : path, query: request.uri.query ?? "", headers: headers,
            body: Array(buffer: body))
        return try await verifier.verify(signed).accessKeyID
    }

    static func response(status: HTTPResponse.Status, requestId: String, body: Data) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/x-amz-json-1.1"
        headers[.init("x-amzn-RequestId")!] = requestId
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
