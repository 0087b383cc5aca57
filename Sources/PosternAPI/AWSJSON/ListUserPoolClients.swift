import Foundation
import PosternCore
import PosternCrypto
import PosternStore

/// ListUserPoolClients: id, name and pool of each client, paged with `NextToken`.
enum ListUserPoolClients: AWSOperation {
    static let name = "ListUserPoolClients"

    struct Request: Decodable, Sendable {
        var UserPoolId: String
        var MaxResults: Int?
        var NextToken: String?
    }

    struct Description: Encodable, Sendable {
        var ClientId: String
        var UserPoolId: String
        var ClientName: String
    }

    struct Response: Encodable, Sendable {
        var UserPoolClients: [Description]
        var NextToken: String?
    }

    typealias Services = any DirectoryService
    static func services(_ postern: Postern) -> Services { postern }

    static func handle(_ request: Request, call: Call, services: Services) async throws -> Response {
        try Validate.userPoolId(request.UserPoolId)
        try Validate.limit(request.MaxResults, member: "maxResults", range: 1...60)
        let pool = try await services.directory.pool(request.UserPoolId)
        let limit = request.MaxResults ?? 60
        let after = request.NextToken.flatMap(Base64URL.decode).map { String(decoding: $0, as: UTF8.self) }
        let clients = try await services.directory.clients(pool: pool.id, after: after, limit: limit + 1)
        let page = clients.prefix(limit)
        return Response(
            UserPoolClients: page.map { Description(ClientId: $0.id.rawValue, UserPoolId: $0.poolId.rawValue, ClientName: $0.settings.name) },
            NextToken: clients.count > limit ? page.last.map { Base64URL.encode(Data($0.id.rawValue.utf8)) } : nil)
    }
}
