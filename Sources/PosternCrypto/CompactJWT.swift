import Foundation
import PosternCore

/// A JWT in compact serialization (RFC 7519 §3), split and decoded once: header and claims as JSON
/// objects, the signing input and the signature bytes. Nothing here is verified; `PoolSigningKeys`
/// verifies.
///
/// Hand-written because every token-bearing request needs it: splitting a `String` by `Character` and
/// decoding the JSON with `JSONDecoder` twice (jwt-kit's path) were ~20 % of GetUser's server CPU.
public struct CompactJWT: Sendable {
    public let header: [String: JSONValue]
    public let claims: [String: JSONValue]
    /// `base64url(header) "." base64url(claims)`, the bytes the signature covers.
    public let signingInput: ArraySlice<UInt8>
    public let signature: [UInt8]

    /// Nil unless `token` is three base64url segments whose first two are JSON objects.
    public init?(_ token: String) {
        let bytes = Array(token.utf8)
        guard let firstDot = bytes.firstIndex(of: UInt8(ascii: ".")),
            let secondDot = bytes[(firstDot + 1)...].firstIndex(of: UInt8(ascii: ".")),
            !bytes[(secondDot + 1)...].contains(UInt8(ascii: "."))
        else { return nil }
        func decoded(_ segment: ArraySlice<UInt8>) -> Data? { Base64URL.decode(String(decoding: segment, as: UTF8.self)) }
        guard let headerData = decoded(bytes[..<firstDot]), let claimsData = decoded(bytes[(firstDot + 1)..<secondDot]),
            let signature = decoded(bytes[(secondDot + 1)...]),
            case .object(let header)? = try? JSONValue.parse(headerData), case .object(let claims)? = try? JSONValue.parse(claimsData)
        else { return nil }
        self.header = header
        self.claims = claims
        self.signingInput = bytes[..<secondDot]
        self.signature = [UInt8](signature)
    }

    /// The pool id a user-pool token names as the last path segment of its `iss`, unverified.
    public var issuerPoolId: String? {
        guard let iss = claims["iss"]?.stringValue, let slash = iss.utf8.lastIndex(of: UInt8(ascii: "/")) else { return nil }
        let id = iss[iss.index(after: slash)...]
        return id.isEmpty ? nil : String(id)
    }
}
