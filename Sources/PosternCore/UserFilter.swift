import Foundation

/// A ListUsers `Filter`: `AttributeName Op "Value"`, with `=` (exact) or `^=` (prefix).
public struct UserFilter: Equatable, Sendable {
    public enum Match: Equatable, Sendable { case exact, prefix }

    public var attribute: String
    public var match: Match
    public var value: String

    /// Attributes Cognito lets ListUsers filter on.
    public static let filterable: Set<String> = [
        "username", "email", "phone_number", "name", "given_name", "family_name", "preferred_username", "cognito:user_status",
        "status", "sub",
    ]

    public init(attribute: String, match: Match, value: String) {
        self.attribute = attribute
        self.match = match
        self.value = value
    }

    /// Parses a filter; an empty string means "no filter" (nil).
    public static func parse(_ text: String) throws(DomainError) -> UserFilter? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty { return nil }
        var rest = Substring(trimmed)
        let name = rest.prefix { !$0.isWhitespace && $0 != "=" && $0 != "^" }
        rest = rest.dropFirst(name.count).drop(while: \.isWhitespace)
        let match: Match
        if rest.hasPrefix("^=") {
            match = .prefix
            rest = rest.dropFirst(2)
        } else if rest.hasPrefix("=") {
            match = .exact
            rest = rest.dropFirst()
        } else {
            throw .invalidParameter("Error while parsing filter.")
        }
        rest = rest.drop(while: \.isWhitespace)
        guard rest.first == "\"" else { throw .invalidParameter("Error while parsing filter.") }
        rest = rest.dropFirst()
        var value = ""
        var closed = false
        var escaped = false
        while let character = rest.first {
            rest = rest.dropFirst()
            if escaped {
                value.append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == "\"" {
                closed = true
                break
            } else {
                value.append(character)
            }
        }
        guard closed, rest.allSatisfy(\.isWhitespace) else { throw .invalidParameter("Error while parsing filter.") }
        let attribute = String(name)
        guard filterable.contains(attribute) else {
            throw .invalidParameter("Invalid search attribute: \(attribute)")
        }
        return UserFilter(attribute: attribute, match: match, value: value)
    }
}
