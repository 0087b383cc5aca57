import Foundation
import PosternCore
import PosternCrypto
import PosternStore

/// One Cognito operation: its request and response shapes and the handler between them.
protocol AWSOperation: SendableMetatype {
    associatedtype Request: Decodable & Sendable
    associatedtype Response: Encodable & Sendable
    /// The services the handler uses: a composition of the service protocols in `Services/Services.swift`
    /// (e.g. `any EventLogService & ClientAccessService`), so the signature says what the operation can
    /// read, write, run or sign. `Postern` provides them all.
    associatedtype Services: Sendable = Postern
    static var name: String { get }
    /// `postern` as `Services`: one line per operation (`{ postern }`), checked by the compiler.
    static func services(_ postern: Postern) -> Services
    static func handle(_ request: Request, call: Call, services: Services) async throws -> Response
}

extension AWSOperation where Services == Postern {
    static func services(_ postern: Postern) -> Postern { postern }
}

/// An operation without output members answers `{}`.
struct EmptyResponse: Encodable, Sendable {}

/// What the wire layer knows about the call being served: who, from where, when.
struct Call: Sendable {
    var requestId: String
    var operation: String
    var sourceIp: String?
    var userAgent: String?
    /// The admin access key that signed the request (signed operations only).
    var adminKeyId: String?
    var now: Date
    /// The verified access token of an `OperationAccess.accessToken` operation, with its user as of
    /// this attempt.
    var identity: AccessTokenIdentity?

    /// The signed-in caller of an access-token operation.
    func signedIn() throws -> AccessTokenIdentity {
        guard let identity else { throw DomainError.notAuthorized("Invalid Access Token") }
        return identity
    }

    /// What a request may put into event metadata: a User-Agent is cut to 1 KiB (on a character boundary).
    static func capped(_ text: String, bytes: Int = 1024) -> String {
        guard text.utf8.count > bytes else { return text }
        var result = ""
        for character in text {
            guard result.utf8.count + character.utf8.count <= bytes else { break }
            result.append(character)
        }
        return result
    }

    /// Event metadata for this call; `actor` is the admin key, a user's sub, or "anonymous".
    func metadata(actor: String? = nil, clientId: ClientID? = nil) -> EventMetadata {
        EventMetadata(
            requestId: requestId, actor: actor ?? adminKeyId.map { "admin:\($0)" } ?? "anonymous", clientId: clientId?.rawValue,
            sourceIp: sourceIp, userAgent: userAgent, operation: operation)
    }
}

/// Encoders for the wire: timestamps as epoch seconds, as botocore and every SDK read them.
enum WireJSON {
    static func encode(_ value: some Encodable) throws -> Data {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .secondsSince1970
        encoder.outputFormatting = .withoutEscapingSlashes
        return try encoder.encode(value)
    }

    /// Parses with `JSONParser` and decodes from the tree: one strict pass over the text instead of
    /// Foundation's `JSONDecoder`, with the same values and errors.
    static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        try JSONTreeDecoder().decode(T.self, from: try JSONValue.parse(data))
    }
}
