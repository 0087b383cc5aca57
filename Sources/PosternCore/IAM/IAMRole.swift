import Foundation

/// An IAM error as the query protocol answers it: `<Code>`, `<Message>` and the HTTP status.
public struct IAMError: Error, Equatable, Sendable, CustomStringConvertible {
    public var code: String
    public var message: String
    public var status: Int
    public init(_ code: String, _ message: String, status: Int) {
        self.code = code
        self.message = message
        self.status = status
    }

    public static func noSuchEntity(_ message: String) -> IAMError { IAMError("NoSuchEntity", message, status: 404) }
    public static func entityAlreadyExists(_ message: String) -> IAMError { IAMError("EntityAlreadyExists", message, status: 409) }
    public static func malformedPolicyDocument(_ message: String) -> IAMError { IAMError("MalformedPolicyDocument", message, status: 400) }
    public static func deleteConflict(_ message: String) -> IAMError { IAMError("DeleteConflict", message, status: 409) }
    public static func validation(_ message: String) -> IAMError { IAMError("ValidationError", message, status: 400) }
    public static func limitExceeded(_ message: String) -> IAMError { IAMError("LimitExceeded", message, status: 409) }
    public var description: String { "\(code): \(message)" }
}

extension Stream {
    /// An IAM role: `iamrole-{name in lower case}` (IAM role names are unique regardless of case).
    public static func iamRole(_ name: String) -> String { "iamrole-\(name.lowercased())" }
}

/// An IAM role was created (CreateRole). `trustPolicy` is the document's text as given.
public struct IAMRoleCreated: EventPayload, Equatable {
    public static let eventType = "IAMRoleCreated"
    public var roleName: String
    public var roleId: String
    public var path: String
    public var description: String?
    public var maxSessionDuration: Int
    public var trustPolicy: String
    public var tags: [String: String]
    public init(
        roleName: String, roleId: String, path: String, description: String?, maxSessionDuration: Int, trustPolicy: String, tags: [String: String]
    ) {
        self.roleName = roleName
        self.roleId = roleId
        self.path = path
        self.description = description
        self.maxSessionDuration = maxSessionDuration
        self.trustPolicy = trustPolicy
        self.tags = tags
    }
}

/// UpdateAssumeRolePolicy replaced the trust policy.
public struct IAMRoleTrustPolicyUpdated: EventPayload, Equatable {
    public static let eventType = "IAMRoleTrustPolicyUpdated"
    public var roleName: String
    public var trustPolicy: String
    public init(roleName: String, trustPolicy: String) {
        self.roleName = roleName
        self.trustPolicy = trustPolicy
    }
}

/// PutRolePolicy added or replaced an inline policy.
public struct IAMRolePolicyPut: EventPayload, Equatable {
    public static let eventType = "IAMRolePolicyPut"
    public var roleName: String
    public var policyName: String
    public var document: String
    public init(roleName: String, policyName: String, document: String) {
        self.roleName = roleName
        self.policyName = policyName
        self.document = document
    }
}

/// DeleteRolePolicy removed an inline policy.
public struct IAMRolePolicyDeleted: EventPayload, Equatable {
    public static let eventType = "IAMRolePolicyDeleted"
    public var roleName: String
    public var policyName: String
    public init(roleName: String, policyName: String) {
        self.roleName = roleName
        self.policyName = policyName
    }
}

/// DeleteRole.
public struct IAMRoleDeleted: EventPayload, Equatable {
    public static let eventType = "IAMRoleDeleted"
    public var roleName: String
    public init(roleName: String) { self.roleName = roleName }
}

/// The write model of an IAM role (stream `iamrole-<name>`): what CreateRole, UpdateAssumeRolePolicy,
/// PutRolePolicy, DeleteRolePolicy and DeleteRole decide, with IAM's validation and errors.
public struct IAMRole: Codable, Equatable, Sendable {
    public var name: String
    public var id: String
    public var path: String
    public var description: String?
    public var maxSessionDuration: Int
    public var trustPolicy: String
    public var inlinePolicies: [String: String]
    public var tags: [String: String]
    /// Attached managed policies: ARN → policy name.
    public var attachedPolicies: [String: String] = [:]
    public var version: Int

    /// `arn:aws:iam::{account}:role{path}{name}`.
    public func arn(account: String) -> String { "arn:aws:iam::\(account):role\(path)\(name)" }

    public static func evolve(_ state: IAMRole?, with event: any EventPayload) -> IAMRole? {
        if let created = event as? IAMRoleCreated {
            return IAMRole(
                name: created.roleName, id: created.roleId, path: created.path, description: created.description,
                maxSessionDuration: created.maxSessionDuration, trustPolicy: created.trustPolicy, inlinePolicies: [:], tags: created.tags,
                version: 1)
        }
        guard var role = state else { return nil }
        role.version += 1
        switch event {
        case let updated as IAMRoleTrustPolicyUpdated: role.trustPolicy = updated.trustPolicy
        case let put as IAMRolePolicyPut: role.inlinePolicies[put.policyName] = put.document
        case let deleted as IAMRolePolicyDeleted: role.inlinePolicies[deleted.policyName] = nil
        case let attached as IAMRolePolicyAttached: role.attachedPolicies[attached.policyArn] = attached.policyName
        case let detached as IAMRolePolicyDetached: role.attachedPolicies[detached.policyArn] = nil
        case let tagged as IAMRoleTagged: role.tags = IAMTags.merge(role.tags, tagged.tags)
        case let untagged as IAMRoleUntagged:
            let keys = Set(untagged.tagKeys.map { $0.lowercased() })
            role.tags = role.tags.filter { !keys.contains($0.key.lowercased()) }
        case is IAMRoleDeleted: return nil
        default: break
        }
        return role
    }

    // MARK: Decisions

    static let namePattern = #"[\w+=,.@-]+"#

    /// RoleName / PolicyName: 1–64 (128 for policies) characters of `[\w+=,.@-]`.
    public static func validateName(_ name: String?, member: String, maxLength: Int = 64) throws(IAMError) {
        guard let name, !name.isEmpty else { throw .validation("The specified value for \(member) is invalid. It must not be empty.") }
        guard name.count <= maxLength else {
            throw .validation(
                "1 validation error detected: Value '\(name)' at '\(member)' failed to satisfy constraint: Member must have length less than or equal to \(maxLength)"
            )
        }
        guard name.range(of: "^\(namePattern)\\z", options: .regularExpression) != nil else {
            throw .validation(
                "1 validation error detected: Value '\(name)' at '\(member)' failed to satisfy constraint: Member must satisfy regular expression pattern: \(namePattern)"
            )
        }
    }

    /// A policy document of `kind`, refused with IAM's MalformedPolicyDocument message.
    public static func validatePolicy(_ text: String?, kind: PolicyKind, member: String) throws(IAMError) -> String {
        guard let text, !text.isEmpty else { throw .validation("The specified value for \(member) is invalid. It must not be empty.") }
        guard text.utf8.count <= (kind == .trust ? 2048 : 10240) else { throw .limitExceeded("Cannot exceed quota for \(member).") }
        do {
            _ = try PolicyDocument(json: text, kind: kind)
        } catch {
            throw .malformedPolicyDocument(error.message)
        }
        if kind == .trust, !onlySTSActions(text) {
            throw .malformedPolicyDocument("AssumeRole policy may only specify STS AssumeRole actions.")
        }
        return text
    }

    /// Whether every `Action` of a trust policy is an STS one (sts:AssumeRole*, sts:TagSession, …).
    static func onlySTSActions(_ text: String) -> Bool {
        guard let tree = try? JSONValue.parse(Data(text.utf8)) else { return false }
        let statements = tree["Statement"]?.arrayValue ?? (tree["Statement"].map { [$0] } ?? [])
        for statement in statements {
            let actions = statement["Action"]?.arrayValue ?? (statement["Action"].map { [$0] } ?? [])
            for action in actions where !(action.stringValue ?? "").lowercased().hasPrefix("sts:") { return false }
        }
        return true
    }

    /// CreateRole: name, path, trust policy, session duration and tags checked as IAM checks them.
    public static func create(
        name: String?, roleId: String, path: String?, description: String?, maxSessionDuration: Int?, trustPolicy: String?,
        tags: [String: String]
    ) throws(IAMError) -> IAMRoleCreated {
        try validateName(name, member: "roleName")
        let path = path ?? "/"
        guard path.hasPrefix("/"), path.hasSuffix("/"), path.count <= 512 else {
            throw .validation(
                "The specified value for path is invalid. It must begin and end with / and contain only alphanumeric characters and/or / characters.")
        }
        let duration = maxSessionDuration ?? 3600
        guard (3600...43200).contains(duration) else {
            throw .validation(
                "1 validation error detected: Value '\(duration)' at 'maxSessionDuration' failed to satisfy constraint: Member must have value \(duration < 3600 ? "greater than or equal to 3600" : "less than or equal to 43200")"
            )
        }
        if let description, description.count > 1000 { throw .validation("The description of a role can be at most 1000 characters.") }
        guard tags.count <= 50 else { throw .limitExceeded("A role can have at most 50 tags.") }
        for (key, value) in tags { _ = try IAMTags.validate([(key, value)]) }
        let trust = try validatePolicy(trustPolicy, kind: .trust, member: "assumeRolePolicyDocument")
        return IAMRoleCreated(
            roleName: name ?? "", roleId: roleId, path: path, description: description, maxSessionDuration: duration, trustPolicy: trust,
            tags: tags)
    }

    public func updateTrust(_ document: String?) throws(IAMError) -> IAMRoleTrustPolicyUpdated {
        IAMRoleTrustPolicyUpdated(roleName: name, trustPolicy: try Self.validatePolicy(document, kind: .trust, member: "policyDocument"))
    }

    public func putPolicy(name policyName: String?, document: String?) throws(IAMError) -> IAMRolePolicyPut {
        try Self.validateName(policyName, member: "policyName", maxLength: 128)
        return IAMRolePolicyPut(
            roleName: name, policyName: policyName ?? "", document: try Self.validatePolicy(document, kind: .identity, member: "policyDocument"))
    }

    public func deletePolicy(name policyName: String?) throws(IAMError) -> IAMRolePolicyDeleted {
        try Self.validateName(policyName, member: "policyName", maxLength: 128)
        guard let policyName, inlinePolicies[policyName] != nil else {
            throw .noSuchEntity("The role policy with name \(policyName ?? "") cannot be found.")
        }
        return IAMRolePolicyDeleted(roleName: name, policyName: policyName)
    }

    /// DeleteRole: refused while inline or managed policies are left, as IAM refuses it.
    public func delete() throws(IAMError) -> IAMRoleDeleted {
        guard inlinePolicies.isEmpty else { throw .deleteConflict("Cannot delete entity, must delete policies first.") }
        guard attachedPolicies.isEmpty else { throw .deleteConflict("Cannot delete entity, must detach all policies first.") }
        return IAMRoleDeleted(roleName: name)
    }
}

extension IAMRole {
    enum CodingKeys: String, CodingKey {
        case name, id, path, description, maxSessionDuration, trustPolicy, inlinePolicies, tags, attachedPolicies, version
    }

    /// Rows written before managed policies existed have no `attachedPolicies`.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        id = try c.decode(String.self, forKey: .id)
        path = try c.decode(String.self, forKey: .path)
        description = try c.decodeIfPresent(String.self, forKey: .description)
        maxSessionDuration = try c.decode(Int.self, forKey: .maxSessionDuration)
        trustPolicy = try c.decode(String.self, forKey: .trustPolicy)
        inlinePolicies = try c.decode([String: String].self, forKey: .inlinePolicies)
        tags = try c.decode([String: String].self, forKey: .tags)
        attachedPolicies = try c.decodeIfPresent([String: String].self, forKey: .attachedPolicies) ?? [:]
        version = try c.decode(Int.self, forKey: .version)
    }
}
