import Foundation
import PosternCore
import PosternStore

extension IdentityAPI {
    /// CreateIdentityPool: a new identity pool `{region}:{uuid}` with its configuration and tags.
    enum CreateIdentityPool: AWSOperation {
        static let name = "CreateIdentityPool"
        typealias Services = any IdentityPoolService
        static func services(_ postern: Postern) -> Services { postern }

        static func handle(_ request: JSONObject, call: Call, services: Services) async throws -> JSONValue {
            let id = IdentityPoolID("\(services.region):\(UUID().uuidString.lowercased())")
            let created = try IdentityPoolConfiguration.create(id: id, request: request.members)
            let stream = Stream.identityPool(id)
            try await services.commit(
                .init(stream: stream, expected: .noStream, events: [NewEvent(streamID: stream, created)]), metadata: call.metadata())
            guard let pool = IdentityPoolConfiguration.fold([created]) else { throw DomainError.resourceNotFound(id.rawValue) }
            return describe(pool)
        }
    }

    /// DescribeIdentityPool.
    enum DescribeIdentityPool: AWSOperation {
        static let name = "DescribeIdentityPool"
        typealias Services = any IdentityPoolService
        static func services(_ postern: Postern) -> Services { postern }

        static func handle(_ request: JSONObject, call: Call, services: Services) async throws -> JSONValue {
            describe(try await services.identityPoolConfiguration(try request.requiredMember("IdentityPoolId")))
        }
    }

    /// UpdateIdentityPool: the configuration replaced (`IdentityPoolConfiguration.update`).
    enum UpdateIdentityPool: AWSOperation {
        static let name = "UpdateIdentityPool"
        typealias Services = any IdentityPoolService
        static func services(_ postern: Postern) -> Services { postern }

        static func handle(_ request: JSONObject, call: Call, services: Services) async throws -> JSONValue {
            let pool = try await services.identityPoolConfiguration(try request.requiredMember("IdentityPoolId"))
            let updated = try pool.update(request: request.members)
            try await services.commit(updated, to: pool, call: call)
            return describe(IdentityPoolConfiguration.evolve(pool, with: updated) ?? pool)
        }
    }

    /// DeleteIdentityPool.
    enum DeleteIdentityPool: AWSOperation {
        static let name = "DeleteIdentityPool"
        typealias Services = any IdentityPoolService
        static func services(_ postern: Postern) -> Services { postern }

        static func handle(_ request: JSONObject, call: Call, services: Services) async throws -> EmptyResponse {
            let pool = try await services.identityPoolConfiguration(try request.requiredMember("IdentityPoolId"))
            try await services.commit(pool.delete(), to: pool, call: call)
            return EmptyResponse()
        }
    }

    /// ListIdentityPools: `{IdentityPoolId, IdentityPoolName}` in id order, MaxResults 1–60.
    enum ListIdentityPools: AWSOperation {
        static let name = "ListIdentityPools"
        typealias Services = any IdentityPoolService
        static func services(_ postern: Postern) -> Services { postern }

        struct Response: Encodable, Sendable {
            var IdentityPools: [JSONValue]
            var NextToken: String?
        }

        static func handle(_ request: JSONObject, call: Call, services: Services) async throws -> Response {
            var validation = ModelValidation()
            validation.required(request.members["MaxResults"], "maxResults")
            validation.integer(request.members["MaxResults"]?.intValue, "maxResults", range: 1...60)
            validation.string(request.string("NextToken"), "nextToken", length: 1...65535, pattern: #"[\S]+"#)
            try validation.check()
            let limit = request.members["MaxResults"]?.intValue ?? 60
            let after = try request.string("NextToken").map { token in
                guard let data = Data(base64Encoded: token), let id = String(data: data, encoding: .utf8) else {
                    throw DomainError.invalidParameter("Invalid NextToken.")
                }
                return id
            }
            let pools = try await services.directory.identityPools(after: after, limit: limit + 1)
            let page = pools.prefix(limit)
            let next = pools.count > limit ? page.last.map { Data($0.configuration.id.rawValue.utf8).base64EncodedString() } : nil
            return Response(
                IdentityPools: page.map {
                    .object(["IdentityPoolId": .string($0.configuration.id.rawValue), "IdentityPoolName": .string($0.configuration.name)])
                },
                NextToken: next)
        }
    }
}
