import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import PosternCore

/// The credentials another STS answered with.
struct UpstreamCredentials: Sendable, Equatable {
    var accessKeyId: String
    var secretAccessKey: String
    var sessionToken: String
    var expiration: Date
}

/// Why the upstream STS gave no credentials: it refused (its error code and message), or it could not
/// be reached or answered something unreadable.
enum UpstreamSTSError: Error, Equatable {
    case refused(code: String, message: String)
    case unavailable(String)
}

/// AWS STS (or a stand-in such as moto) as GetCredentialsForIdentity's upstream: an unsigned
/// `AssumeRoleWithWebIdentity` with the identity's OpenID token, as Cognito's basic flow does against
/// AWS STS. The upstream must trust this server's identity-pool issuer as an IAM OIDC provider.
struct UpstreamSTS: Sendable {
    let endpoint: String
    let client: HTTPClient

    func assumeRoleWithWebIdentity(roleArn: String, token: String, sessionName: String, duration: Int) async throws(UpstreamSTSError)
        -> UpstreamCredentials
    {
        let form = [
            ("Action", "AssumeRoleWithWebIdentity"), ("Version", "2011-06-15"), ("RoleArn", roleArn), ("RoleSessionName", sessionName),
            ("WebIdentityToken", token), ("DurationSeconds", String(duration)),
        ].map { "\($0)=\(Self.formEncode($1))" }.joined(separator: "&")
        var request = HTTPClientRequest(url: endpoint)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded; charset=utf-8")
        request.body = .bytes(ByteBuffer(string: form))
        let status: UInt
        let body: String
        do {
            let response = try await client.execute(request, timeout: .seconds(10))
            status = response.status.code
            body = String(buffer: try await response.body.collect(upTo: 1 << 20))
        } catch {
            throw .unavailable("\(type(of: error))")
        }
        guard status == 200 else {
            guard let code = Self.element("Code", in: body) else { throw .unavailable("HTTP \(status)") }
            throw .refused(code: code, message: Self.element("Message", in: body) ?? "")
        }
        guard let key = Self.element("AccessKeyId", in: body), let secret = Self.element("SecretAccessKey", in: body),
            let session = Self.element("SessionToken", in: body), let expiration = Self.element("Expiration", in: body),
            let date = Self.parseDate(expiration)
        else { throw .unavailable("the answer holds no credentials") }
        return UpstreamCredentials(accessKeyId: key, secretAccessKey: secret, sessionToken: session, expiration: date)
    }

    /// The text of the first `<name>` element: STS's answers are flat enough that a parser buys nothing.
    static func element(_ name: String, in xml: String) -> String? {
        guard let open = xml.range(of: "<\(name)>"), let close = xml.range(of: "</\(name)>", range: open.upperBound..<xml.endIndex) else {
            return nil
        }
        return String(xml[open.upperBound..<close.lowerBound])
            .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&apos;", with: "'")
            .replacingOccurrences(of: "&amp;", with: "&")
    }

    static func parseDate(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text)
    }

    static func formEncode(_ value: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
    }
}
