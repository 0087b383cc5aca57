/// An IAM policy document, parsed and validated once so it can be evaluated for every request.
///
/// Create one with `init(json:kind:)`; evaluate it with `PolicyEvaluator`. The JSON grammar is IAM's
/// ("Grammar of the IAM JSON policy language" in the IAM User Guide).
public struct PolicyDocument: Sendable, Hashable {
    public let kind: PolicyKind
    public let version: PolicyVersion
    public let id: String?
    public let statements: [PolicyStatement]
}

/// Where a policy sits, which decides the elements it must and must not have.
public enum PolicyKind: Sendable, Hashable {
    /// An identity-based policy: inline, managed, a permissions boundary or a session policy.
    /// `Principal` is refused and `Resource` required.
    case identity
    /// A role's trust policy (`AssumeRolePolicyDocument`): `Principal` is required, `Resource` refused.
    case trust
}

/// The policy language version (the `Version` element).
public enum PolicyVersion: String, Sendable, Hashable {
    /// IAM's default when `Version` is missing; policy variables are plain text.
    case v2008_10_17 = "2008-10-17"
    /// The current language, with policy variables.
    case v2012_10_17 = "2012-10-17"
}

/// Whether a statement allows or denies what it matches.
public enum PolicyEffect: String, Sendable, Hashable {
    case allow = "Allow"
    case deny = "Deny"
}

/// One statement of a policy document.
public struct PolicyStatement: Sendable, Hashable {
    public let sid: String?
    public let effect: PolicyEffect
    let principal: PrincipalElement?
    let action: ActionElement
    /// Absent only in trust policies, whose resource is the role itself.
    let resource: ResourceElement?
    /// Every clause must hold (AND across operators and keys).
    let conditions: [ConditionClause]
}

/// `Action` or `NotAction`, with each pattern compiled for case-insensitive matching.
enum ActionElement: Sendable, Hashable {
    case actions([ActionPattern])
    case notActions([ActionPattern])
}

/// `Resource` or `NotResource`.
enum ResourceElement: Sendable, Hashable {
    case resources([PolicyText])
    case notResources([PolicyText])
}

/// `Principal` or `NotPrincipal`.
enum PrincipalElement: Sendable, Hashable {
    case principal(PrincipalSet)
    case notPrincipal(PrincipalSet)
}

extension PolicyDocument {
    /// Every condition key and policy variable the document reads, as written (first spelling wins),
    /// for GetContextKeysFor…Policy and for reporting SimulatePrincipalPolicy's `MissingContextValues`.
    public var contextKeys: [String] {
        var seen: Set<String> = []
        var keys: [String] = []
        func add(_ key: String) {
            if seen.insert(key.lowercased()).inserted { keys.append(key) }
        }
        for statement in statements {
            if case .resources(let patterns) = statement.resource { patterns.flatMap(\.variableKeys).forEach(add) }
            if case .notResources(let patterns) = statement.resource { patterns.flatMap(\.variableKeys).forEach(add) }
            for clause in statement.conditions {
                add(clause.key)
                if case .texts(let texts) = clause.values { texts.flatMap(\.variableKeys).forEach(add) }
            }
        }
        return keys
    }
}
