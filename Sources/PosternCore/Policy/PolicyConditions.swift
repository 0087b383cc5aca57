import Foundation

/// The policy's values for one condition key, parsed for the operator's family when the policy is read.
enum ConditionValues: Sendable, Hashable {
    /// String, ARN and Bool values, which may hold policy variables.
    case texts([PolicyText])
    case numbers([Decimal])
    /// Seconds since 1970.
    case dates([Double])
    case ipRanges([IPRange])
    case binaries([Data])
    /// `Null`: `true` tests that the key is absent, `false` that it is present.
    case nullChecks([Bool])
}

/// One operator applied to one key: `"StringEquals": {"aws:username": ["a", "b"]}` holds two values
/// for one clause. A statement's clauses are ANDed; a clause's values are ORed (NOR when negated)
/// ("Conditions with multiple context keys or values").
struct ConditionClause: Sendable, Hashable {
    let condition: QualifiedOperator
    /// The key as written; looked up case-insensitively.
    let key: String
    let values: ConditionValues

    /// Whether the clause holds for the request context.
    ///
    /// A missing key (or one whose values are an empty set) makes the clause false, except that
    /// `…IfExists` and `ForAllValues:` then hold, a negated operator without a qualifier holds, and
    /// `ForAnyValue:` fails ("Condition operators" and "Single-valued vs. multivalued context keys").
    /// For `ForAllValues:` / `ForAnyValue:` empty strings in the request are left out of the set, as
    /// IAM documents an empty string resolving to an empty data set.
    func holds(in context: ConditionContext) -> Bool {
        let op = condition.base
        var requestValues = context[key] ?? []
        if condition.qualifier != nil { requestValues.removeAll { $0.isEmpty } }
        if case .nullChecks(let checks) = values {
            return checks.contains(requestValues.isEmpty)
        }
        guard !requestValues.isEmpty else {
            if condition.ifExists { return true }
            switch condition.qualifier {
            case .forAllValues: return true
            case .forAnyValue: return false
            case nil: return op.isNegated
            }
        }
        guard let matcher = PositiveMatcher(op: op, values: values, context: context) else { return false }
        switch condition.qualifier {
        case .forAllValues:
            return requestValues.allSatisfy { matcher.matches($0) != op.isNegated }
        case .forAnyValue:
            return requestValues.contains { matcher.matches($0) != op.isNegated }
        case nil:
            return requestValues.contains { matcher.matches($0) } != op.isNegated
        }
    }
}

/// Whether one request value matches any of the policy's values under the operator's positive form
/// (`StringNotLike` under `StringLike`, `NotIpAddress` under `IpAddress`, …).
private struct PositiveMatcher {
    let op: ConditionOperator
    let values: ConditionValues
    /// Text values with their variables substituted.
    let patterns: [[PatternToken]]

    /// Nil when a policy variable in the values has no value: IAM then treats the condition as failing,
    /// whatever the operator ("If AWS cannot resolve a variable, this might cause the entire statement to
    /// be invalid", Variables and tags).
    init?(op: ConditionOperator, values: ConditionValues, context: ConditionContext) {
        self.op = op
        self.values = values
        if case .texts(let texts) = values {
            var patterns: [[PatternToken]] = []
            for text in texts {
                guard let tokens = text.resolved(in: context) else { return nil }
                patterns.append(tokens)
            }
            self.patterns = patterns
        } else {
            patterns = []
        }
    }

    func matches(_ requestValue: String) -> Bool {
        switch values {
        case .texts: return matchesText(requestValue)
        case .numbers(let numbers):
            guard let value = ConditionValueParsing.number(requestValue) else { return false }
            return numbers.contains { compare(value, $0) }
        case .dates(let dates):
            guard let value = ConditionValueParsing.date(requestValue) else { return false }
            return dates.contains { compare(value, $0) }
        case .ipRanges(let ranges):
            guard let value = ConditionValueParsing.ipRange(requestValue) else { return false }
            return ranges.contains { $0.contains(value) }
        case .binaries(let binaries):
            guard let value = ConditionValueParsing.binary(requestValue) else { return false }
            return binaries.contains(value)
        case .nullChecks:
            return false
        }
    }

    private func matchesText(_ requestValue: String) -> Bool {
        switch op.family {
        case .string:
            switch op {
            case .stringLike, .stringNotLike:
                let scalars = Array(requestValue.unicodeScalars)
                return patterns.contains { PolicyMatching.matches($0, scalars) }
            case .stringEqualsIgnoreCase, .stringNotEqualsIgnoreCase:
                let lowered = requestValue.lowercased()
                return patterns.contains { Self.literal($0).lowercased() == lowered }
            default:
                return patterns.contains { Self.literal($0) == requestValue }
            }
        case .arn:
            return patterns.contains { PolicyMatching.arnMatches($0, requestValue) }
        case .bool:
            guard let value = ConditionValueParsing.bool(requestValue) else { return false }
            return patterns.contains { ConditionValueParsing.bool(Self.literal($0)) == value }
        case .numeric, .date, .binary, .ipAddress, .null:
            return false
        }
    }

    /// The pattern read as plain text: for the `…Equals` operators `*` and `?` are ordinary characters.
    private static func literal(_ tokens: [PatternToken]) -> String {
        var scalars = String.UnicodeScalarView()
        for token in tokens {
            switch token {
            case .character(let scalar): scalars.append(scalar)
            case .anyRun: scalars.append("*")
            case .anyOne: scalars.append("?")
            }
        }
        return String(scalars)
    }

    private func compare<T: Comparable>(_ requestValue: T, _ policyValue: T) -> Bool {
        switch op {
        case .numericEquals, .numericNotEquals, .dateEquals, .dateNotEquals: requestValue == policyValue
        case .numericLessThan, .dateLessThan: requestValue < policyValue
        case .numericLessThanEquals, .dateLessThanEquals: requestValue <= policyValue
        case .numericGreaterThan, .dateGreaterThan: requestValue > policyValue
        case .numericGreaterThanEquals, .dateGreaterThanEquals: requestValue >= policyValue
        default: false
        }
    }
}

extension PolicyStatement {
    func conditionsHold(in context: ConditionContext) -> Bool {
        conditions.allSatisfy { $0.holds(in: context) }
    }
}
