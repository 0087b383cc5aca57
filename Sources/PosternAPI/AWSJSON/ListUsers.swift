import Foundation
import PosternCore
import PosternCrypto
import PosternStore
import PostgresNIO

/// ListUsers: users of a pool in username order, filtered by one attribute, paged with `PaginationToken`.
enum ListUsers: AWSOperation {
    static let name = "ListUsers"

    struct Request: Decodable, Sendable {
        var UserPoolId: String
        var AttributesToGet: [String]?
        var Limit: Int?
        var PaginationToken: String?
        var Filter: String?
    }

    struct Response: Encodable, Sendable {
        var Users: [UserType]
        var PaginationToken: String?
    }

    typealias Services = any DirectoryService
    static func services(_ postern: Postern) -> Services { postern }

    static func handle(_ request: Request, call: Call, services: Services) async throws -> Response {
        try Validate.userPoolId(request.UserPoolId)
        try Validate.limit(request.Limit, member: "limit", range: 0...60)
        let pool = try await services.directory.pool(request.UserPoolId)
        let filter = try UserFilter.parse(request.Filter ?? "")
        let limit = request.Limit.flatMap { $0 == 0 ? nil : $0 } ?? 60
        let after = try request.PaginationToken.map { token -> String in
            guard let data = Base64URL.decode(token) else { throw DomainError.invalidParameter("Invalid pagination token.") }
            return String(decoding: data, as: UTF8.self)
        }
        var query = PostgresQuery(
            unsafeSQL: "SELECT \(DirectoryQueries.userColumns) FROM directory.users WHERE pool_id = $1 AND ($2::text IS NULL OR username_key > $2)")
        query.binds.append(pool.id.rawValue)
        query.binds.append(after)
        if let filter {
            query.sql += " AND " + condition(for: filter)
            query.binds.append(filter.match == .prefix ? escapeLike(filter.value) + "%" : filter.value)
        }
        query.sql += " ORDER BY username_key LIMIT \(limit + 1)"
        let users = try await services.directory.users(query)
        let page = users.prefix(limit)
        let token =
            users.count > limit
            ? page.last.map { Base64URL.encode(Data($0.usernameKey.utf8)) } : nil
        return Response(Users: page.map { UserType($0, attributesToGet: request.AttributesToGet) }, PaginationToken: token)
    }

    /// The SQL condition for a filter, with the value as parameter `$3`. Attribute values match
    /// case-insensitively; username, status and sub exactly (spec/user-pools.md "ListUsers filter").
    static func condition(for filter: UserFilter) -> String {
        let prefix = filter.match == .prefix
        switch filter.attribute {
        case "username": return prefix ? "username LIKE $3" : "username = $3"
        case "sub": return prefix ? "sub LIKE $3" : "sub = $3"
        case "cognito:user_status": return prefix ? "lower(status) LIKE lower($3)" : "lower(status) = lower($3)"
        case "status":
            return prefix
                ? "(CASE WHEN enabled THEN 'Enabled' ELSE 'Disabled' END) LIKE $3"
                : "(CASE WHEN enabled THEN 'Enabled' ELSE 'Disabled' END) = $3"
        default:
            let column = "lower(attributes->>'\(filter.attribute)')"
            return prefix ? "\(column) LIKE lower($3)" : "\(column) = lower($3)"
        }
    }

    static func escapeLike(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_")
    }
}
