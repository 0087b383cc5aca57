import Foundation

/// Signs requests with AWS Signature Version 4, as botocore does; for tests and the command-line client.
public struct SigV4Signer: Sendable {
    /// The access key id placed in the credential scope.
    public let accessKeyID: String
    /// The session token sent as `X-Amz-Security-Token`, if any.
    public let sessionToken: String?
    /// The region of the credential scope, e.g. `us-east-1`.
    public let region: String
    /// The service of the credential scope, e.g. `cognito-idp`.
    public let service: String
    private let secretAccessKey: String

    /// Headers botocore never signs.
    static let unsignedHeaders: Set<String> = ["authorization", "expect", "transfer-encoding", "user-agent", "x-amzn-trace-id"]

    /// A signer for one credential and scope.
    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil, region: String, service: String) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.region = region
        self.service = service
    }

    /// Returns `request` with `X-Amz-Date`, `X-Amz-Security-Token` (with a session token) and `Authorization`
    /// set, replacing earlier ones. Every other header is signed except those botocore skips (`User-Agent`,
    /// `Expect`, …); the request must already carry `Host`.
    public func sign(_ request: SigV4Request, at date: Date) -> SigV4Request {
        var signed = request
        let replaced: Set<String> = ["authorization", "x-amz-date", "x-amz-security-token"]
        signed.headers.removeAll { replaced.contains($0.name.lowercased()) }
        let amzDate = SigV4Canonical.formatAmzDate(date)
        signed.headers.append((name: "X-Amz-Date", value: amzDate))
        if let sessionToken {
            signed.headers.append((name: "X-Amz-Security-Token", value: sessionToken))
        }

        let names = Set(signed.headers.map { $0.name.lowercased() }).subtracting(Self.unsignedHeaders)
        let signedHeaders = names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        let day = String(amzDate.prefix(8))
        let canonicalRequest =
            SigV4Canonical.canonicalRequest(
                method: signed.method,
                path: signed.path,
                query: signed.query,
                headers: signed.headers,
                signedHeaders: signedHeaders,
                payloadHash: SigV4Canonical.hexSHA256(signed.body)
            ) ?? ""  // every name comes from `signed.headers`, so no header can be missing
        let scope = SigV4Canonical.scope(date: day, region: region, service: service)
        let signature = SigV4Canonical.signature(
            secret: secretAccessKey,
            date: day,
            region: region,
            service: service,
            stringToSign: SigV4Canonical.stringToSign(amzDate: amzDate, scope: scope, canonicalRequest: canonicalRequest)
        )
        let authorization =
            "\(SigV4Canonical.algorithm) Credential=\(accessKeyID)/\(scope), "
            + "SignedHeaders=\(signedHeaders.joined(separator: ";")), Signature=\(signature)"
        signed.headers.append((name: "Authorization", value: authorization))
        return signed
    }
}

extension SigV4Signer: CustomStringConvertible {
    /// Never the secret key or session token.
    public var description: String { "SigV4Signer(\(accessKeyID), \(region), \(service))" }
}
