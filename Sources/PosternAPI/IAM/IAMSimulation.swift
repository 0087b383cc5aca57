import Foundation
import PosternCore
import PosternStore

/// SimulatePrincipalPolicy and SimulateCustomPolicy: the request's actions × resources decided by
/// `PolicyEvaluator` against a role's policies (inline and attached managed ones) and/or the given ones.
/// Resource-based policies are not evaluated (`ResourcePolicy` is refused rather than ignored).
enum IAMSimulationActions {
    static let all: [QueryDispatcher.Action] = [
        .init(service: .iam, name: "SimulatePrincipalPolicy", access: .admin, handle: simulatePrincipalPolicy),
        .init(service: .iam, name: "SimulateCustomPolicy", access: .admin, handle: simulateCustomPolicy),
    ]

    /// A policy under evaluation and how MatchedStatements name it (`SourcePolicyId`, `SourcePolicyType`).
    struct Source {
        var id: String
        var type: String
        var document: PolicyDocument
    }

    static func parse(_ texts: [String], prefix: String) throws -> [Source] {
        try texts.enumerated().map { index, text in
            do throws(PolicyDocumentError) {
                return Source(id: "\(prefix).\(index + 1)", type: "none", document: try PolicyDocument(json: text, kind: .identity))
            } catch {
                throw IAMError("InvalidInput", "\(prefix).\(index + 1): \(error.message)", status: 400)
            }
        }
    }

    /// The role's policies as its sessions are evaluated with them (`Postern.namedPermissionPolicies(of:)`).
    static func sources(of role: IAMRole, postern: Postern) async throws -> [Source] {
        try await postern.namedPermissionPolicies(of: role).map { Source(id: $0.name, type: $0.sourceType, document: $0.document) }
    }

    /// `ContextEntries.member.N`: name, values and type, each value checked against its type.
    static func context(_ query: QueryRequest, now: Date) throws -> ConditionContext {
        var context = ConditionContext()
        context.setCurrentTime(now)
        var index = 1
        while let name = query["ContextEntries.member.\(index).ContextKeyName"] {
            let values = query.list("ContextEntries.member.\(index).ContextKeyValues")
            let typeName = query["ContextEntries.member.\(index).ContextKeyType"] ?? ""
            guard let type = ContextKeyType(rawValue: typeName) else {
                throw IAMError.validation(
                    "1 validation error detected: Value '\(typeName)' at 'contextEntries.\(index).member.contextKeyType' failed to satisfy constraint: Member must satisfy enum value set: [\(ContextKeyType.allCases.map(\.rawValue).joined(separator: ", "))]"
                )
            }
            guard type.isList || values.count <= 1 else {
                throw IAMError("InvalidInput", "Context key \(name) of type \(typeName) takes a single value.", status: 400)
            }
            for value in values where !type.accepts(value) {
                throw IAMError("InvalidInput", "Context key \(name) has a value that is not of type \(typeName): \(value)", status: 400)
            }
            context[name] = values
            index += 1
        }
        return context
    }

    static func statements(_ matched: [MatchedStatement], identity: [Source], boundary: [Source]) -> QueryXML {
        .members(
            "MatchedStatements",
            matched.compactMap { statement in
                let sources = statement.source == .permissionsBoundary ? boundary : identity
                guard sources.indices.contains(statement.policyIndex) else { return nil }
                let source = sources[statement.policyIndex]
                return [.text("SourcePolicyId", source.id), .text("SourcePolicyType", source.type)]
            })
    }

    static func simulate(_ query: QueryRequest, identity: [Source], call: Call) throws -> [QueryXML] {
        guard query["ResourcePolicy"] == nil else {
            throw IAMError("InvalidInput", "Postern does not evaluate resource-based policies in a simulation.", status: 400)
        }
        let actions = query.list("ActionNames")
        guard !actions.isEmpty else { throw IAMError.validation("The specified value for actionNames is invalid. It must not be empty.") }
        let boundary = try parse(query.list("PermissionsBoundaryPolicyInputList"), prefix: "PermissionsBoundaryPolicyInputList")
        guard boundary.count <= 1 else { throw IAMError("InvalidInput", "Only one permissions boundary policy may be given.", status: 400) }
        let resources = query.list("ResourceArns").isEmpty ? ["*"] : query.list("ResourceArns")
        let context = try context(query, now: call.now)
        let evaluator = PolicyEvaluator(identityPolicies: identity.map(\.document), permissionsBoundary: boundary.first?.document)
        var keys: [String] = []
        for key in (identity + boundary).flatMap(\.document.contextKeys) where context[key] == nil && !keys.contains(key) { keys.append(key) }
        var results: [[QueryXML]] = []
        for action in actions {
            for resource in resources {
                let decision = evaluator.evaluate(PolicyRequest(action: action, resource: resource, context: context))
                let matched = statements(decision.matchedStatements, identity: identity, boundary: boundary)
                var members: [QueryXML] = [
                    .text("EvalActionName", action), .text("EvalResourceName", resource), .text("EvalDecision", decision.outcome.rawValue), matched,
                    .memberTexts("MissingContextValues", keys),
                ]
                if let boundaryDocument = boundary.first?.document {
                    let allowed = PolicyEvaluator(identityPolicies: [boundaryDocument]).evaluate(
                        PolicyRequest(action: action, resource: resource, context: context)
                    ).isAllowed
                    members.append(.element("PermissionsBoundaryDecisionDetail", [.text("AllowedByPermissionsBoundary", allowed ? "true" : "false")]))
                }
                members.append(
                    .members(
                        "ResourceSpecificResults",
                        [
                            [
                                .text("EvalResourceName", resource), .text("EvalResourceDecision", decision.outcome.rawValue), matched,
                                .memberTexts("MissingContextValues", keys),
                            ]
                        ]))
                results.append(members)
            }
        }
        let limit = try query.maxItems()
        let start = Int(query["Marker"] ?? "") ?? 0
        let page = results.dropFirst(start).prefix(limit)
        var answer: [QueryXML] = [.members("EvaluationResults", Array(page)), .text("IsTruncated", start + limit < results.count ? "true" : "false")]
        if start + limit < results.count { answer.append(.text("Marker", String(start + limit))) }
        return answer
    }

    @Sendable static func simulatePrincipalPolicy(_ query: QueryRequest, _: QueryCaller, call: Call, postern: Postern) async throws -> [QueryXML] {
        let arn = query["PolicySourceArn"] ?? ""
        let parts = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "arn", parts[2] == "iam", parts[5].hasPrefix("role/") else {
            throw IAMError("InvalidInput", "Invalid ARN: \(arn). Postern simulates the policies of IAM roles only.", status: 400)
        }
        guard let record = try await postern.roleForArn(arn) else {
            throw IAMError.noSuchEntity("The role with name \(parts[5].split(separator: "/").last ?? "") cannot be found.")
        }
        let identity = try await sources(of: record.role, postern: postern) + parse(query.list("PolicyInputList"), prefix: "PolicyInputList")
        return try simulate(query, identity: identity, call: call)
    }

    @Sendable static func simulateCustomPolicy(_ query: QueryRequest, _: QueryCaller, call: Call, postern: Postern) async throws -> [QueryXML] {
        let policies = query.list("PolicyInputList")
        guard !policies.isEmpty else { throw IAMError.validation("The specified value for policyInputList is invalid. It must not be empty.") }
        return try simulate(query, identity: try parse(policies, prefix: "PolicyInputList"), call: call)
    }
}
