/// Decides a request against a principal's policies as IAM does within one account ("Policy evaluation
/// logic" in the IAM User Guide): an explicit `Deny` in any policy wins; otherwise the request is
/// allowed only if an identity policy allows it and, when present, the permissions boundary and at least
/// one session policy allow it too; otherwise it is implicitly denied.
///
/// Organizations SCPs and resource-based policies other than trust policies are not evaluated.
public struct PolicyEvaluator: Sendable {
    public var identityPolicies: [PolicyDocument]
    public var permissionsBoundary: PolicyDocument?
    /// Policies passed when the session was created; nil when none were. Empty when some were passed and
    /// none is left (managed policies deleted since): then nothing is allowed.
    public var sessionPolicies: [PolicyDocument]?

    public init(identityPolicies: [PolicyDocument], permissionsBoundary: PolicyDocument? = nil, sessionPolicies: [PolicyDocument]? = nil) {
        self.identityPolicies = identityPolicies
        self.permissionsBoundary = permissionsBoundary
        self.sessionPolicies = sessionPolicies
    }

    public func evaluate(_ request: PolicyRequest) -> PolicyDecision {
        let identity = Self.applicable(identityPolicies, source: .identity, request: request)
        let boundary = permissionsBoundary.map { Self.applicable([$0], source: .permissionsBoundary, request: request) }
        let session = sessionPolicies.map { Self.applicable($0, source: .session, request: request) }
        let all = identity + (boundary ?? []) + (session ?? [])

        let denies = all.filter { $0.effect == .deny }
        if !denies.isEmpty { return PolicyDecision(outcome: .explicitDeny, matchedStatements: denies) }
        let allows = { (statements: [MatchedStatement]?) in statements.map { $0.contains { $0.effect == .allow } } ?? true }
        guard identity.contains(where: { $0.effect == .allow }), allows(boundary), allows(session) else {
            return PolicyDecision(outcome: .implicitDeny, matchedStatements: [])
        }
        return PolicyDecision(outcome: .allowed, matchedStatements: all)
    }

    /// Decides whether `request.principal` may assume a role, from the role's trust policy alone.
    ///
    /// A trust policy must allow the principal explicitly ("Policy evaluation logic": IAM role trust
    /// policies are an exception to identity-or-resource allow). A statement without `Principal` or
    /// `NotPrincipal` never applies here, so an identity policy passed by mistake allows nothing.
    public static func evaluateTrust(_ trustPolicy: PolicyDocument, for request: PolicyRequest) -> PolicyDecision {
        let matched = applicable([trustPolicy], source: .trust, request: request)
        let denies = matched.filter { $0.effect == .deny }
        if !denies.isEmpty { return PolicyDecision(outcome: .explicitDeny, matchedStatements: denies) }
        if matched.isEmpty { return PolicyDecision(outcome: .implicitDeny, matchedStatements: []) }
        return PolicyDecision(outcome: .allowed, matchedStatements: matched)
    }

    /// The statements of `policies` that apply to the request, in document order. A document of the
    /// wrong kind (a trust policy among identity policies, or the reverse) contributes nothing.
    static func applicable(_ policies: [PolicyDocument], source: PolicySource, request: PolicyRequest) -> [MatchedStatement] {
        var matched: [MatchedStatement] = []
        let expectedKind: PolicyKind = source == .trust ? .trust : .identity
        for (policyIndex, policy) in policies.enumerated() where policy.kind == expectedKind {
            for (statementIndex, statement) in policy.statements.enumerated()
            where statement.applies(to: request, checkingPrincipal: source == .trust) {
                matched.append(
                    MatchedStatement(
                        source: source, policyIndex: policyIndex, statementIndex: statementIndex, sid: statement.sid, effect: statement.effect)
                )
            }
        }
        return matched
    }
}

extension PolicyStatement {
    /// Whether the statement's principal, action, resource and conditions all match the request.
    func applies(to request: PolicyRequest, checkingPrincipal: Bool) -> Bool {
        if checkingPrincipal {
            guard let principal, principal.matches(request.principal) else { return false }
        }
        guard action.matches(request.action) else { return false }
        if let resource, !resource.matches(request.resource, in: request.context) { return false }
        return conditionsHold(in: request.context)
    }
}

/// The outcome of evaluating a request, with the statements that decided it.
public struct PolicyDecision: Sendable, Hashable {
    /// IAM's three results, as SimulatePrincipalPolicy's `EvalDecision` names them.
    public enum Outcome: String, Sendable, Hashable {
        case allowed
        case explicitDeny
        case implicitDeny
    }

    public let outcome: Outcome
    /// For `explicitDeny`, the `Deny` statements that apply; for `allowed`, every statement that
    /// applies (all `Allow`); for `implicitDeny`, none. SimulatePrincipalPolicy reports these as
    /// `MatchedStatements`.
    public let matchedStatements: [MatchedStatement]

    public var isAllowed: Bool { outcome == .allowed }
}

/// Which of the evaluated policy sets a statement came from.
public enum PolicySource: String, Sendable, Hashable {
    case identity
    case permissionsBoundary
    case session
    case trust
}

/// A statement that applied to a request: which policy (index within its source) and which statement.
public struct MatchedStatement: Sendable, Hashable {
    public let source: PolicySource
    public let policyIndex: Int
    public let statementIndex: Int
    public let sid: String?
    public let effect: PolicyEffect
}
