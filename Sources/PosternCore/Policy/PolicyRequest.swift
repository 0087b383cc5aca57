import Foundation

/// What is being authorized: the request context of "Policy evaluation logic" in the IAM User Guide.
public struct PolicyRequest: Sendable, Hashable {
    /// `service:Action`, e.g. `execute-api:Invoke` or `sts:AssumeRoleWithWebIdentity`.
    public var action: String
    /// The resource ARN. Trust policies ignore it (their resource is the role).
    public var resource: String
    /// The caller, checked against `Principal` / `NotPrincipal`; nil for an anonymous caller.
    public var principal: RequestPrincipal?
    public var context: ConditionContext

    public init(action: String, resource: String = "*", principal: RequestPrincipal? = nil, context: ConditionContext = [:]) {
        self.action = action
        self.resource = resource
        self.principal = principal
        self.context = context
    }
}

/// The condition keys of a request and their values, looked up case-insensitively as IAM does
/// ("Key names are case-insensitive", IAM policy elements: Variables and tags).
///
/// A key may hold several values (a multivalued key such as `cognito-identity.amazonaws.com:amr`).
/// A key set to no values counts as absent. Keys that differ only in case are one key: the last one set wins.
public struct ConditionContext: Sendable, Hashable, ExpressibleByDictionaryLiteral {
    private var values: [String: [String]] = [:]

    public init(_ values: [String: [String]] = [:]) {
        for (key, value) in values { self[key] = value }
    }

    public init(dictionaryLiteral elements: (String, [String])...) {
        for (key, value) in elements { self[key] = value }
    }

    /// Every key (in lower case: keys are case-insensitive) with its values, in key order.
    public var entries: [(key: String, values: [String])] { values.sorted { $0.key < $1.key }.map { ($0.key, $0.value) } }

    /// The key's values, or nil when the request does not have the key.
    public subscript(key: String) -> [String]? {
        get { values[key.lowercased()] }
        set { values[key.lowercased()] = newValue?.isEmpty == true ? nil : newValue }
    }

    /// A date condition value (`aws:CurrentTime`, `aws:TokenIssueTime`): ISO 8601, UTC, whole seconds.
    public static func dateValue(epochSeconds: Int) -> String { ConditionValueParsing.iso8601(epochSeconds: epochSeconds) }

    /// Sets `aws:CurrentTime` (ISO 8601, UTC, whole seconds) and `aws:EpochTime` from `now`: PosternCore
    /// never reads the clock itself.
    public mutating func setCurrentTime(_ now: Date) {
        let seconds = Int(now.timeIntervalSince1970.rounded(.down))
        self["aws:CurrentTime"] = [ConditionValueParsing.iso8601(epochSeconds: seconds)]
        self["aws:EpochTime"] = [String(seconds)]
    }
}
