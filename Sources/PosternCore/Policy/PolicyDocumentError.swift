/// Why a policy document was refused. IAM answers each with `MalformedPolicyDocument` and `message`.
///
/// The messages copy IAM's wording where it is known (from IAM's own answers as moto and CloudTrail
/// record them); a document gets the first error IAM would report: syntax first, then legacy parsing,
/// statement IDs, principals, actions and resources.
public enum PolicyDocumentError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Not JSON, an unknown or mistyped element, conflicting elements, an unknown condition operator.
    case syntax
    /// `Effect` not spelled exactly `Allow` or `Deny`, or a date condition value that is not a date.
    case legacyParsing
    /// A `Principal` or `NotPrincipal` in an identity or session policy.
    case principalNotAllowed
    /// A trust policy statement without `Principal` or `NotPrincipal`.
    case missingPrincipal
    /// A principal IAM would not accept, such as a partial wildcard or an unknown principal type.
    case invalidPrincipal(type: String, value: String)
    /// An element this kind of policy must not have, such as `Resource` in a trust policy.
    case prohibitedField(String)
    case missingActions
    case missingResources
    case duplicateStatementID
    case invalidStatementID
    /// An action without `service:`.
    case actionWithoutVendor
    case actionWithSeveralColons
    case invalidVendor(String)
    case resourceNotARN(String)

    /// IAM's message for `MalformedPolicyDocument`.
    public var message: String {
        switch self {
        case .syntax: "Syntax errors in policy."
        case .legacyParsing: "The policy failed legacy parsing"
        case .principalNotAllowed: "Policy document should not specify a principal."
        case .missingPrincipal:
            "Invalid principal in policy: com.amazon.balsa.error.InvalidPolicyException: The passed in policy has a statement with no principals!"
        case .invalidPrincipal(let type, let value): "Invalid principal in policy: \"\(type)\":\"\(value)\""
        case .prohibitedField(let field): "Has prohibited field \(field)"
        case .missingActions: "Policy statement must contain actions."
        case .missingResources: "Policy statement must contain resources."
        case .duplicateStatementID: "Statement IDs (SID) in a single policy must be unique."
        case .invalidStatementID:
            "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*"
        case .actionWithoutVendor: "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."
        case .actionWithSeveralColons: "Actions/Condition can contain only one colon."
        case .invalidVendor(let vendor): "Vendor \(vendor) is not valid"
        case .resourceNotARN(let resource): "Resource \(resource) must be in ARN format or \"*\"."
        }
    }

    public var description: String { "MalformedPolicyDocument: \(message)" }

    /// Which check reports this error, in the order IAM runs them: when a document has several problems,
    /// the one with the lowest rank is reported.
    var rank: Int {
        switch self {
        case .syntax: 0
        case .legacyParsing: 1
        case .duplicateStatementID, .invalidStatementID: 2
        case .principalNotAllowed, .prohibitedField: 3
        case .missingActions: 4
        case .missingResources: 5
        case .resourceNotARN: 6
        case .actionWithoutVendor, .actionWithSeveralColons, .invalidVendor: 7
        case .missingPrincipal, .invalidPrincipal: 8
        }
    }
}
