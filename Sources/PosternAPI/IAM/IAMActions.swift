import Foundation
import PosternCore
import PosternCrypto
import PosternStore

/// The IAM actions Postern serves (roles and their inline policies: what identity pools assume and
/// what the gateway evaluates), admin-signed, on the query protocol.
enum IAMActions {
    static let all: [QueryDispatcher.Action] =
        [
            .init(service: .iam, name: "CreateRole", access: .admin, handle: createRole),
            .init(service: .iam, name: "GetRole", access: .admin, handle: getRole),
            .init(service: .iam, name: "ListRoles", access: .admin, handle: listRoles),
            .init(service: .iam, name: "DeleteRole", access: .admin, handle: deleteRole),
            .init(service: .iam, name: "UpdateAssumeRolePolicy", access: .admin, handle: updateAssumeRolePolicy),
            .init(service: .iam, name: "PutRolePolicy", access: .admin, handle: putRolePolicy),
            .init(service: .iam, name: "GetRolePolicy", access: .admin, handle: getRolePolicy),
            .init(service: .iam, name: "DeleteRolePolicy", access: .admin, handle: deleteRolePolicy),
            .init(service: .iam, name: "ListRolePolicies", access: .admin, handle: listRolePolicies),
        ] + IAMPolicyActions.all + IAMSimulationActions.all + IAMOpenIDConnectActions.all + IAMSAMLActions.all

    /// `AROA` and 17 upper-case letters and digits, as IAM's role ids look.
    static func newRoleId() -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        return "AROA" + String(Random.bytes(17).map { alphabet[Int($0) % alphabet.count] })
    }

    static func role(_ name: String?, _ postern: Postern) async throws -> IAMRoleRecord {
        try IAMRole.validateName(name, member: "roleName")
        guard let name, let record = try await postern.directory.iamRole(name) else {
            throw IAMError.noSuchEntity("The role with name \(name ?? "") cannot be found.")
        }
        return record
    }

    static func xml(_ record: IAMRoleRecord, account: String) -> QueryXML {
        let role = record.role
        var members: [QueryXML] = [
            .text("Path", role.path), .text("RoleName", role.name), .text("RoleId", role.id), .text("Arn", role.arn(account: account)),
            .text("CreateDate", QueryXML.timestamp(record.createdAt)), .text("AssumeRolePolicyDocument", QueryXML.policy(role.trustPolicy)),
            .text("MaxSessionDuration", String(role.maxSessionDuration)),
        ]
        if let description = role.description { members.append(.text("Description", description)) }
        if !role.tags.isEmpty { members.append(IAMPolicyActions.tagsXML(role.tags)) }
        return .element("Role", members)
    }

    static func commit(_ event: some EventPayload, role: IAMRole, expected: ExpectedVersion, call: Call, postern: Postern) async throws {
        let stream = Stream.iamRole(role.name)
        try await postern.commit(
            AppendBatch(stream: stream, expected: expected, events: [NewEvent(streamID: stream, event)]), metadata: call.metadata())
    }

    @Sendable static func createRole(_ query: QueryRequest, _: QueryCaller, call: Call, postern: Postern) async throws -> [QueryXML] {
        try await postern.retrying {
            let created = try IAMRole.create(
                name: query["RoleName"], roleId: newRoleId(), path: query["Path"], description: query["Description"],
                maxSessionDuration: try query.integer("MaxSessionDuration"), trustPolicy: query["AssumeRolePolicyDocument"], tags: query.tags())
            if try await postern.directory.iamRole(created.roleName) != nil {
                throw IAMError.entityAlreadyExists("Role with name \(created.roleName) already exists.")
            }
            // A role deleted earlier leaves its stream: the new one continues it.
            let version = try await postern.store.version(of: Stream.iamRole(created.roleName))
            let stream = Stream.iamRole(created.roleName)
            try await postern.commit(
                AppendBatch(stream: stream, expected: version == 0 ? .noStream : .exact(version), events: [NewEvent(streamID: stream, created)]),
                metadata: call.metadata())
            let record = try await role(created.roleName, postern)
            return [xml(record, account: postern.configuration.accountId)]
        }
    }

    @Sendable static func getRole(_ query: QueryRequest, _: QueryCaller, call: Call, postern: Postern) async throws -> [QueryXML] {
        [xml(try await role(query["RoleName"], postern), account: postern.configuration.accountId)]
    }

    @Sendable static func listRoles(_ query: QueryRequest, _: QueryCaller, call: Call, postern: Postern) async throws -> [QueryXML] {
        let limit = try query.integer("MaxItems") ?? 100
        guard (1...1000).contains(limit) else { throw IAMError.validation("MaxItems must be between 1 and 1000.") }
        let found = try await postern.directory.iamRoles(pathPrefix: query["PathPrefix"] ?? "/", after: query["Marker"], limit: limit + 1)
        let page = found.prefix(limit)
        var result: [QueryXML] = [
            .members(
                "Roles",
                page.map { record in
                    guard case .element(_, let members) = xml(record, account: postern.configuration.accountId) else { return [] }
                    return members
                }),
            .text("IsTruncated", found.count > limit ? "true" : "false"),
        ]
        if found.count > limit, let last = page.last { result.append(.text("Marker", last.role.name)) }
        return result
    }

    @Sendable static func deleteRole(_ query: QueryRequest, _: QueryCaller, call: Call, postern: Postern) async throws -> [QueryXML] {
        try await postern.retrying {
            let record = try await role(query["RoleName"], postern)
            try await commit(try record.role.delete(), role: record.role, expected: .exact(record.role.version), call: call, postern: postern)
            return []
        }
    }

    @Sendable static func updateAssumeRolePolicy(_ query: QueryRequest, _: QueryCaller, call: Call, postern: Postern) async throws -> [QueryXML] {
        try await postern.retrying {
            let record = try await role(query["RoleName"], postern)
            try await commit(
                try record.role.updateTrust(query["PolicyDocument"]), role: record.role, expected: .exact(record.role.version), call: call,
                postern: postern)
            return []
        }
    }

    @Sendable static func putRolePolicy(_ query: QueryRequest, _: QueryCaller, call: Call, postern: Postern) async throws -> [QueryXML] {
        try await postern.retrying {
            let record = try await role(query["RoleName"], postern)
            let put = try record.role.putPolicy(name: query["PolicyName"], document: query["PolicyDocument"])
            try await commit(put, role: record.role, expected: .exact(record.role.version), call: call, postern: postern)
            return []
        }
    }

    @Sendable static func getRolePolicy(_ query: QueryRequest, _: QueryCaller, call: Call, postern: Postern) async throws -> [QueryXML] {
        let record = try await role(query["RoleName"], postern)
        try IAMRole.validateName(query["PolicyName"], member: "policyName", maxLength: 128)
        guard let name = query["PolicyName"], let document = record.role.inlinePolicies[name] else {
            throw IAMError.noSuchEntity("The role policy with name \(query["PolicyName"] ?? "") cannot be found.")
        }
        return [.text("RoleName", record.role.name), .text("PolicyName", name), .text("PolicyDocument", QueryXML.policy(document))]
    }

    @Sendable static func deleteRolePolicy(_ query: QueryRequest, _: QueryCaller, call: Call, postern: Postern) async throws -> [QueryXML] {
        try await postern.retrying {
            let record = try await role(query["RoleName"], postern)
            try await commit(
                try record.role.deletePolicy(name: query["PolicyName"]), role: record.role, expected: .exact(record.role.version), call: call,
                postern: postern)
            return []
        }
    }

    @Sendable static func listRolePolicies(_ query: QueryRequest, _: QueryCaller, call: Call, postern: Postern) async throws -> [QueryXML] {
        let record = try await role(query["RoleName"], postern)
        return [.memberTexts("PolicyNames", record.role.inlinePolicies.keys.sorted()), .text("IsTruncated", "false")]
    }
}
