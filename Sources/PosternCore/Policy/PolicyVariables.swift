import Foundation

/// A string from a policy, split into plain text and the `${…}` policy variables it holds ("IAM policy
/// elements: Variables and tags" in the IAM User Guide).
///
/// Variables are only recognised under `Version` 2012-10-17 and only where IAM substitutes them
/// (`Resource`, and values of string, ARN and Bool conditions); elsewhere the text is kept as written.
/// `${*}`, `${?}` and `${$}` stand for a literal `*`, `?` and `$`. `${key, 'default'}` gives the text
/// to use when the key has no value. A variable's value is always literal: a `*` in a user name or tag
/// is not a wildcard.
struct PolicyText: Sendable, Hashable {
    enum Part: Sendable, Hashable {
        /// Text as written, in which `*` and `?` are wildcards for the `…Like` matchers.
        case text(String)
        /// A character written as `${*}`, `${?}` or `${$}`.
        case escaped(Unicode.Scalar)
        /// `${key}` or `${key, 'default'}`.
        case variable(key: String, defaultValue: String?)
    }

    let raw: String
    let parts: [Part]
    /// The tokens when the text holds no variable, so most patterns are compiled only once.
    private let staticTokens: [PatternToken]?

    /// Text in which nothing is substituted.
    init(literal raw: String) {
        self.init(raw: raw, parts: raw.isEmpty ? [] : [.text(raw)])
    }

    /// Text in which policy variables are substituted anywhere (condition values).
    init(parsingVariablesIn raw: String) {
        self.init(raw: raw, parts: Self.parts(of: raw))
    }

    /// A `Resource` pattern: IAM substitutes variables only in the resource part of the ARN, after the
    /// fifth colon, so whatever comes before it is kept as written.
    init(parsingResource raw: String) {
        var colons = 0
        var split = raw.endIndex
        for index in raw.indices where raw[index] == ":" {
            colons += 1
            if colons == 5 {
                split = raw.index(after: index)
                break
            }
        }
        guard colons == 5 else {
            self.init(literal: raw)
            return
        }
        let prefix = String(raw[..<split])
        self.init(raw: raw, parts: [.text(prefix)] + Self.parts(of: String(raw[split...])))
    }

    private init(raw: String, parts: [Part]) {
        self.raw = raw
        self.parts = parts
        staticTokens = Self.tokens(parts) { _, _ in nil }
    }

    var hasVariables: Bool { staticTokens == nil }

    var variableKeys: [String] {
        parts.compactMap { if case .variable(let key, _) = $0 { key } else { nil } }
    }

    /// The pattern with every variable replaced by its value in `context`, or nil when a variable has no
    /// single value and no default: IAM then treats the element as not matching.
    func resolved(in context: ConditionContext) -> [PatternToken]? {
        if let staticTokens { return staticTokens }
        return Self.tokens(parts) { key, defaultValue in
            // Only single-valued keys can be variables ("Single-valued vs. multivalued context keys").
            if let found = context[key], found.count == 1 { return found[0] }
            return defaultValue
        }
    }

    /// The tokens for `parts`, with each variable's text from `value`; nil when a variable has none.
    private static func tokens(_ parts: [Part], value: (_ key: String, _ defaultValue: String?) -> String?) -> [PatternToken]? {
        var tokens: [PatternToken] = []
        for part in parts {
            switch part {
            case .text(let text):
                for scalar in text.unicodeScalars {
                    switch scalar {
                    case "*": tokens.append(.anyRun(crossesColon: true))
                    case "?": tokens.append(.anyOne(crossesColon: true))
                    default: tokens.append(.character(scalar))
                    }
                }
            case .escaped(let scalar):
                tokens.append(.character(scalar))
            case .variable(let key, let defaultValue):
                guard let text = value(key, defaultValue) else { return nil }
                tokens.append(contentsOf: text.unicodeScalars.map(PatternToken.character))
            }
        }
        return tokens
    }

    /// Splits text at its `${…}`; a `${` that does not open a well-formed variable stays text.
    private static func parts(of raw: String) -> [Part] {
        var parts: [Part] = []
        var text = ""
        var rest = Substring(raw)
        while let start = rest.range(of: "${") {
            text += rest[..<start.lowerBound]
            let afterOpen = rest[start.upperBound...]
            if let (part, remainder) = variable(in: afterOpen) {
                if !text.isEmpty { parts.append(.text(text)) }
                text = ""
                parts.append(part)
                rest = remainder
            } else {
                text += "${"
                rest = afterOpen
            }
        }
        text += rest
        if !text.isEmpty { parts.append(.text(text)) }
        return parts
    }

    /// The variable whose body starts at `body` (just after `${`), and the text after its `}`.
    private static func variable(in body: Substring) -> (Part, Substring)? {
        guard let end = body.firstIndex(where: { $0 == "}" || $0 == "," }) else { return nil }
        let key = body[..<end].trimmingSpaces()
        if body[end] == "}", let escaped = ["*", "?", "$"].first(where: { $0 == key }) {
            return (.escaped(escaped.unicodeScalars.first!), body[body.index(after: end)...])
        }
        guard !key.isEmpty, !key.contains("'"), !key.contains("$"), !key.contains("{"), !key.contains("*"), !key.contains("?") else { return nil }
        if body[end] == "}" {
            return (.variable(key: String(key), defaultValue: nil), body[body.index(after: end)...])
        }
        // `${key, 'default'}`: the default is quoted with single quotes and may hold any other character.
        var rest = body[body.index(after: end)...].drop { $0 == " " }
        guard rest.first == "'" else { return nil }
        rest = rest.dropFirst()
        guard let close = rest.firstIndex(of: "'") else { return nil }
        let defaultValue = String(rest[..<close])
        let tail = rest[rest.index(after: close)...].drop { $0 == " " }
        guard tail.first == "}" else { return nil }
        return (.variable(key: String(key), defaultValue: defaultValue), tail.dropFirst())
    }
}

extension Substring {
    fileprivate func trimmingSpaces() -> Substring {
        var trimmed = self
        while trimmed.first == " " { trimmed = trimmed.dropFirst() }
        while trimmed.last == " " { trimmed = trimmed.dropLast() }
        return trimmed
    }
}
