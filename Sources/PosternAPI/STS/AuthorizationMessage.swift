import Foundation
import PosternCore
import PosternCrypto

/// Why a request was refused, in full: the decision, the statements that decided it and the request
/// context the policies saw. The refused caller receives it sealed (opaque: it may name condition keys,
/// tags and policy statements the caller should not read) and the account opens it with STS
/// DecodeAuthorizationMessage, as AWS services hand out and decode their encoded authorization messages.
struct AuthorizationMessage: Codable, Sendable, Equatable {
    /// A statement that took part in the decision.
    struct Statement: Codable, Sendable, Equatable {
        var sourcePolicyType: String
        var policyIndex: Int
        var statementIndex: Int
        var statementId: String?
        var effect: String
    }

    var allowed: Bool
    var explicitDeny: Bool
    var matchedStatements: [Statement]
    var principalId: String
    var principalArn: String
    var action: String
    var resource: String
    var conditions: [String: [String]]
    var issuedAt: Int

    static let purpose = "authorization message v1"
    /// DecodeAuthorizationMessage's limit on `EncodedMessage`.
    static let maximumEncodedLength = 10240

    init(decision: PolicyDecision, request: PolicyRequest, principalId: String, principalArn: String, now: Date) {
        allowed = decision.isAllowed
        explicitDeny = decision.outcome == .explicitDeny
        matchedStatements = decision.matchedStatements.map {
            Statement(
                sourcePolicyType: $0.source.rawValue, policyIndex: $0.policyIndex, statementIndex: $0.statementIndex, statementId: $0.sid,
                effect: $0.effect.rawValue.uppercased())
        }
        self.principalId = principalId
        self.principalArn = principalArn
        action = request.action
        resource = request.resource
        conditions = Dictionary(uniqueKeysWithValues: request.context.entries.map { ($0.key, $0.values) })
        issuedAt = Int(now.timeIntervalSince1970)
    }

    /// The sealed form handed to the caller (URL-safe base64).
    func encoded(sealer: Sealer) throws -> String {
        Base64URL.encode(try sealer.sealedBytes(json: self, purpose: Self.purpose))
    }

    /// The message an encoded one holds; nil for text this server's master key did not seal, or altered.
    static func decode(_ encoded: String, sealer: Sealer) -> AuthorizationMessage? {
        guard let bytes = Base64URL.decode(encoded) else { return nil }
        return try? sealer.open(bytes: [UInt8](bytes), as: AuthorizationMessage.self, purpose: purpose)
    }

    /// The document DecodeAuthorizationMessage returns, shaped as AWS's decoded messages are.
    var decodedDocument: JSONValue {
        let statements: [JSONValue] = matchedStatements.map { statement in
            var item: [String: JSONValue] = [
                "sourcePolicyType": .string(statement.sourcePolicyType), "policyIndex": .int(statement.policyIndex),
                "statementIndex": .int(statement.statementIndex), "effect": .string(statement.effect),
            ]
            if let sid = statement.statementId { item["statementId"] = .string(sid) }
            return .object(item)
        }
        let conditionItems: [JSONValue] = conditions.sorted { $0.key < $1.key }.map { key, values in
            .object(["key": .string(key), "values": .object(["items": .array(values.map { .object(["value": .string($0)]) })])])
        }
        return .object([
            "allowed": .bool(allowed), "explicitDeny": .bool(explicitDeny),
            "matchedStatements": .object(["items": .array(statements)]), "failures": .object(["items": .array([])]),
            "context": .object([
                "principal": .object(["id": .string(principalId), "arn": .string(principalArn)]),
                "action": .string(action), "resource": .string(resource),
                "conditions": .object(["items": .array(conditionItems)]),
            ]),
        ])
    }
}
