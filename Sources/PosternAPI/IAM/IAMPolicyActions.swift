import Foundation
import PosternCore
import PosternCrypto
import PosternStore

extension QueryRequest {
    /// `Prefix.member.N` values, in order.
    func list(_ prefix: String) -> [String] {
        var values: [String] = []
        while let value = parameters["\(prefix).member.\(values.count + 1)"] { values.append(value) }
        return values
    }

    /// `Prefix.member.N.Key` / `.Value` pairs in order, duplicates kept (so they can be refused).
    func tagList(_ prefix: String = "Tags") -> [(key: String, value: String)] {
        var tags: [(key: String, value: String)] = []
        while let key = parameters["\(prefix).member.\(tags.count + 1).Key"] {
            tags.append((key, parameters["\(prefix).member.\(tags.count + 1).Value"] ?? ""))
        }
        return tags
    }

    func boolean(_ name: String) throws -> Bool? {
        guard let text = parameters[name] else { return nil }
        switch text.lowercased() {
        case "true": return true
        case "false": return false
        default: throw IAMError.validation("Invalid value for \(name): \(text).")
        }
    }

    /// MaxItems (1–1000, IAM's default 100).
    func maxItems() throws -> Int {
        let limit = try integer("MaxItems") ?? 100
        guard (1...1000).contains(limit) else { throw IAMError.validation("MaxItems must be between 1 and 1000.") }
        return limit
    }
}

/// IAM customer managed policies (CreatePolicy … SetDefaultPolicyVersion), their attachment to roles and
/// role tags, admin-signed, on the query protocol. No AWS managed policies exist here: ListPolicies with
/// Scope AWS is empty and an `arn:aws:iam::aws:policy/…` ARN names no policy.
enum IAMPolicyActions {
    static let all: [QueryDispatcher.Action] = [
        .init(service: .iam, name: "CreatePolicy", access: .admin, handle: createPolicy),
        .init(service: .iam, name: "GetPolicy", access: .admin, handle: getPolicy),
        .init(service: .iam, name: "DeletePolicy", access: .admin, handle: deletePolicy),
        .init(service: .iam, name: "ListPolicies", access: .admin, handle: listPolicies),
        .init(service: .iam, name: "CreatePolicyVersion", access: .admin, handle: createPolicyVersion),
        .init(service: .iam, name: "GetPolicyVersion", access: .admin, handle: getPolicyVersion),
        .init(service: .iam, name: "ListPolicyVersions", access: .admin, handle: listPolicyVersions),
        .init(service: .iam, name: "DeletePolicyVersion", access: .admin, handle: deletePolicyVersion),
        .init(service: .iam, name: "SetDefaultPolicyVersion", access: .admin, handle: setDefaultPolicyVersion),
        .init(service: .iam, name: "AttachRolePolicy", access: .admin, handle: attachRolePolicy),
        .init(service: .iam, name: "DetachRolePolicy", access: .admin, handle: detachRolePolicy),
        .init(service: .iam, name: "ListAttachedRolePolicies", access: .admin, handle: listAttachedRolePolicies),
        .init(service: .iam, name: "TagRole", access: .admin, handle: tagRole),
        .init(service: .iam, name: "UntagRole", access: .admin, handle: untagRole),
        .init(service: .iam, name: "ListRoleTags", access: .admin, handle: listRoleTags),
    ]

    /// `ANPA` and 17 upper-case letters and digits, as IAM's managed policy ids look.
    static func newPolicyId() -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        return "ANPA" + String(Random.bytes(17).map { alphabet[Int($0) % alphabet.count] })
    }

    /// The policy `arn` names: InvalidInput for text that is no ARN, NoSuchEntity for one naming no policy here.
    static func policy(_ arn: String?, _ postern: Postern) async throws -> IAMPolicyRecord {
        guard let arn, arn.count >= 20, arn.count <= 2048 else {
            throw IAMError.validation(
                "1 validation error detected: Value '\(arn ?? "")' at 'policyArn' failed to satisfy constraint: Member must have length greater than or equal to 20"
            )
        }
        let parts = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "arn", parts[2] == "iam", parts[5].hasPrefix("policy/") else {
            throw IAMError("InvalidInput", "ARN \(arn) is not valid.", status: 400)
        }
        let account = postern.configuration.accountId
        guard parts[4] == account, let name = parts[5].split(separator: "/").last,
            let record = try await postern.directory.iamPolicy(String(name)), record.policy.arn(account: account) == arn
        else { throw IAMError.noSuchEntity("Policy \(arn) does not exist or is not attachable.") }
        return record
    }

    static func xml(_ record: IAMPolicyRecord, account: String, listing: Bool = false) -> [QueryXML] {
        let policy = record.policy
        var members: [QueryXML] = [
            .text("PolicyName", policy.name), .text("PolicyId", policy.id), .text("Arn", policy.arn(account: account)), .text("Path", policy.path),
            .text("DefaultVersionId", policy.defaultVersionId), .text("AttachmentCount", String(policy.attachmentCount)),
            .text("PermissionsBoundaryUsageCount", "0"), .text("IsAttachable", "true"),
            .text("CreateDate", QueryXML.timestamp(record.createdAt)), .text("UpdateDate", QueryXML.timestamp(record.updatedAt)),
        ]
        // ListPolicies leaves out the description and tags, as IAM's listing does.
        if !listing {
            if let description = policy.description { members.append(.text("Description", description)) }
            if !policy.tags.isEmpty { members.append(tagsXML(policy.tags)) }
        }
        return members
    }

    static func tagsXML(_ tags: [String: String]) -> QueryXML {
        .members("Tags", tags.sorted { $0.key < $1.key }.map { [.text("Key", $0.key), .text("Value", $0.value)] })
    }

    static func versionXML(_ version: IAMPolicyVersion, of record: IAMPolicyRecord, document: Bool) -> QueryXML {
        var members: [QueryXML] = []
        if document { members.append(.text("Document", QueryXML.policy(version.document))) }
        members += [
            .text("VersionId", version.versionId), .text("IsDefaultVersion", version.versionId == record.policy.defaultVersionId ? "true" : "false"),
            .text("CreateDate", QueryXML.timestamp(record.versionDates[version.versionId] ?? record.createdAt)),
        ]
        return .element("PolicyVersion", members)
    }

    static func commit(_ event: some EventPayload, policy: IAMPolicy, call: Call, postern: Postern) async throws {
        let stream = Stream.iamPolicy(policy.name)
        try await postern.commit(
            AppendBatch(stream: stream, expected: .exact(policy.version), events: [NewEvent(streamID: stream, event)]), metadata: call.metadata())
    }

    /// A page of `items` after the one `marker` names (by `key`), with IsTruncated and the next Marker.
    static func page<T>(_ items: [T], key: (T) -> String, marker: String?, limit: Int, _ render: (T) -> [QueryXML], into name: String) -> [QueryXML] {
        var rest = items[...]
        if let marker, let index = items.firstIndex(where: { key($0) == marker }) { rest = items[(index + 1)...] }
        let page = rest.prefix(limit)
        var result: [QueryXML] = [.members(name, page.map(render)), .text("IsTruncated", rest.count > limit ? "true" : "false")]
        if rest.count > limit, let last = page.last { result.append(.text("Marker", key(last))) }
        return result
    }

    @Sendable static func createPolicy(_ query: QueryRequest, _: QueryCaller, call: Call, postern: Postern) async throws -> [QueryXML] {
        try await postern.retrying {
            let created = try IAMPolicy.create(
                name: query["PolicyName"], policyId: newPolicyId(), path: query["Path"], description: query["Description"],
                document: query["PolicyDocument"], tags: query.tagList())
            if try await postern.directory.iamPolicy(created.policyName) != nil {
                throw IAMError.entityAlreadyExists("A policy called \(created.policyName) already exists. Duplicate names are not allowed.")
            }
            // A policy deleted earlier leaves its stream: the new one continues it.
            let stream = Stream.iamPolicy(created.policyName)
            let version = try await postern.store.version(of: stream)
            try await postern.commit(
                AppendBatch(stream: stream, expected: version == 0 ? .noStream : .exact(version), events: [NewEvent(streamID: stream, created)]),
                metadata: call.metadata())
            guard let record = try await postern.directory.iamPolicy(created.policyName) else {
                throw IAMError.noSuchEntity("Policy \(created.policyName) was not found.")
            }
            return [.element("Policy", xml(record, account: postern.configuration.accountId))]
        }
    }

    @Sendable static func getPolicy(_ query: QueryRequest, _: QueryCaller, call: Call, postern: Postern) async throws -> [QueryXML] {
        [.element("Policy", xml(try await policy(query["PolicyArn"], postern), account: postern.configuration.accountId))]
    }

    @Sendable static func deletePolicy(_ query: QueryRequest, _: QueryCaller, call: Call, postern: Postern) async throws -> [QueryXML] {
        try await postern.retrying {
            let record = try await policy(query["PolicyArn"], postern)
            try await commit(try record.policy.delete(), policy: record.policy, call: call, postern: postern)
            return []
        }
    }

    @Sendable static func listPolicies(_ query: QueryRequest, _: QueryCaller, call: Call, postern: Postern) async throws -> [QueryXML] {
        let limit = try query.maxItems()
        let scope = query["Scope"] ?? "All"
        guard ["All", "AWS", "Local"].contains(scope) else {
            throw IAMError.validation(
                "1 validation error detected: Value '\(scope)' at 'scope' failed to satisfy constraint: Member must satisfy enum value set: [All, AWS, Local]"
            )
        }
        let prefix = query["PathPrefix"] ?? "/"
        try IAMPolicy.validatePath(prefix, member: "pathPrefix")
        let onlyAttached = try query.boolean("OnlyAttached") ?? false
        // Postern has no AWS managed policies; no policy is used as a permissions boundary.
        if scope == "AWS" || (query["PolicyUsageFilter"] == "PermissionsBoundary" && onlyAttached) {
            return [.members("Policies", []), .text("IsTruncated", "false")]
        }
        let found = try await postern.directory.iamPolicies(pathPrefix: prefix, onlyAttached: onlyAttached, after: query["Marker"], limit: limit + 1)
        let page = found.prefix(limit)
        var result: [QueryXML] = [
            .members("Policies", page.map { xml($0, account: postern.configuration.accountId, listing: true) }),
            .text("IsTruncated", found.count > limit ? "true" : "false"),
        ]
        if found.count > limit, let last = page.last { result.append(.text("Marker", last.policy.name)) }
        return result
    }

    @Sendable static func createPolicyVersion(_ query: QueryRequest, _: QueryCaller, call: Call, postern: Postern) async throws -> [QueryXML] {
        try await postern.retrying {
            let record = try await policy(query["PolicyArn"], postern)
            let created = try record.policy.createVersion(document: query["PolicyDocument"], setAsDefault: try query.boolean("SetAsDefault") ?? false)
            try await commit(created, policy: record.policy, call: call, postern: postern)
            guard let after = try await postern.directory.iamPolicy(record.policy.name) else {
                throw IAMError.noSuchEntity("Policy \(query["PolicyArn"] ?? "") does not exist or is not attachable.")
            }
            let version = try after.policy.version(created.versionId, account: postern.configuration.accountId)
            return [versionXML(version, of: after, document: false)]
        }
    }

    @Sendable static func getPolicyVersion(_ query: QueryRequest, _: QueryCaller, call: Call, postern: Postern) async throws -> [QueryXML] {
        let record = try await policy(query["PolicyArn"], postern)
        let version = try record.policy.version(query["VersionId"], account: postern.configuration.accountId)
        return [versionXML(version, of: record, document: true)]
    }

    @Sendable static func listPolicyVersions(_ query: QueryRequest, _: QueryCaller, call: Call, postern: Postern) async throws -> [QueryXML] {
        let record = try await policy(query["PolicyArn"], postern)
        let limit = try query.maxItems()
        // Newest first, without documents, as IAM lists them.
        return page(
            record.policy.versions.reversed(), key: \.versionId, marker: query["Marker"], limit: limit,
            { version in
                guard case .element(_, let members) = versionXML(version, of: record, document: false) else { return [] }
                return members
            }, into: "Versions")
    }

    @Sendable static func deletePolicyVersion(_ query: QueryRequest, _: QueryCaller, call: Call, postern: Postern) async throws -> [QueryXML] {
        try await postern.retrying {
            let record = try await policy(query["PolicyArn"], postern)
            try await commit(
                try record.policy.deleteVersion(query["VersionId"], account: postern.configuration.accountId), policy: record.policy, call: call,
                postern: postern)
            return []
        }
    }

    @Sendable static func setDefaultPolicyVersion(_ query: QueryRequest, _: QueryCaller, call: Call, postern: Postern) async throws -> [QueryXML] {
        try await postern.retrying {
            let record = try await policy(query["PolicyArn"], postern)
            try await commit(
                try record.policy.setDefault(query["VersionId"], account: postern.configuration.accountId), policy: record.policy, call: call,
                postern: postern)
            return []
        }
    }

    /// AttachRolePolicy: the role's and the policy's events in one append, each stream at its expected version.
    @Sendable static func attachRolePolicy(_ query: QueryRequest, _: QueryCaller, call: Call, postern: Postern) async throws -> [QueryXML] {
        try await postern.retrying {
            let role = try await IAMActions.role(query["RoleName"], postern).role
            let policy = try await policy(query["PolicyArn"], postern).policy
            guard let events = try role.attach(policy, account: postern.configuration.accountId) else { return [] }
            var batch = AppendBatch()
            let roleStream = Stream.iamRole(role.name), policyStream = Stream.iamPolicy(policy.name)
            batch.append(stream: roleStream, expected: .exact(role.version), events: [NewEvent(streamID: roleStream, events.role)])
            batch.append(stream: policyStream, expected: .exact(policy.version), events: [NewEvent(streamID: policyStream, events.policy)])
            try await postern.commit(batch, metadata: call.metadata())
            return []
        }
    }

    /// DetachRolePolicy: as AttachRolePolicy, one append across both streams.
    @Sendable static func detachRolePolicy(_ query: QueryRequest, _: QueryCaller, call: Call, postern: Postern) async throws -> [QueryXML] {
        try await postern.retrying {
            let role = try await IAMActions.role(query["RoleName"], postern).role
            let arn = query["PolicyArn"] ?? ""
            guard arn.count >= 20 else { _ = try await policy(arn, postern); return [] }
            let detached = try role.detach(policyArn: arn)
            var batch = AppendBatch()
            let roleStream = Stream.iamRole(role.name)
            batch.append(stream: roleStream, expected: .exact(role.version), events: [NewEvent(streamID: roleStream, detached)])
            let name = role.attachedPolicies[arn] ?? ""
            if let record = try await postern.directory.iamPolicy(name) {
                let policyStream = Stream.iamPolicy(record.policy.name)
                batch.append(
                    stream: policyStream, expected: .exact(record.policy.version),
                    events: [NewEvent(streamID: policyStream, record.policy.detach(from: role.name))])
            }
            try await postern.commit(batch, metadata: call.metadata())
            return []
        }
    }

    @Sendable static func listAttachedRolePolicies(_ query: QueryRequest, _: QueryCaller, call: Call, postern: Postern) async throws -> [QueryXML] {
        let role = try await IAMActions.role(query["RoleName"], postern).role
        let limit = try query.maxItems()
        let prefix = query["PathPrefix"] ?? "/"
        try IAMPolicy.validatePath(prefix, member: "pathPrefix")
        let account = postern.configuration.accountId
        let attached = role.attachedPolicies.map { (arn: $0.key, name: $0.value) }
            .filter { String($0.arn.dropFirst("arn:aws:iam::\(account):policy".count)).hasPrefix(prefix) }
            .sorted { $0.name.lowercased() < $1.name.lowercased() }
        return page(
            attached, key: \.name, marker: query["Marker"], limit: limit, { [.text("PolicyName", $0.name), .text("PolicyArn", $0.arn)] },
            into: "AttachedPolicies")
    }

    @Sendable static func tagRole(_ query: QueryRequest, _: QueryCaller, call: Call, postern: Postern) async throws -> [QueryXML] {
        try await postern.retrying {
            let record = try await IAMActions.role(query["RoleName"], postern)
            try await IAMActions.commit(
                try record.role.tag(query.tagList()), role: record.role, expected: .exact(record.role.version), call: call, postern: postern)
            return []
        }
    }

    @Sendable static func untagRole(_ query: QueryRequest, _: QueryCaller, call: Call, postern: Postern) async throws -> [QueryXML] {
        try await postern.retrying {
            let record = try await IAMActions.role(query["RoleName"], postern)
            try await IAMActions.commit(
                try record.role.untag(query.list("TagKeys")), role: record.role, expected: .exact(record.role.version), call: call, postern: postern)
            return []
        }
    }

    @Sendable static func listRoleTags(_ query: QueryRequest, _: QueryCaller, call: Call, postern: Postern) async throws -> [QueryXML] {
        let role = try await IAMActions.role(query["RoleName"], postern).role
        return page(
            role.tags.sorted { $0.key < $1.key }, key: \.key, marker: query["Marker"], limit: try query.maxItems(),
            { [.text("Key", $0.key), .text("Value", $0.value)] }, into: "Tags")
    }
}
