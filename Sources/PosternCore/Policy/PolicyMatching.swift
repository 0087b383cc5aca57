/// One element of a compiled wildcard pattern.
enum PatternToken: Sendable, Hashable {
    case character(Unicode.Scalar)
    /// `*`: any run of characters, colons included or not.
    case anyRun(crossesColon: Bool)
    /// `?`: exactly one character.
    case anyOne(crossesColon: Bool)
}

/// Wildcard matching as IAM does it for actions, resources, `StringLike` and `ArnLike`.
enum PolicyMatching {
    /// Whether `tokens` match all of `text`. Dynamic programming over (pattern, text) rather than greedy
    /// backtracking, because a `*` that may not cross a colon breaks the greedy algorithm's invariant.
    static func matches(_ tokens: [PatternToken], _ text: [Unicode.Scalar]) -> Bool {
        if tokens.count == 1, case .anyRun(crossesColon: true) = tokens[0] { return true }
        // reachable[j]: the tokens seen so far can match text[..<j].
        var reachable = [Bool](repeating: false, count: text.count + 1)
        reachable[0] = true
        for token in tokens {
            var next = [Bool](repeating: false, count: text.count + 1)
            switch token {
            case .character(let scalar):
                for j in 0..<text.count where reachable[j] && text[j] == scalar { next[j + 1] = true }
            case .anyOne(let crossesColon):
                for j in 0..<text.count where reachable[j] && (crossesColon || text[j] != ":") { next[j + 1] = true }
            case .anyRun(let crossesColon):
                next[0] = reachable[0]
                for j in 0..<text.count {
                    next[j + 1] = reachable[j + 1] || (next[j] && (crossesColon || text[j] != ":"))
                }
            }
            reachable = next
            if !reachable.contains(true) { return false }
        }
        return reachable[text.count]
    }

    static func matches(_ tokens: [PatternToken], _ text: String) -> Bool {
        matches(tokens, Array(text.unicodeScalars))
    }

    /// A `Resource` pattern: in the first five ARN segments (partition, service, region, account) a
    /// wildcard stays inside its segment, except a `*` that ends its segment, which may run past colons
    /// ("IAM JSON policy elements: Resource", Using wildcards in resource ARNs). In the resource part
    /// after the fifth colon wildcards match anything.
    static func resourceMatches(_ tokens: [PatternToken], _ resource: String) -> Bool {
        var restricted = tokens
        var colons = 0
        for index in tokens.indices {
            guard colons < 5 else { break }
            switch tokens[index] {
            case .character(":"): colons += 1
            case .character: break
            case .anyOne: restricted[index] = .anyOne(crossesColon: false)
            case .anyRun:
                let endsSegment = index == tokens.count - 1 || tokens[index + 1] == .character(":")
                restricted[index] = .anyRun(crossesColon: endsSegment)
            }
        }
        return matches(restricted, resource)
    }

    /// `ArnEquals` / `ArnLike`: each of the six colon-separated components is matched on its own, so a
    /// wildcard never spans components ("IAM JSON policy elements: Condition operators", ARN operators).
    static func arnMatches(_ tokens: [PatternToken], _ arn: String) -> Bool {
        let patternParts = tokens.split(separator: .character(":"), maxSplits: 5, omittingEmptySubsequences: false)
        let arnParts = Array(arn.unicodeScalars).split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard patternParts.count == 6, arnParts.count == 6 else { return false }
        return zip(patternParts, arnParts).allSatisfy { matches(Array($0), Array($1)) }
    }
}

/// One `Action` / `NotAction` entry (`service:Verb*`), matched case-insensitively.
struct ActionPattern: Sendable, Hashable {
    let raw: String
    private let tokens: [PatternToken]

    init(_ raw: String) {
        self.raw = raw
        tokens = raw.lowercased().unicodeScalars.map { scalar in
            switch scalar {
            case "*": .anyRun(crossesColon: true)
            case "?": .anyOne(crossesColon: true)
            default: .character(scalar)
            }
        }
    }

    func matches(_ action: String) -> Bool {
        PolicyMatching.matches(tokens, action.lowercased())
    }
}

extension ActionElement {
    func matches(_ action: String) -> Bool {
        switch self {
        case .actions(let patterns): patterns.contains { $0.matches(action) }
        case .notActions(let patterns): !patterns.contains { $0.matches(action) }
        }
    }
}

extension ResourceElement {
    /// Whether the element covers `resource`. A pattern whose variable has no value matches nothing;
    /// in `NotResource` it makes the whole element not match, so a missing value never widens a statement.
    func matches(_ resource: String, in context: ConditionContext) -> Bool {
        switch self {
        case .resources(let patterns):
            return patterns.contains { pattern in
                pattern.resolved(in: context).map { PolicyMatching.resourceMatches($0, resource) } ?? false
            }
        case .notResources(let patterns):
            for pattern in patterns {
                guard let tokens = pattern.resolved(in: context) else { return false }
                if PolicyMatching.resourceMatches(tokens, resource) { return false }
            }
            return true
        }
    }
}
