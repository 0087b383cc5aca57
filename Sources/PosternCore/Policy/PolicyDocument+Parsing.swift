import Foundation

extension PolicyDocument {
    /// Parses and validates a policy document's JSON text.
    public init(json text: String, kind: PolicyKind) throws(PolicyDocumentError) {
        let tree: JSONValue
        do {
            var text = text
            tree = try text.withUTF8 { utf8 in try JSONParser.parse(utf8) }
        } catch {
            throw .syntax
        }
        try self.init(json: tree, kind: kind)
    }

    /// Validates a policy document already parsed into a JSON tree.
    ///
    /// Every element is checked as IAM checks it on CreatePolicy / CreateRole, and the first problem in
    /// IAM's order of checks is thrown (see `PolicyDocumentError`). Known departure: the JSON parser keeps
    /// the last of repeated keys, so a statement with two `Effect` keys is not refused.
    public init(json tree: JSONValue, kind: PolicyKind) throws(PolicyDocumentError) {
        var parser = PolicyParser(kind: kind)
        self = try parser.document(tree)
    }
}

/// Reads a policy document, throwing syntax errors at once and keeping the first later-stage error.
private struct PolicyParser {
    let kind: PolicyKind
    var version = PolicyVersion.v2008_10_17
    /// The first error of a later check than syntax, reported once the whole document parsed.
    var deferred: PolicyDocumentError?

    init(kind: PolicyKind) { self.kind = kind }

    private static let documentKeys: Set<String> = ["Version", "Id", "Statement"]
    private static let statementKeys: Set<String> = [
        "Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition",
    ]

    mutating func document(_ tree: JSONValue) throws(PolicyDocumentError) -> PolicyDocument {
        guard let object = tree.objectValue, Set(object.keys).isSubset(of: Self.documentKeys) else { throw .syntax }
        if let value = object["Version"] {
            guard let text = value.stringValue, let parsed = PolicyVersion(rawValue: text) else { throw .syntax }
            version = parsed
        }
        var id: String?
        if let value = object["Id"] {
            guard let text = value.stringValue else { throw .syntax }
            id = text
        }
        let rawStatements: [JSONValue]
        switch object["Statement"] {
        case .object(let single): rawStatements = [.object(single)]
        case .array(let many) where !many.isEmpty: rawStatements = many
        default: throw .syntax
        }
        var statements: [PolicyStatement] = []
        var sids: Set<String> = []
        for raw in rawStatements {
            let statement = try self.statement(raw)
            if let sid = statement.sid, !sid.isEmpty, !sids.insert(sid).inserted { report(.duplicateStatementID) }
            statements.append(statement)
        }
        if let deferred { throw deferred }
        return PolicyDocument(kind: kind, version: version, id: id, statements: statements)
    }

    /// Keeps `error` if it comes from an earlier check than the one already kept.
    private mutating func report(_ error: PolicyDocumentError) {
        if deferred.map({ error.rank < $0.rank }) ?? true { deferred = error }
    }

    private mutating func statement(_ raw: JSONValue) throws(PolicyDocumentError) -> PolicyStatement {
        guard let object = raw.objectValue, Set(object.keys).isSubset(of: Self.statementKeys) else { throw .syntax }
        for (one, other) in [("Action", "NotAction"), ("Resource", "NotResource"), ("Principal", "NotPrincipal")]
        where object[one] != nil && object[other] != nil {
            throw .syntax
        }

        var sid: String?
        if let value = object["Sid"] {
            guard let text = value.stringValue else { throw .syntax }
            if !text.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)) }) {
                report(.invalidStatementID)
            }
            sid = text
        }

        guard let effectText = object["Effect"]?.stringValue, ["allow", "deny"].contains(effectText.lowercased()) else { throw .syntax }
        // Effect is matched case-insensitively by IAM's syntax check but exactly by its legacy parser.
        let effect = PolicyEffect(rawValue: effectText) ?? (effectText.lowercased() == "deny" ? .deny : .allow)
        if effect.rawValue != effectText { report(.legacyParsing) }

        let action = try actionElement(object)
        let resource = try resourceElement(object)
        let principal = try principalElement(object)
        let conditions = try conditionClauses(object["Condition"])
        return PolicyStatement(sid: sid, effect: effect, principal: principal, action: action, resource: resource, conditions: conditions)
    }

    /// A string or a list of strings; nil when absent.
    private func strings(_ value: JSONValue?) throws(PolicyDocumentError) -> [String]? {
        switch value {
        case nil: return nil
        case .string(let text): return [text]
        case .array(let elements):
            var texts: [String] = []
            for element in elements {
                guard let text = element.stringValue else { throw .syntax }
                texts.append(text)
            }
            return texts
        default: throw .syntax
        }
    }

    private mutating func actionElement(_ object: [String: JSONValue]) throws(PolicyDocumentError) -> ActionElement {
        let actions = try strings(object["Action"])
        let notActions = try strings(object["NotAction"])
        let written = actions ?? notActions ?? []
        if written.isEmpty { report(.missingActions) }
        for action in written { validate(action: action) }
        let patterns = written.map(ActionPattern.init)
        return actions != nil ? .actions(patterns) : .notActions(patterns)
    }

    /// IAM's checks on an action: `*`, or a vendor of letters, digits, `-` and `.`, a colon and a name.
    private mutating func validate(action: String) {
        let parts = action.split(separator: ":", omittingEmptySubsequences: false)
        if parts.count == 1, action != "*" {
            report(.actionWithoutVendor)
        } else if parts.count > 2 {
            report(.actionWithSeveralColons)
        } else if parts.count == 2, parts[0] != "*",
            !parts[0].unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-" || $0 == ".") })
        {
            report(.invalidVendor(String(parts[0])))
        }
    }

    private mutating func resourceElement(_ object: [String: JSONValue]) throws(PolicyDocumentError) -> ResourceElement? {
        let resources = try strings(object["Resource"])
        let notResources = try strings(object["NotResource"])
        switch kind {
        case .trust:
            if resources != nil { report(.prohibitedField("Resource")) }
            if notResources != nil { report(.prohibitedField("NotResource")) }
            return nil
        case .identity:
            let written = resources ?? notResources ?? []
            if written.isEmpty { report(.missingResources) }
            for resource in written where resource != "*" && !resource.contains(":") { report(.resourceNotARN(resource)) }
            let patterns = written.map { version == .v2012_10_17 ? PolicyText(parsingResource: $0) : PolicyText(literal: $0) }
            return resources != nil ? .resources(patterns) : .notResources(patterns)
        }
    }

    private mutating func principalElement(_ object: [String: JSONValue]) throws(PolicyDocumentError) -> PrincipalElement? {
        let written = object["Principal"] ?? object["NotPrincipal"]
        let set: PrincipalSet?
        switch written {
        case nil: set = nil
        case .string("*"): set = PrincipalSet(everyone: true)
        case .object(let map):
            var entries: [PrincipalKind: [String]] = [:]
            for (type, value) in map {
                let names = try strings(value) ?? []
                guard let principalKind = PrincipalKind(rawValue: type) else {
                    report(.invalidPrincipal(type: type, value: names.first ?? ""))
                    continue
                }
                for name in names where !Self.isValid(principal: name, kind: principalKind) {
                    report(.invalidPrincipal(type: type, value: name))
                }
                entries[principalKind] = names
            }
            set = entries.values.contains { !$0.isEmpty } ? PrincipalSet(entries: entries) : nil
        default: throw .syntax
        }
        switch kind {
        case .identity:
            if written != nil { report(.principalNotAllowed) }
            return nil
        case .trust:
            guard let set else {
                report(.missingPrincipal)
                return nil
            }
            return object["Principal"] != nil ? .principal(set) : .notPrincipal(set)
        }
    }

    /// A principal IAM accepts: `*`, or a name without wildcards; an `AWS` name must be an account ID
    /// or an ARN ("You cannot use a wildcard to match part of a principal name or ARN").
    private static func isValid(principal name: String, kind: PrincipalKind) -> Bool {
        if name == "*" { return true }
        guard !name.isEmpty, !name.contains("*"), !name.contains("?") else { return false }
        guard kind == .aws else { return true }
        return PrincipalSet.isAccountID(name) || name.hasPrefix("arn:")
    }

    private mutating func conditionClauses(_ value: JSONValue?) throws(PolicyDocumentError) -> [ConditionClause] {
        guard let value else { return [] }
        guard let operators = value.objectValue else { throw .syntax }
        var clauses: [ConditionClause] = []
        for (name, body) in operators.sorted(by: { $0.key < $1.key }) {
            guard let condition = QualifiedOperator(name), let keys = body.objectValue else { throw .syntax }
            for (key, rawValues) in keys.sorted(by: { $0.key < $1.key }) {
                let texts = try conditionStrings(rawValues)
                clauses.append(ConditionClause(condition: condition, key: key, values: try values(texts, for: condition.base)))
            }
        }
        return clauses
    }

    /// Condition values are strings, numbers or Booleans, alone or in a list.
    private func conditionStrings(_ value: JSONValue) throws(PolicyDocumentError) -> [String] {
        func text(_ scalar: JSONValue) throws(PolicyDocumentError) -> String {
            switch scalar {
            case .string(let text): return text
            case .int(let number): return String(number)
            case .double(let number): return "\(number)"
            case .bool(let flag): return flag ? "true" : "false"
            default: throw .syntax
            }
        }
        if case .array(let elements) = value {
            var texts: [String] = []
            for element in elements { texts.append(try text(element)) }
            return texts
        }
        return [try text(value)]
    }

    /// Parses the values for the operator's family. Typed values that cannot be read are refused when
    /// the policy is saved rather than silently never matching; dates the way IAM's legacy parser does.
    private mutating func values(_ texts: [String], for op: ConditionOperator) throws(PolicyDocumentError) -> ConditionValues {
        func each<T>(_ parse: (String) -> T?) throws(PolicyDocumentError) -> [T] {
            var parsed: [T] = []
            for text in texts {
                guard let value = parse(text) else { throw .syntax }
                parsed.append(value)
            }
            return parsed
        }
        switch op.family {
        case .string, .arn, .bool:
            let substitutes = version == .v2012_10_17 && op.substitutesVariables
            let parsed = texts.map { substitutes ? PolicyText(parsingVariablesIn: $0) : PolicyText(literal: $0) }
            if op.family == .bool, parsed.contains(where: { !$0.hasVariables && ConditionValueParsing.bool($0.raw) == nil }) { throw .syntax }
            return .texts(parsed)
        case .numeric: return .numbers(try each(ConditionValueParsing.number))
        case .date:
            let dates = texts.compactMap(ConditionValueParsing.date)
            if dates.count != texts.count { report(.legacyParsing) }
            return .dates(dates)
        case .ipAddress: return .ipRanges(try each(ConditionValueParsing.ipRange))
        case .binary: return .binaries(try each(ConditionValueParsing.binary))
        case .null: return .nullChecks(try each(ConditionValueParsing.bool))
        }
    }
}
