import Foundation

extension Stream {
    /// A customer managed policy: `iampolicy-{name in lower case}` (policy names are unique in the account regardless of case).
    public static func iamPolicy(_ name: String) -> String { "iampolicy-\(name.lowercased())" }
}

/// CreatePolicy: the policy and its first version (`v1`, the default).
public struct IAMPolicyCreated: EventPayload, Equatable {
    public static let eventType = "IAMPolicyCreated"
    public var policyName: String
    public var policyId: String
    public var path: String
    public var description: String?
    public var document: String
    public var tags: [String: String]
}

/// CreatePolicyVersion.
public struct IAMPolicyVersionCreated: EventPayload, Equatable {
    public static let eventType = "IAMPolicyVersionCreated"
    public var policyName: String
    public var versionId: String
    public var document: String
    public var setAsDefault: Bool
}

/// SetDefaultPolicyVersion.
public struct IAMPolicyDefaultVersionSet: EventPayload, Equatable {
    public static let eventType = "IAMPolicyDefaultVersionSet"
    public var policyName: String
    public var versionId: String
}

/// DeletePolicyVersion (never the default one).
public struct IAMPolicyVersionDeleted: EventPayload, Equatable {
    public static let eventType = "IAMPolicyVersionDeleted"
    public var policyName: String
    public var versionId: String
}

/// AttachRolePolicy, as the policy sees it: one more attachment.
public struct IAMPolicyAttached: EventPayload, Equatable {
    public static let eventType = "IAMPolicyAttached"
    public var policyName: String
    public var roleName: String
}

/// DetachRolePolicy, as the policy sees it: one attachment fewer.
public struct IAMPolicyDetached: EventPayload, Equatable {
    public static let eventType = "IAMPolicyDetached"
    public var policyName: String
    public var roleName: String
}

/// DeletePolicy (its default version goes with it).
public struct IAMPolicyDeleted: EventPayload, Equatable {
    public static let eventType = "IAMPolicyDeleted"
    public var policyName: String
}

/// One version of a managed policy: its id (`v1`, `v2`, …) and document text.
public struct IAMPolicyVersion: Codable, Equatable, Sendable {
    public var versionId: String
    public var document: String
}

/// The write model of a customer managed policy (stream `iampolicy-<name>`): versions (at most five, one
/// of them the default), attachment count and deletion rules, decided as IAM decides them.
public struct IAMPolicy: Codable, Equatable, Sendable {
    public var name: String
    public var id: String
    public var path: String
    public var description: String?
    public var tags: [String: String]
    /// Oldest first.
    public var versions: [IAMPolicyVersion]
    public var defaultVersionId: String
    /// The number the next version gets (IAM never reuses a version id).
    public var nextVersion: Int
    public var attachmentCount: Int
    public var version: Int

    /// IAM's quota of versions per managed policy.
    public static let maxVersions = 5

    /// `arn:aws:iam::{account}:policy{path}{name}`.
    public func arn(account: String) -> String { "arn:aws:iam::\(account):policy\(path)\(name)" }

    public var defaultDocument: String? { versions.first { $0.versionId == defaultVersionId }?.document }

    public static func evolve(_ state: IAMPolicy?, with event: any EventPayload) -> IAMPolicy? {
        if let created = event as? IAMPolicyCreated {
            return IAMPolicy(
                name: created.policyName, id: created.policyId, path: created.path, description: created.description, tags: created.tags,
                versions: [IAMPolicyVersion(versionId: "v1", document: created.document)], defaultVersionId: "v1", nextVersion: 2,
                attachmentCount: 0, version: 1)
        }
        guard var policy = state else { return nil }
        policy.version += 1
        switch event {
        case let created as IAMPolicyVersionCreated:
            policy.versions.append(IAMPolicyVersion(versionId: created.versionId, document: created.document))
            policy.nextVersion = (Int(created.versionId.dropFirst()) ?? policy.nextVersion) + 1
            if created.setAsDefault { policy.defaultVersionId = created.versionId }
        case let set as IAMPolicyDefaultVersionSet: policy.defaultVersionId = set.versionId
        case let deleted as IAMPolicyVersionDeleted: policy.versions.removeAll { $0.versionId == deleted.versionId }
        case is IAMPolicyAttached: policy.attachmentCount += 1
        case is IAMPolicyDetached: policy.attachmentCount = max(0, policy.attachmentCount - 1)
        case is IAMPolicyDeleted: return nil
        default: break
        }
        return policy
    }

    // MARK: Decisions

    static let pathPattern = #"((/[A-Za-z0-9\.,\+@=_-]+)*)/"#

    /// A policy or path prefix as the model's `policyPathType` allows it.
    public static func validatePath(_ path: String, member: String) throws(IAMError) {
        guard path.count <= 512, path.range(of: "^\(pathPattern)\\z", options: .regularExpression) != nil else {
            throw .validation(
                "1 validation error detected: Value '\(path)' at '\(member)' failed to satisfy constraint: Member must satisfy regular expression pattern: \(pathPattern)"
            )
        }
    }

    /// A managed policy's document: valid identity-policy grammar and at most 6,144 characters besides whitespace.
    static func validateDocument(_ text: String?) throws(IAMError) -> String {
        guard let text, !text.isEmpty else { throw .validation("The specified value for policyDocument is invalid. It must not be empty.") }
        guard text.unicodeScalars.filter({ !CharacterSet.whitespacesAndNewlines.contains($0) }).count <= 6144 else {
            throw .limitExceeded("Cannot exceed quota for PolicySize: 6144")
        }
        do {
            _ = try PolicyDocument(json: text, kind: .identity)
        } catch {
            throw .malformedPolicyDocument(error.message)
        }
        return text
    }

    /// CreatePolicy.
    public static func create(
        name: String?, policyId: String, path: String?, description: String?, document: String?, tags: [(key: String, value: String)]
    ) throws(IAMError) -> IAMPolicyCreated {
        try IAMRole.validateName(name, member: "policyName", maxLength: 128)
        let path = path ?? "/"
        try validatePath(path, member: "path")
        if let description, description.count > 1000 {
            throw .validation(
                "1 validation error detected: Value at 'description' failed to satisfy constraint: Member must have length less than or equal to 1000"
            )
        }
        let tags = try IAMTags.validate(tags)
        return IAMPolicyCreated(
            policyName: name ?? "", policyId: policyId, path: path, description: description, document: try validateDocument(document), tags: tags)
    }

    static let versionPattern = #"v[1-9][0-9]*(\.[A-Za-z0-9-]*)?"#

    /// The version `versionId` names, or NoSuchEntity as IAM words it.
    public func version(_ versionId: String?, account: String) throws(IAMError) -> IAMPolicyVersion {
        guard let versionId, versionId.range(of: "^\(Self.versionPattern)\\z", options: .regularExpression) != nil else {
            throw .validation(
                "1 validation error detected: Value '\(versionId ?? "")' at 'versionId' failed to satisfy constraint: Member must satisfy regular expression pattern: \(Self.versionPattern)"
            )
        }
        guard let found = versions.first(where: { $0.versionId == versionId }) else {
            throw .noSuchEntity("Policy \(arn(account: account)) version \(versionId) does not exist or is not attachable.")
        }
        return found
    }

    /// CreatePolicyVersion: at most five versions; the new one is `v{next}`.
    public func createVersion(document: String?, setAsDefault: Bool) throws(IAMError) -> IAMPolicyVersionCreated {
        let document = try Self.validateDocument(document)
        guard versions.count < Self.maxVersions else {
            throw .limitExceeded(
                "A managed policy can have up to \(Self.maxVersions) versions. Before you create a new version, you must delete an existing version.")
        }
        return IAMPolicyVersionCreated(policyName: name, versionId: "v\(nextVersion)", document: document, setAsDefault: setAsDefault)
    }

    /// SetDefaultPolicyVersion.
    public func setDefault(_ versionId: String?, account: String) throws(IAMError) -> IAMPolicyDefaultVersionSet {
        IAMPolicyDefaultVersionSet(policyName: name, versionId: try version(versionId, account: account).versionId)
    }

    /// DeletePolicyVersion: never the default version.
    public func deleteVersion(_ versionId: String?, account: String) throws(IAMError) -> IAMPolicyVersionDeleted {
        let found = try version(versionId, account: account)
        guard found.versionId != defaultVersionId else { throw .deleteConflict("Cannot delete the default version of a policy.") }
        return IAMPolicyVersionDeleted(policyName: name, versionId: found.versionId)
    }

    /// DetachRolePolicy, as the policy sees it.
    public func detach(from roleName: String) -> IAMPolicyDetached { IAMPolicyDetached(policyName: name, roleName: roleName) }

    /// DeletePolicy: refused while attached or while versions other than the default are left.
    public func delete() throws(IAMError) -> IAMPolicyDeleted {
        guard attachmentCount == 0 else { throw .deleteConflict("Cannot delete a policy attached to entities.") }
        guard versions.count == 1 else {
            throw .deleteConflict(
                "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy."
            )
        }
        return IAMPolicyDeleted(policyName: name)
    }
}

/// IAM's tag rules (the model's `Tag`, `tagListType`): 1–128 character keys, values up to 256, at most 50 per
/// resource, keys unique regardless of case and never under `aws:`.
public enum IAMTags {
    public static let maxTags = 50
    static let pattern = #"[\p{L}\p{Z}\p{N}_.:/=+\-@]"#

    /// Checks one request's tags and returns them by key.
    public static func validate(_ tags: [(key: String, value: String)]) throws(IAMError) -> [String: String] {
        guard tags.count <= maxTags else { throw .limitExceeded("Cannot exceed quota for TagsPerRole: \(maxTags).") }
        var seen: Set<String> = []
        var result: [String: String] = [:]
        for tag in tags {
            try validateKey(tag.key)
            guard tag.value.count <= 256, tag.value.range(of: "^\(pattern)*\\z", options: .regularExpression) != nil else {
                throw .validation(
                    "1 validation error detected: Value at 'tags.\(tag.key).member.value' failed to satisfy constraint: Member must have length less than or equal to 256 and satisfy regular expression pattern: \(pattern)*"
                )
            }
            guard seen.insert(tag.key.lowercased()).inserted else {
                throw IAMError("InvalidInput", "Duplicate tag keys found. Please note that Tag keys are case insensitive.", status: 400)
            }
            result[tag.key] = tag.value
        }
        return result
    }

    public static func validateKey(_ key: String) throws(IAMError) {
        guard (1...128).contains(key.count), key.range(of: "^\(pattern)+\\z", options: .regularExpression) != nil else {
            throw .validation(
                "1 validation error detected: Value '\(key)' at 'tagKey' failed to satisfy constraint: Member must have length less than or equal to 128 and satisfy regular expression pattern: \(pattern)+"
            )
        }
        guard !key.lowercased().hasPrefix("aws:") else {
            throw IAMError("InvalidInput", "User-defined tag keys can't start with 'aws:'. This prefix is reserved for AWS.", status: 400)
        }
    }

    /// `existing` with `added` merged in: a key that differs only in case replaces the old one.
    public static func merge(_ existing: [String: String], _ added: [String: String]) -> [String: String] {
        var merged = existing
        for (key, value) in added {
            for old in merged.keys where old.lowercased() == key.lowercased() { merged[old] = nil }
            merged[key] = value
        }
        return merged
    }
}
