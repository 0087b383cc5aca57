import Foundation
import PosternCore
import PosternStore

extension IdentityAPI {
    /// TagResource on an identity pool's ARN.
    enum TagResource: AWSOperation {
        static let name = "TagResource"
        typealias Services = any IdentityPoolService
        static func services(_ postern: Postern) -> Services { postern }

        static func handle(_ request: JSONObject, call: Call, services: Services) async throws -> EmptyResponse {
            var validation = ModelValidation()
            validation.required(request.members["Tags"], "tags")
            try validation.check()
            let id = try poolId(arn: try request.requiredMember("ResourceArn"), account: services.accountId)
            let pool = try await services.identityPoolConfiguration(id)
            try await services.commit(try pool.tag(request.members["Tags"]), to: pool, call: call)
            return EmptyResponse()
        }
    }

    /// UntagResource on an identity pool's ARN.
    enum UntagResource: AWSOperation {
        static let name = "UntagResource"
        typealias Services = any IdentityPoolService
        static func services(_ postern: Postern) -> Services { postern }

        static func handle(_ request: JSONObject, call: Call, services: Services) async throws -> EmptyResponse {
            var validation = ModelValidation()
            validation.required(request.members["TagKeys"], "tagKeys")
            try validation.check()
            let id = try poolId(arn: try request.requiredMember("ResourceArn"), account: services.accountId)
            let pool = try await services.identityPoolConfiguration(id)
            let keys = (request.members["TagKeys"]?.arrayValue ?? []).compactMap(\.stringValue)
            try await services.commit(try pool.untag(keys), to: pool, call: call)
            return EmptyResponse()
        }
    }

    /// ListTagsForResource on an identity pool's ARN.
    enum ListTagsForResource: AWSOperation {
        static let name = "ListTagsForResource"
        typealias Services = any IdentityPoolService
        static func services(_ postern: Postern) -> Services { postern }

        static func handle(_ request: JSONObject, call: Call, services: Services) async throws -> JSONValue {
            let id = try poolId(arn: try request.requiredMember("ResourceArn"), account: services.accountId)
            let pool = try await services.identityPoolConfiguration(id)
            return .object(["Tags": .object(pool.tags.mapValues { .string($0) })])
        }
    }
}
