import PosternCore

/// CustomMessage (`CustomMessage_<kind>`): the hook may write a message's text, which must keep the
/// code placeholder; null fields keep the pool's template.
public enum CustomMessageTrigger {
    public static let codeParameter = "{####}"

    public static func request(userAttributes: JSONValue, withUsername: Bool, clientMetadata: [String: String]?) -> [String: JSONValue] {
        [
            "userAttributes": userAttributes, "codeParameter": .string(codeParameter), "linkParameter": "{##Click Here##}",
            "usernameParameter": withUsername ? "{username}" : .null, "clientMetadata": TriggerRequest.stringMap(clientMetadata),
        ]
    }

    public static let neutralResponse: [String: JSONValue] = ["smsMessage": .null, "emailMessage": .null, "emailSubject": .null]

    /// The hook's text for one message; nil keeps the template.
    public struct Message: Sendable, Equatable {
        public var subject: String?
        public var body: String?

        public init(subject: String? = nil, body: String? = nil) {
            self.subject = subject
            self.body = body
        }

        public var summary: [String: JSONValue] {
            ["customized": .array([body.map { _ in "message" }, subject.map { _ in "subject" }].compactMap { $0 }.map(JSONValue.string))]
        }
    }

    /// `medium` is `EMAIL` or `SMS`: only that medium's fields are read.
    public static func message(_ answer: JSONValue, medium: String) throws(InvalidTriggerAnswer) -> Message {
        let reader = TriggerAnswer(answer)
        let body = try reader.text(medium == "EMAIL" ? "emailMessage" : "smsMessage")
        let subject = medium == "EMAIL" ? try reader.text("emailSubject") : nil
        if let body, !body.contains(codeParameter) {
            throw InvalidTriggerAnswer("CustomMessage returned a message without the code parameter \(codeParameter).")
        }
        return Message(subject: subject, body: body)
    }
}

/// PreTokenGeneration (`TokenGeneration_*`), in the event version the pool configured (1 or 2).
public enum PreTokenGenerationTrigger {
    /// The request: `groupConfiguration` holds the user's groups, their roles and the preferred role, as the
    /// tokens would carry them without the hook.
    public static func request(
        userAttributes: JSONValue, groups: [String], iamRoles: [String] = [], preferredRole: String? = nil, scopes: [String],
        clientMetadata: [String: String]?, version: Int
    ) -> [String: JSONValue] {
        var request: [String: JSONValue] = [
            "userAttributes": userAttributes,
            "groupConfiguration": .object([
                "groupsToOverride": .array(groups.map(JSONValue.string)), "iamRolesToOverride": .array(iamRoles.map(JSONValue.string)),
                "preferredRole": preferredRole.map(JSONValue.string) ?? .null,
            ]),
            "clientMetadata": TriggerRequest.stringMap(clientMetadata),
        ]
        if version == 2 { request["scopes"] = .array(scopes.map(JSONValue.string)) }
        return request
    }

    public static func neutralResponse(version: Int) -> [String: JSONValue] {
        [version == 1 ? "claimsOverrideDetails" : "claimsAndScopeOverrideDetails": .null]
    }
}

/// CustomEmailSender / CustomSMSSender (`CustomEmailSender_<kind>`, `CustomSMSSender_<kind>`): the hook
/// delivers the message itself; the code reaches it encrypted for its key.
public enum CustomSenderTrigger {
    /// `trigger` is `CustomEmailSender` or `CustomSMSSender`; `encryptedCode` is the code as the hook's
    /// key protects it.
    public static func request(trigger: String, encryptedCode: String?, userAttributes: JSONValue, clientMetadata: [String: String]?)
        -> [String: JSONValue]
    {
        [
            "type": .string(trigger == "CustomEmailSender" ? "customEmailSenderRequestV1" : "customSMSSenderRequestV1"),
            "code": encryptedCode.map(JSONValue.string) ?? .null, "clientMetadata": TriggerRequest.stringMap(clientMetadata),
            "userAttributes": userAttributes,
        ]
    }
}
