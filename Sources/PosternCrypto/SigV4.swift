import Foundation

/// The parts of an HTTP request that AWS Signature Version 4 covers.
public struct SigV4Request: Sendable {
    /// The HTTP method, e.g. `POST`.
    public var method: String
    /// The path as sent on the wire (still percent-encoded), e.g. `/`.
    public var path: String
    /// The query string as sent on the wire, without `?`; empty if none.
    public var query: String
    /// Header fields in wire order; names in any case, repeated names allowed.
    public var headers: [(name: String, value: String)]
    /// The body bytes exactly as received.
    public var body: [UInt8]

    /// A request as received (or, for ``SigV4Signer``, as about to be sent).
    public init(method: String, path: String, query: String = "", headers: [(name: String, value: String)], body: [UInt8] = []) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }

    /// The values of every header named `name` (case-insensitive), in order.
    public func values(ofHeader name: String) -> [String] {
        let name = name.lowercased()
        return headers.filter { $0.name.lowercased() == name }.map(\.value)
    }
}

extension SigV4Request: CustomStringConvertible {
    /// Method, path and sizes only: headers carry credentials and signatures.
    public var description: String {
        "SigV4Request(\(method) \(path), \(headers.count) headers, \(body.count)-byte body)"
    }
}

/// Why a request's SigV4 signature was not accepted.
public enum SigV4Error: Error, Sendable, Equatable {
    /// No `Authorization` header (an anonymous request).
    case missingAuthentication
    /// The `Authorization` header or a header it depends on cannot be parsed; the text says which part.
    case malformedAuthorization(String)
    /// The credential's access key id is not known.
    case unknownAccessKey
    /// The signature does not match the request.
    case signatureMismatch
    /// `X-Amz-Date` is outside the allowed clock skew.
    case requestExpired
    /// The credential scope names another service.
    case wrongService
    /// The credential scope names another region than the server's.
    case wrongRegion
    /// The request carries an `X-Amz-Security-Token` that names no live session credential.
    case invalidSecurityToken
    /// The secret of the access key could not be looked up (the key store is unavailable): a server
    /// error, never a refusal, so an outage is not mistaken for a bad credential.
    case keyLookupFailed
}

/// Verifies AWS Signature Version 4 (`AWS4-HMAC-SHA256` in the `Authorization` header) on awsJson requests,
/// as botocore and the AWS SDKs send them.
///
/// Presigned URLs (query-string authentication) are not supported. When `x-amz-content-sha256` is present
/// it must equal the body's hash (so `UNSIGNED-PAYLOAD` is refused). `host`, `x-amz-date` and every
/// `x-amz-*` header the request carries must be signed: an unsigned one could be added or changed in
/// transit (a token, a content hash, a target) without breaking the signature. The credential scope
/// must name this server's service and region. A request with `X-Amz-Security-Token` is refused unless
/// `sessionTokenIsValid` accepts the token for the access key; without that check every token is refused.
public struct SigV4Verifier: Sendable {
    /// The service the credential scope must name, e.g. `cognito-idp`.
    public let service: String
    /// The region the credential scope must name, e.g. `us-east-1`.
    public let region: String
    /// The largest accepted distance between `X-Amz-Date` and `now()`.
    public let maxSkew: TimeInterval
    private let now: @Sendable () -> Date
    private let secretFor: @Sendable (String) async throws -> String?
    private let sessionTokenIsValid: (@Sendable (_ token: String, _ accessKeyID: String) async -> Bool)?

    /// A verifier for `service` in `region`.
    ///
    /// - Parameters:
    ///   - secretFor: The secret access key for an access key id, or `nil` if unknown; throws when it cannot tell.
    ///   - sessionTokenIsValid: Whether a session token belongs to the access key (temporary credentials);
    ///     `nil` refuses every request that carries a token.
    public init(
        service: String,
        region: String,
        now: @escaping @Sendable () -> Date = Date.init,
        maxSkew: TimeInterval = 300,
        sessionTokenIsValid: (@Sendable (_ token: String, _ accessKeyID: String) async -> Bool)? = nil,
        secretFor: @escaping @Sendable (String) async throws -> String?
    ) {
        self.service = service
        self.region = region
        self.now = now
        self.maxSkew = maxSkew
        self.sessionTokenIsValid = sessionTokenIsValid
        self.secretFor = secretFor
    }

    /// Checks the request's signature; returns the access key id and the region from its credential scope.
    public func verify(_ request: SigV4Request) async throws(SigV4Error) -> (accessKeyID: String, region: String) {
        let headers = request.values(ofHeader: "authorization")
        guard let header = headers.first else { throw .missingAuthentication }
        guard headers.count == 1 else { throw .malformedAuthorization("more than one Authorization header") }
        let authorization = try SigV4Authorization(parsing: header)
        guard authorization.service == service else { throw .wrongService }
        guard authorization.region == region else { throw .wrongRegion }
        guard authorization.signedHeaders.contains("x-amz-date") else { throw .malformedAuthorization("x-amz-date must be signed") }
        let sentAmzHeaders = Set(request.headers.map { $0.name.lowercased() }.filter { $0.hasPrefix("x-amz-") })
        if let unsigned = sentAmzHeaders.subtracting(authorization.signedHeaders).sorted().first {
            throw .malformedAuthorization("\(unsigned) must be signed")
        }

        let dates = request.values(ofHeader: "x-amz-date")
        guard dates.count == 1, let amzDate = dates.first, let date = SigV4Canonical.parseAmzDate(amzDate) else {
            throw .malformedAuthorization("X-Amz-Date must be one yyyyMMdd'T'HHmmss'Z' value")
        }
        guard amzDate.hasPrefix(authorization.date) else {
            throw .malformedAuthorization("credential date does not match X-Amz-Date")
        }
        guard abs(date.timeIntervalSince(now())) <= maxSkew else { throw .requestExpired }
        let tokens = request.values(ofHeader: "x-amz-security-token")
        if let token = tokens.first {
            guard tokens.count == 1 else { throw .malformedAuthorization("more than one X-Amz-Security-Token header") }
            guard let sessionTokenIsValid, await sessionTokenIsValid(token, authorization.accessKeyID) else {
                throw .invalidSecurityToken
            }
        }

        let found: String?
        do { found = try await secretFor(authorization.accessKeyID) } catch { throw .keyLookupFailed }
        guard let secret = found else { throw .unknownAccessKey }

        let payloadHash = SigV4Canonical.hexSHA256(request.body)
        if let declared = request.values(ofHeader: "x-amz-content-sha256").first,
            !constantTimeEquals(declared.lowercased(), payloadHash)
        {
            throw .signatureMismatch
        }
        guard
            let canonicalRequest = SigV4Canonical.canonicalRequest(
                method: request.method,
                path: request.path,
                query: request.query,
                headers: request.headers,
                signedHeaders: authorization.signedHeaders,
                payloadHash: payloadHash
            )
        else { throw .malformedAuthorization("a signed header is missing from the request") }
        let scope = SigV4Canonical.scope(date: authorization.date, region: authorization.region, service: authorization.service)
        let expected = SigV4Canonical.signature(
            secret: secret,
            date: authorization.date,
            region: authorization.region,
            service: authorization.service,
            stringToSign: SigV4Canonical.stringToSign(amzDate: amzDate, scope: scope, canonicalRequest: canonicalRequest)
        )
        guard constantTimeEquals(expected, authorization.signature) else { throw .signatureMismatch }
        return (authorization.accessKeyID, authorization.region)
    }
}

/// The parsed `Authorization: AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…` header.
struct SigV4Authorization {
    let accessKeyID: String
    let date: String
    let region: String
    let service: String
    let signedHeaders: [String]
    /// Lowercase hex, 64 digits.
    let signature: String

    init(parsing header: String) throws(SigV4Error) {
        let prefix = SigV4Canonical.algorithm + " "
        guard header.hasPrefix(prefix) else { throw .malformedAuthorization("algorithm must be \(SigV4Canonical.algorithm)") }
        var fields: [String: String] = [:]
        for component in header.dropFirst(prefix.count).split(separator: ",") {
            let parts = component.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = parts[0].trimmingCharacters(in: .whitespaces)
            guard parts.count == 2, fields[key] == nil else { throw .malformedAuthorization("malformed component") }
            fields[key] = parts[1].trimmingCharacters(in: .whitespaces)
        }
        guard let credential = fields["Credential"], let signedHeaders = fields["SignedHeaders"],
            let signature = fields["Signature"]
        else { throw .malformedAuthorization("Credential, SignedHeaders and Signature are required") }

        let scope = credential.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard scope.count == 5, !scope[0].isEmpty, !scope[2].isEmpty, !scope[3].isEmpty,
            scope[1].utf8.count == 8, scope[1].utf8.allSatisfy({ (0x30...0x39).contains($0) })
        else { throw .malformedAuthorization("Credential must be AKID/yyyyMMdd/region/service/aws4_request") }
        guard scope[4] == SigV4Canonical.terminator else { throw .malformedAuthorization("credential scope must end in aws4_request") }

        let names = signedHeaders.split(separator: ";", omittingEmptySubsequences: false).map(String.init)
        guard !names.isEmpty, names.allSatisfy({ !$0.isEmpty && $0 == $0.lowercased() }), Set(names).count == names.count else {
            throw .malformedAuthorization("SignedHeaders must be distinct lowercase names")
        }
        guard names.contains("host") else { throw .malformedAuthorization("host must be signed") }

        let normalizedSignature = signature.lowercased()
        guard normalizedSignature.utf8.count == 64, BigNumber(hex: normalizedSignature) != nil else {
            throw .malformedAuthorization("Signature must be 64 hex digits")
        }
        self.accessKeyID = scope[0]
        self.date = scope[1]
        self.region = scope[2]
        self.service = scope[3]
        self.signedHeaders = names
        self.signature = normalizedSignature
    }
}
