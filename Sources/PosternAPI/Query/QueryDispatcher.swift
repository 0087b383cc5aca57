import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import PosternCore
import PosternCrypto

/// Who signed a query-protocol request.
enum QueryCaller: Sendable {
    case anonymous
    case admin(String)
    case temporary(SessionCredentials.Session)
}

/// A query-protocol request: the form's parameters (`Action`, `Version`, `RoleName`, `Tags.member.1.Key`, …).
struct QueryRequest: Sendable {
    var parameters: [String: String]
    subscript(name: String) -> String? { parameters[name] }

    /// `Prefix.member.N.Key` / `.Value` pairs (IAM's Tags).
    func tags(_ prefix: String = "Tags") -> [String: String] {
        var tags: [String: String] = [:]
        var index = 1
        while let key = parameters["\(prefix).member.\(index).Key"] {
            tags[key] = parameters["\(prefix).member.\(index).Value"] ?? ""
            index += 1
        }
        return tags
    }

    func integer(_ name: String) throws -> Int? {
        guard let text = parameters[name] else { return nil }
        guard let value = Int(text) else { throw IAMError.validation("Invalid value for \(name): \(text).") }
        return value
    }

    /// Parses `application/x-www-form-urlencoded` (`+` is a space).
    init(form body: Data) {
        var parameters: [String: String] = [:]
        for pair in String(decoding: body, as: UTF8.self).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ part: Substring) -> String {
                String(part).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(part)
            }
            parameters[decode(parts[0])] = parts.count > 1 ? decode(parts[1]) : ""
        }
        self.parameters = parameters
    }
}

/// AWS's query protocol on `POST /` for the IAM and STS actions Postern serves: form-encoded requests,
/// XML answers and `<ErrorResponse>` errors as boto3's `iam` and `sts` clients parse them. An action
/// declares its service (the SigV4 scope it must be signed for) and who may call it.
struct QueryDispatcher: Sendable {
    enum Service: String, Sendable {
        case iam, sts
        var namespace: String {
            self == .iam ? "https://iam.amazonaws.com/doc/2010-05-08/" : "https://sts.amazonaws.com/doc/2011-06-15/"
        }
        /// IAM is global: requests are signed for us-east-1 whatever the server's region.
        func signingRegion(_ region: String) -> String { self == .iam ? "us-east-1" : region }
    }

    enum Access: Sendable {
        /// Unsigned, as in AWS (AssumeRoleWithWebIdentity).
        case unsigned
        /// Signed with an admin key.
        case admin
        /// Signed with an admin key or temporary credentials (GetCallerIdentity).
        case anyCredentials
    }

    typealias Handler = @Sendable (QueryRequest, QueryCaller, Call, Postern) async throws -> [QueryXML]

    struct Action: Sendable {
        var service: Service
        var name: String
        var access: Access
        var handle: Handler
    }

    let postern: Postern
    let actions: [String: Action]

    init(postern: Postern) {
        self.postern = postern
        actions = Dictionary(uniqueKeysWithValues: (IAMActions.all + STSActions.all).map { ($0.name, $0) })
    }

    /// Whether a `POST /` is a query-protocol request (a form, no `X-Amz-Target`).
    static func accepts(_ request: Request) -> Bool {
        (request.headers[.contentType] ?? "").lowercased().hasPrefix("application/x-www-form-urlencoded")
            && request.headers[.init("X-Amz-Target")!] == nil
    }

    func respond(to request: Request, context: PosternRequestContext, dispatcher: Dispatcher) async -> Response {
        let requestId = UUID().uuidString.lowercased()
        var logger = context.logger
        logger[metadataKey: "request_id"] = "\(requestId)"
        var service = Service.sts
        do {
            let buffer: ByteBuffer
            do {
                buffer = try await request.body.collect(upTo: postern.configuration.maxBodySize)
            } catch {
                throw IAMError("RequestEntityTooLarge", "Request body is larger than 1 MiB.", status: 413)
            }
            let query = QueryRequest(form: Data(buffer.readableBytesView))
            let name = query["Action"] ?? ""
            logger[metadataKey: "operation"] = "\(name)"
            guard let action = actions[name] else { throw IAMError("InvalidAction", "Could not find operation \(name).", status: 400) }
            service = action.service
            let caller = try await authenticate(request, body: buffer, action: action, dispatcher: dispatcher)
            let call = Call(
                requestId: requestId, operation: name, sourceIp: dispatcher.clientAddress(request, context: context),
                userAgent: request.headers[.userAgent].map { Call.capped($0) },
                adminKeyId: { if case .admin(let key) = caller { key } else { nil } }(),
                now: Date())
            let result = try await action.handle(query, caller, call, postern)
            var xml = #"<?xml version="1.0" encoding="UTF-8"?>"#
            QueryXML.element(
                "\(name)Response",
                [.element("\(name)Result", result), .element("ResponseMetadata", [.text("RequestId", requestId)])]
            ).render(into: &xml)
            xml = xml.replacingOccurrences(of: "<\(name)Response>", with: "<\(name)Response xmlns=\"\(service.namespace)\">")
            logger.debug("served")
            return Self.response(status: .ok, requestId: requestId, xml: xml)
        } catch {
            let wire = Self.wireError(error)
            logger.log(
                level: wire.status >= 500 ? .error : .info, "request failed",
                metadata: ["error_type": "\(wire.code)", "error": "\(type(of: error)): \(error)"])
            var xml = #"<?xml version="1.0" encoding="UTF-8"?>"#
            QueryXML.element(
                "ErrorResponse",
                [
                    .element(
                        "Error",
                        [.text("Type", wire.status >= 500 ? "Receiver" : "Sender"), .text("Code", wire.code), .text("Message", wire.message)]),
                    .text("RequestId", requestId),
                ]
            ).render(into: &xml)
            xml = xml.replacingOccurrences(of: "<ErrorResponse>", with: "<ErrorResponse xmlns=\"\(service.namespace)\">")
            return Self.response(status: HTTPResponse.Status(code: wire.status), requestId: requestId, xml: xml)
        }
    }

    /// The caller of a signed action: an admin key, or temporary credentials whose session token this
    /// server sealed (the token carries the secret the signature is checked with).
    func authenticate(_ request: Request, body: ByteBuffer, action: Action, dispatcher: Dispatcher) async throws -> QueryCaller {
        if action.access == .unsigned { return .anonymous }
        var headers = request.headers.map { (name: $0.name.canonicalName, value: $0.value) }
        if let authority = request.head.authority { headers.append((name: "host", value: authority)) }
        let path = request.uri.path
        let signed = SigV4Request(
            method: request.method.rawValue, path: path.isEmpty ? "/" : path, query: request.uri.query ?? "", headers: headers,
            body: Array(buffer: body))
        let region = action.service.signingRegion(postern.configuration.region)
        if let token = request.headers[.init("X-Amz-Security-Token")!] {
            guard let session = SessionCredentials.open(token: token, sealer: postern.master.sessionCredentials) else {
                throw SigV4Error.invalidSecurityToken
            }
            guard Double(session.expiresAt) > Date().timeIntervalSince1970 else {
                throw IAMError("ExpiredToken", "The security token included in the request is expired", status: 403)
            }
            let verifier = SigV4Verifier(
                service: action.service.rawValue, region: region, sessionTokenIsValid: { _, key in key == session.accessKeyId },
                secretFor: { key in key == session.accessKeyId ? session.secretAccessKey : nil })
            _ = try await verifier.verify(signed)
            guard action.access == .anyCredentials else {
                throw IAMError(
                    "AccessDenied", "User: \(session.assumedRoleArn) is not authorized to perform: \(action.service.rawValue):\(action.name)",
                    status: 403)
            }
            return .temporary(session)
        }
        let verifier = dispatcher.adminVerifier(service: action.service.rawValue, region: region)
        return .admin(try await verifier.verify(signed).accessKeyID)
    }

    static func wireError(_ error: any Error) -> IAMError {
        switch error {
        case let error as IAMError: return error
        case let error as SigV4Error:
            switch error {
            case .missingAuthentication: return IAMError("MissingAuthenticationToken", "Request is missing Authentication Token", status: 403)
            case .malformedAuthorization(let part): return IAMError("IncompleteSignature", "Authorization header is malformed: \(part)", status: 400)
            case .unknownAccessKey, .invalidSecurityToken:
                return IAMError("InvalidClientTokenId", "The security token included in the request is invalid.", status: 403)
            case .signatureMismatch, .wrongService, .wrongRegion:
                return IAMError(
                    "SignatureDoesNotMatch",
                    "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
                    status: 403)
            case .requestExpired: return IAMError("RequestExpired", "Request has expired.", status: 400)
            case .keyLookupFailed: return IAMError("ServiceUnavailable", "Service unavailable; try again.", status: 503)
            }
        case let error as DomainError:
            let wire = AWSError.from(error)
            return IAMError(wire.type.replacingOccurrences(of: "Exception", with: ""), wire.message, status: wire.status)
        default:
            let wire = AWSError.from(error)
            return IAMError(wire.status >= 500 ? "InternalFailure" : wire.type, wire.message, status: wire.status)
        }
    }

    static func response(status: HTTPResponse.Status, requestId: String, xml: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/xml"
        headers[.init("x-amzn-RequestId")!] = requestId
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: xml)))
    }
}
