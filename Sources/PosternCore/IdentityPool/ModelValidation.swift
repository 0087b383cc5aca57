import Foundation

/// The constraints of an awsJson service model (length, pattern, range, enum, map size), checked the way
/// AWS's front end checks them: every violation in a request is collected and reported as one
/// `ValidationException`, "N validation errors detected: Value '…' at 'member' failed to satisfy
/// constraint: …; …". cognito-identity answers model violations this way (cognito-idp uses
/// InvalidParameterException, see `DomainError.validation`).
public struct ModelValidation: Sendable {
    public private(set) var violations: [String] = []

    public init() {}

    /// Throws the collected violations, if any.
    public func check() throws(DomainError) {
        guard !violations.isEmpty else { return }
        let count = violations.count
        throw .modelValidation("\(count) validation error\(count == 1 ? "" : "s") detected: " + violations.joined(separator: "; "))
    }

    mutating func fail(_ value: String?, _ member: String, _ constraint: String, sensitive: Bool = false) {
        // A sensitive member (a token, a developer's user id) is shown as AWS shows it: '***'.
        let shown = value.map { "Value '\(sensitive ? "***" : $0)'" } ?? "Value null"
        violations.append("\(shown) at '\(member)' failed to satisfy constraint: Member must \(constraint)")
    }

    /// A string member: its length (in characters, as AWS counts) and pattern, when it is present.
    /// A `sensitive` value is never repeated in the message.
    public mutating func string(_ value: String?, _ member: String, length: ClosedRange<Int>, pattern: String? = nil, sensitive: Bool = false) {
        guard let value else { return }
        if value.count < length.lowerBound {
            return fail(value, member, "have length greater than or equal to \(length.lowerBound)", sensitive: sensitive)
        }
        if value.count > length.upperBound {
            return fail(value, member, "have length less than or equal to \(length.upperBound)", sensitive: sensitive)
        }
        if let pattern, value.range(of: "^(?:\(pattern))\\z", options: .regularExpression) == nil {
            fail(value, member, "satisfy regular expression pattern: \(pattern)", sensitive: sensitive)
        }
    }

    /// A required member that is missing.
    public mutating func required(_ value: JSONValue?, _ member: String) {
        if value == nil || value == .null { fail(nil, member, "not be null") }
    }

    /// An integer member within a range.
    public mutating func integer(_ value: Int?, _ member: String, range: ClosedRange<Int>) {
        guard let value else { return }
        if value < range.lowerBound { fail(String(value), member, "have value greater than or equal to \(range.lowerBound)") }
        if value > range.upperBound { fail(String(value), member, "have value less than or equal to \(range.upperBound)") }
    }

    /// A member with a closed set of values.
    public mutating func oneOf(_ value: String?, _ member: String, _ allowed: [String]) {
        guard let value, !allowed.contains(value) else { return }
        fail(value, member, "satisfy enum value set: [\(allowed.joined(separator: ", "))]")
    }

    /// A list or map with at most (and at least) so many entries.
    public mutating func count(_ count: Int?, _ member: String, _ range: ClosedRange<Int>) {
        guard let count else { return }
        if count > range.upperBound { fail(nil, member, "have length less than or equal to \(range.upperBound)") }
        if count < range.lowerBound { fail(nil, member, "have length greater than or equal to \(range.lowerBound)") }
    }
}
