import Foundation

/// AttachRolePolicy, as the role sees it.
public struct IAMRolePolicyAttached: EventPayload, Equatable {
    public static let eventType = "IAMRolePolicyAttached"
    public var roleName: String
    public var policyArn: String
    public var policyName: String
}

/// DetachRolePolicy, as the role sees it.
public struct IAMRolePolicyDetached: EventPayload, Equatable {
    public static let eventType = "IAMRolePolicyDetached"
    public var roleName: String
    public var policyArn: String
}

/// TagRole: tags added or replaced (a key differing only in case replaces the old one).
public struct IAMRoleTagged: EventPayload, Equatable {
    public static let eventType = "IAMRoleTagged"
    public var roleName: String
    public var tags: [String: String]
}

/// UntagRole: the keys removed, matched regardless of case.
public struct IAMRoleUntagged: EventPayload, Equatable {
    public static let eventType = "IAMRoleUntagged"
    public var roleName: String
    public var tagKeys: [String]
}

extension IAMRole {
    /// IAM's default quota of managed policies per role.
    public static let maxAttachedPolicies = 10

    /// AttachRolePolicy: the role's and the policy's events (one append across both streams); none when the
    /// policy is attached already (IAM answers success).
    public func attach(_ policy: IAMPolicy, account: String) throws(IAMError) -> (role: IAMRolePolicyAttached, policy: IAMPolicyAttached)? {
        let arn = policy.arn(account: account)
        if attachedPolicies[arn] != nil { return nil }
        guard attachedPolicies.count < Self.maxAttachedPolicies else {
            throw .limitExceeded("Cannot exceed quota for PoliciesPerRole: \(Self.maxAttachedPolicies)")
        }
        return (
            IAMRolePolicyAttached(roleName: name, policyArn: arn, policyName: policy.name), IAMPolicyAttached(policyName: policy.name, roleName: name)
        )
    }

    /// DetachRolePolicy: NoSuchEntity when the policy is not attached to the role.
    public func detach(policyArn: String) throws(IAMError) -> IAMRolePolicyDetached {
        guard attachedPolicies[policyArn] != nil else { throw .noSuchEntity("Policy \(policyArn) was not found.") }
        return IAMRolePolicyDetached(roleName: name, policyArn: policyArn)
    }

    /// TagRole: at most 50 tags on the role once merged.
    public func tag(_ tags: [(key: String, value: String)]) throws(IAMError) -> IAMRoleTagged {
        guard !tags.isEmpty else { throw .validation("The specified value for tags is invalid. It must not be empty.") }
        let added = try IAMTags.validate(tags)
        guard IAMTags.merge(self.tags, added).count <= IAMTags.maxTags else {
            throw .limitExceeded("Cannot exceed quota for TagsPerRole: \(IAMTags.maxTags).")
        }
        return IAMRoleTagged(roleName: name, tags: added)
    }

    /// UntagRole: keys the role does not have are ignored, as IAM ignores them.
    public func untag(_ keys: [String]) throws(IAMError) -> IAMRoleUntagged {
        guard keys.count <= IAMTags.maxTags else {
            throw .validation(
                "1 validation error detected: Value at 'tagKeys' failed to satisfy constraint: Member must have length less than or equal to 50")
        }
        for key in keys { try IAMTags.validateKey(key) }
        return IAMRoleUntagged(roleName: name, tagKeys: keys)
    }
}
