import Foundation
import PosternCore
import PosternStore

extension IdentityAPI {
    /// SetIdentityPoolRoles: default roles and role mappings, replaced as a whole.
    enum SetIdentityPoolRoles: AWSOperation {
        static let name = "SetIdentityPoolRoles"
        typealias Services = any IdentityPoolService
        static func services(_ postern: Postern) -> Services { postern }

        static func handle(_ request: JSONObject, call: Call, services: Services) async throws -> EmptyResponse {
            var validation = ModelValidation()
            validation.required(request.members["Roles"], "roles")
            try validation.check()
            let pool = try await services.identityPoolConfiguration(try request.requiredMember("IdentityPoolId"))
            let set = try pool.setRoles(request: request.members, sameProvider: { services.sameProvider($0, $1) })
            try await services.commit(set, to: pool, call: call)
            return EmptyResponse()
        }
    }

    /// GetIdentityPoolRoles.
    enum GetIdentityPoolRoles: AWSOperation {
        static let name = "GetIdentityPoolRoles"
        typealias Services = any IdentityPoolService
        static func services(_ postern: Postern) -> Services { postern }

        static func handle(_ request: JSONObject, call: Call, services: Services) async throws -> JSONValue {
            let pool = try await services.identityPoolConfiguration(try request.requiredMember("IdentityPoolId"))
            var members: [String: JSONValue] = [
                "IdentityPoolId": .string(pool.id.rawValue), "Roles": .object(pool.roles.mapValues { .string($0) }),
            ]
            if let mappings = pool.roleMappings.objectValue, !mappings.isEmpty { members["RoleMappings"] = pool.roleMappings }
            return .object(members)
        }
    }

    /// SetPrincipalTagAttributeMap: which claims of a provider's tokens become session tags.
    enum SetPrincipalTagAttributeMap: AWSOperation {
        static let name = "SetPrincipalTagAttributeMap"
        typealias Services = any IdentityPoolService
        static func services(_ postern: Postern) -> Services { postern }

        static func handle(_ request: JSONObject, call: Call, services: Services) async throws -> JSONValue {
            let pool = try await services.identityPoolConfiguration(try request.requiredMember("IdentityPoolId"))
            let provider = try request.requiredMember("IdentityProviderName")
            let set = try pool.setPrincipalTags(
                provider: provider, useDefaults: request.members["UseDefaults"]?.boolValue ?? false,
                tags: request.members["PrincipalTags"]?.objectValue ?? [:])
            try await services.commit(set, to: pool, call: call)
            return GetPrincipalTagAttributeMap.describe(pool.id, provider, .init(useDefaults: set.useDefaults, tags: set.principalTags))
        }
    }

    /// GetPrincipalTagAttributeMap.
    enum GetPrincipalTagAttributeMap: AWSOperation {
        static let name = "GetPrincipalTagAttributeMap"
        typealias Services = any IdentityPoolService
        static func services(_ postern: Postern) -> Services { postern }

        static func handle(_ request: JSONObject, call: Call, services: Services) async throws -> JSONValue {
            let pool = try await services.identityPoolConfiguration(try request.requiredMember("IdentityPoolId"))
            let provider = try request.requiredMember("IdentityProviderName")
            return describe(pool.id, provider, pool.principalTags[provider] ?? .init(useDefaults: false, tags: [:]))
        }

        static func describe(_ id: IdentityPoolID, _ provider: String, _ map: IdentityPoolConfiguration.PrincipalTagMap) -> JSONValue {
            .object([
                "IdentityPoolId": .string(id.rawValue), "IdentityProviderName": .string(provider), "UseDefaults": .bool(map.useDefaults),
                "PrincipalTags": .object(map.tags.mapValues { .string($0) }),
            ])
        }
    }
}
