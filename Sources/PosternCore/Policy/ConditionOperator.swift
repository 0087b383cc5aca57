/// A condition operator without its `ForAnyValue:` / `ForAllValues:` qualifier and `IfExists` suffix
/// ("IAM JSON policy elements: Condition operators").
enum ConditionOperator: String, Sendable, Hashable, CaseIterable {
    case stringEquals = "StringEquals"
    case stringNotEquals = "StringNotEquals"
    case stringEqualsIgnoreCase = "StringEqualsIgnoreCase"
    case stringNotEqualsIgnoreCase = "StringNotEqualsIgnoreCase"
    case stringLike = "StringLike"
    case stringNotLike = "StringNotLike"
    case numericEquals = "NumericEquals"
    case numericNotEquals = "NumericNotEquals"
    case numericLessThan = "NumericLessThan"
    case numericLessThanEquals = "NumericLessThanEquals"
    case numericGreaterThan = "NumericGreaterThan"
    case numericGreaterThanEquals = "NumericGreaterThanEquals"
    case dateEquals = "DateEquals"
    case dateNotEquals = "DateNotEquals"
    case dateLessThan = "DateLessThan"
    case dateLessThanEquals = "DateLessThanEquals"
    case dateGreaterThan = "DateGreaterThan"
    case dateGreaterThanEquals = "DateGreaterThanEquals"
    case bool = "Bool"
    case binaryEquals = "BinaryEquals"
    case ipAddress = "IpAddress"
    case notIpAddress = "NotIpAddress"
    case arnEquals = "ArnEquals"
    case arnLike = "ArnLike"
    case arnNotEquals = "ArnNotEquals"
    case arnNotLike = "ArnNotLike"
    case null = "Null"

    /// The kind of value the operator compares, which decides how policy values are parsed.
    enum Family: Sendable {
        case string, numeric, date, bool, binary, ipAddress, arn, null
    }

    var family: Family {
        switch self {
        case .stringEquals, .stringNotEquals, .stringEqualsIgnoreCase, .stringNotEqualsIgnoreCase, .stringLike, .stringNotLike: .string
        case .numericEquals, .numericNotEquals, .numericLessThan, .numericLessThanEquals, .numericGreaterThan, .numericGreaterThanEquals: .numeric
        case .dateEquals, .dateNotEquals, .dateLessThan, .dateLessThanEquals, .dateGreaterThan, .dateGreaterThanEquals: .date
        case .bool: .bool
        case .binaryEquals: .binary
        case .ipAddress, .notIpAddress: .ipAddress
        case .arnEquals, .arnLike, .arnNotEquals, .arnNotLike: .arn
        case .null: .null
        }
    }

    /// A negated operator holds when no policy value matches (NOR across values) and when the key is missing.
    var isNegated: Bool {
        switch self {
        case .stringNotEquals, .stringNotEqualsIgnoreCase, .stringNotLike, .numericNotEquals, .dateNotEquals, .notIpAddress, .arnNotEquals,
            .arnNotLike:
            true
        default: false
        }
    }

    /// Policy variables are substituted only in string, ARN and Bool values; elsewhere `${…}` is text.
    var substitutesVariables: Bool { family == .string || family == .arn || family == .bool }
}

/// `ForAnyValue:` or `ForAllValues:`, for keys with several values in the request.
enum SetQualifier: String, Sendable, Hashable {
    case forAnyValue = "ForAnyValue"
    case forAllValues = "ForAllValues"
}

/// A condition operator as written: `[ForAnyValue:|ForAllValues:]Operator[IfExists]`.
struct QualifiedOperator: Sendable, Hashable {
    let qualifier: SetQualifier?
    let base: ConditionOperator
    let ifExists: Bool

    /// Parses an operator name; nil when IAM does not know it. Names are case-sensitive. `Null` takes
    /// neither `IfExists` (the operators page excludes it) nor a set qualifier (it tests presence only).
    init?(_ name: String) {
        var rest = Substring(name)
        var qualifier: SetQualifier?
        if let colon = rest.firstIndex(of: ":") {
            guard let parsed = SetQualifier(rawValue: String(rest[..<colon])) else { return nil }
            qualifier = parsed
            rest = rest[rest.index(after: colon)...]
        }
        var ifExists = false
        if rest.hasSuffix("IfExists"), ConditionOperator(rawValue: String(rest)) == nil {
            ifExists = true
            rest = rest.dropLast("IfExists".count)
        }
        guard let base = ConditionOperator(rawValue: String(rest)) else { return nil }
        if base == .null, ifExists || qualifier != nil { return nil }
        self.qualifier = qualifier
        self.base = base
        self.ifExists = ifExists
    }
}
