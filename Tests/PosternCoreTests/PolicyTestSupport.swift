import Testing

@testable import PosternCore

/// Builders for the policy evaluator tests: documents from JSON text, requests with defaults.
enum PolicyFixtures {
    static func identity(_ json: String) throws -> PolicyDocument { try PolicyDocument(json: json, kind: .identity) }

    static func trust(_ json: String) throws -> PolicyDocument { try PolicyDocument(json: json, kind: .trust) }

    /// A 2012-10-17 identity policy of one statement built from its elements (JSON fragments).
    static func statement(
        effect: String = "Allow", action: String = "\"*\"", resource: String = "\"*\"", condition: String? = nil, version: String = "2012-10-17"
    ) throws -> PolicyDocument {
        let conditionElement = condition.map { ", \"Condition\": \($0)" } ?? ""
        return try identity(
            """
            {"Version": "\(version)", "Statement": {"Effect": "\(effect)", "Action": \(action), "Resource": \(resource)\(conditionElement)}}
            """
        )
    }

    static func request(
        _ action: String = "s3:GetObject", resource: String = "arn:aws:s3:::bucket/key", context: ConditionContext = [:]
    ) -> PolicyRequest {
        PolicyRequest(action: action, resource: resource, context: context)
    }

    static func outcome(_ policies: [PolicyDocument], _ request: PolicyRequest) -> PolicyDecision.Outcome {
        PolicyEvaluator(identityPolicies: policies).evaluate(request).outcome
    }
}
