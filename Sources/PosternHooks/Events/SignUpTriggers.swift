import PosternCore

/// PreSignUp (`PreSignUp_SignUp`, `PreSignUp_AdminCreateUser`): may reject a registration, and for
/// SignUp decides auto-confirmation and auto-verification.
public enum PreSignUpTrigger {
    public static func request(
        userAttributes: [String: String], validationData: [String: String?]?, clientMetadata: [String: String]?
    ) -> [String: JSONValue] {
        [
            "userAttributes": .object(userAttributes.mapValues(JSONValue.string)),
            "validationData": validationData.map { .object($0.mapValues { $0.map(JSONValue.string) ?? .null }) } ?? .null,
            "clientMetadata": TriggerRequest.stringMap(clientMetadata),
        ]
    }

    public static let neutralResponse: [String: JSONValue] = [
        "autoConfirmUser": .bool(false), "autoVerifyEmail": .bool(false), "autoVerifyPhone": .bool(false),
    ]

    /// What the hook decided about a self-service sign-up.
    public struct Decision: Sendable, Equatable {
        public var autoConfirm = false
        public var autoVerifyEmail = false
        public var autoVerifyPhone = false

        public init(autoConfirm: Bool = false, autoVerifyEmail: Bool = false, autoVerifyPhone: Bool = false) {
            self.autoConfirm = autoConfirm
            self.autoVerifyEmail = autoVerifyEmail
            self.autoVerifyPhone = autoVerifyPhone
        }

        /// The decision as recorded in the event log.
        public var summary: [String: JSONValue] {
            ["autoConfirmUser": .bool(autoConfirm), "autoVerifyEmail": .bool(autoVerifyEmail), "autoVerifyPhone": .bool(autoVerifyPhone)]
        }
    }

    public static func decision(_ answer: JSONValue) throws(InvalidTriggerAnswer) -> Decision {
        let answer = TriggerAnswer(answer)
        return Decision(
            autoConfirm: try answer.flag("autoConfirmUser"), autoVerifyEmail: try answer.flag("autoVerifyEmail"),
            autoVerifyPhone: try answer.flag("autoVerifyPhone"))
    }
}

/// PostConfirmation (`PostConfirmation_ConfirmSignUp`, `PostConfirmation_ConfirmForgotPassword`): told,
/// answers nothing.
public enum PostConfirmationTrigger {
    public static func request(userAttributes: JSONValue, clientMetadata: [String: String]?) -> [String: JSONValue] {
        ["userAttributes": userAttributes, "clientMetadata": TriggerRequest.stringMap(clientMetadata)]
    }
}

/// UserMigration (`UserMigration_Authentication`, `UserMigration_ForgotPassword`): a legacy directory
/// looked up by the hook for a user the pool does not know.
public enum UserMigrationTrigger {
    public static func source(hasPassword: Bool) -> String {
        hasPassword ? "UserMigration_Authentication" : "UserMigration_ForgotPassword"
    }

    public static func request(password: String?, validationData: [String: String]?, clientMetadata: [String: String]?) -> [String: JSONValue] {
        var request: [String: JSONValue] = [
            "validationData": TriggerRequest.stringMap(validationData), "clientMetadata": TriggerRequest.stringMap(clientMetadata),
        ]
        if let password { request["password"] = .string(password) }
        return request
    }

    public static let neutralResponse: [String: JSONValue] = [
        "userAttributes": .null, "finalUserStatus": .null, "messageAction": .null, "desiredDeliveryMediums": .null,
        "forceAliasCreation": .null, "enableSMSMFA": .null,
    ]

    /// A UserMigration answer, checked as Cognito checks it: string attributes, a known final status,
    /// message action and delivery media. No attributes means the hook did not know the user.
    public struct Decision: Sendable, Equatable {
        public var attributes: [String: String] = [:]
        public var status: UserStatus = .resetRequired
        public var messageAction: String?
    }

    public static func decision(_ answer: JSONValue, forgotPassword: Bool) throws(InvalidTriggerAnswer) -> Decision {
        let response = answer["response"]
        var decision = Decision()
        switch response?["userAttributes"] {
        case nil, .null?: return decision
        case .object:
            decision.attributes = try TriggerAnswer(answer).stringMap("userAttributes")
        default: throw InvalidTriggerAnswer()
        }
        switch response?["finalUserStatus"] {
        case nil, .null?: decision.status = .resetRequired
        case .string("CONFIRMED")?: decision.status = .confirmed
        case .string("RESET_REQUIRED")?: decision.status = .resetRequired
        default: throw InvalidTriggerAnswer()
        }
        // A user found at ForgotPassword has no password yet: they reset it whatever the hook says.
        if forgotPassword { decision.status = .resetRequired }
        switch response?["messageAction"] {
        case nil, .null?: decision.messageAction = nil
        case .string(let action)? where ["SUPPRESS", "RESEND"].contains(action): decision.messageAction = action
        default: throw InvalidTriggerAnswer()
        }
        switch response?["desiredDeliveryMediums"] {
        case nil, .null?: break
        case .array(let media)? where media.allSatisfy({ ["EMAIL", "SMS"].contains($0.stringValue ?? "") }): break
        default: throw InvalidTriggerAnswer()
        }
        return decision
    }
}
