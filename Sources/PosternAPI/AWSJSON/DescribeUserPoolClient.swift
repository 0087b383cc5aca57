import Foundation
import PosternCore
import PosternCrypto
import PosternStore

/// DescribeUserPoolClient: the client's configuration, including its secret.
enum DescribeUserPoolClient: AWSOperation {
    static let name = "DescribeUserPoolClient"

    struct Request: Decodable, Sendable {
        var UserPoolId: String
        var ClientId: String
    }

    struct Response: Encodable, Sendable { var UserPoolClient: JSONValue }

    typealias Services = any DirectoryService & KeyService
    static func services(_ postern: Postern) -> Services { postern }

    static func handle(_ request: Request, call: Call, services: Services) async throws -> Response {
        let client = try await load(poolId: request.UserPoolId, clientId: request.ClientId, directory: services.directory)
        return Response(UserPoolClient: try describe(client, keys: services))
    }

    /// Loads a client and checks it belongs to the pool named in the request.
    static func load(poolId: String, clientId: String, directory: DirectoryQueries) async throws -> ClientRecord {
        try Validate.userPoolId(poolId)
        try Validate.clientId(clientId)
        _ = try await directory.pool(poolId)
        let client = try await directory.client(clientId)
        guard client.poolId.rawValue == poolId else { throw DomainError.resourceNotFound("User pool client \(clientId) does not exist.") }
        return client
    }

    /// The `UserPoolClientType` of a client.
    static func describe(_ client: ClientRecord, keys: any KeyService) throws -> JSONValue {
        var object = client.settings.json.objectValue ?? [:]
        object["UserPoolId"] = .string(client.poolId.rawValue)
        object["ClientId"] = .string(client.id.rawValue)
        object["CreationDate"] = .double(client.createdAt.timeIntervalSince1970)
        object["LastModifiedDate"] = .double(client.updatedAt.timeIntervalSince1970)
        if let sealed = client.sealedSecret {
            object["ClientSecret"] = .string(String(decoding: try keys.master.secrets.open(sealed), as: UTF8.self))
        }
        return .object(object)
    }
}
