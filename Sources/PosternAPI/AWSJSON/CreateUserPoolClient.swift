import Foundation
import PosternCore
import PosternCrypto
import PosternStore

/// CreateUserPoolClient: an app client, optionally with a generated or caller-chosen secret.
enum CreateUserPoolClient: AWSOperation {
    static let name = "CreateUserPoolClient"

    struct Response: Encodable, Sendable { var UserPoolClient: JSONValue }

    static func handle(_ request: JSONObject, call: Call, postern: Postern) async throws -> Response {
        let poolId = try request.required("UserPoolId")
        try Validate.userPoolId(poolId)
        let pool = try await postern.directory.pool(poolId)
        let settings = try ClientSettings.from(request: request.members)
        try settings.validateAttributePermissions(schema: pool.settings.schema)
        let secret = try clientSecret(request)
        let id = ClientID(Random.string(26, alphabet: "abcdefghijklmnopqrstuvwxyz0123456789"))
        let created = UserPoolClientCreated(
            poolId: pool.id, clientId: id, settings: settings.json, sealedSecret: try secret.map { try postern.master.secrets.seal($0) })
        try await postern.commit(
            .init(stream: Stream.client(id), expected: .noStream, events: [NewEvent(streamID: Stream.client(id), created)]),
            metadata: call.metadata())
        return Response(UserPoolClient: try DescribeUserPoolClient.describe(try await postern.directory.client(id.rawValue), postern: postern))
    }

    /// `GenerateSecret` or an explicit `ClientSecret` (24–64 characters of `[\w+]`), never both.
    static func clientSecret(_ request: JSONObject) throws -> String? {
        let generate = request.members["GenerateSecret"]?.boolValue ?? false
        if let given = request.string("ClientSecret") {
            if generate { throw DomainError.invalidParameter("ClientSecret cannot be set when GenerateSecret is true.") }
            guard (24...64).contains(given.count), given.range(of: #"^[\w+]+\z"#, options: .regularExpression) != nil else {
                throw DomainError.validation("clientSecret", "Member must satisfy regular expression pattern: [\\w+]+")
            }
            return given
        }
        return generate ? Random.string(51, alphabet: "abcdefghijklmnopqrstuvwxyz0123456789") : nil
    }
}
