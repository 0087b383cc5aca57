import Foundation
import PosternCore
import PosternCrypto
import PosternStore

/// ListUserPools: pools in id order, paged with `NextToken` (the last id of the previous page).
enum ListUserPools: AWSOperation {
    static let name = "ListUserPools"

    struct Request: Decodable, Sendable {
        var MaxResults: Int
        var NextToken: String?
    }

    struct Description: Encodable, Sendable {
        var Id: String
        var Name: String
        var LambdaConfig: JSONValue
        var LastModifiedDate: Date
        var CreationDate: Date
    }

    struct Response: Encodable, Sendable {
        var UserPools: [Description]
        var NextToken: String?
    }

    typealias Services = any DirectoryService
    static func services(_ postern: Postern) -> Services { postern }

    static func handle(_ request: Request, call: Call, services: Services) async throws -> Response {
        try Validate.limit(request.MaxResults, member: "maxResults", range: 1...60)
        let after = try request.NextToken.map { token in
            guard let id = Base64URL.decode(token).map({ String(decoding: $0, as: UTF8.self) }) else {
                throw DomainError.invalidParameter("Invalid NextToken.")
            }
            return id
        }
        let pools = try await services.directory.pools(after: after, limit: request.MaxResults + 1)
        let page = pools.prefix(request.MaxResults)
        return Response(
            UserPools: page.map {
                Description(
                    Id: $0.id.rawValue, Name: $0.name, LambdaConfig: $0.settings.json["LambdaConfig"] ?? .object([:]),
                    LastModifiedDate: $0.updatedAt, CreationDate: $0.createdAt)
            },
            NextToken: pools.count > request.MaxResults ? page.last.map { Base64URL.encode(Data($0.id.rawValue.utf8)) } : nil)
    }
}
