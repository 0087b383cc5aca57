import PosternCore

/// PreAuthentication (`PreAuthentication_Authentication`): may deny a sign-in; answers nothing.
public enum PreAuthenticationTrigger {
    /// `userAttributes` is empty and `userNotFound` true for a user the pool does not know (Cognito
    /// runs it so only when the client hides user existence).
    public static func request(userAttributes: JSONValue, validationData: [String: String]?, userNotFound: Bool) -> [String: JSONValue] {
        [
            "userAttributes": userAttributes, "validationData": TriggerRequest.stringMap(validationData),
            "userNotFound": .bool(userNotFound),
        ]
    }
}

/// PostAuthentication (`PostAuthentication_Authentication`): may deny a sign-in; answers nothing.
public enum PostAuthenticationTrigger {
    public static func request(userAttributes: JSONValue, newDeviceUsed: Bool, clientMetadata: [String: String]?) -> [String: JSONValue] {
        [
            "userAttributes": userAttributes, "newDeviceUsed": .bool(newDeviceUsed),
            "clientMetadata": TriggerRequest.stringMap(clientMetadata),
        ]
    }
}

/// The three custom-challenge triggers of CUSTOM_AUTH (`DefineAuthChallenge_Authentication`,
/// `CreateAuthChallenge_Authentication`, `VerifyAuthChallengeResponse_Authentication`).
public enum CustomChallengeTriggers {
    /// What all three read: the user (empty attributes and `userNotFound` for an unknown one) and the
    /// caller's ClientMetadata.
    public static func commonRequest(userAttributes: JSONValue?, clientMetadata: [String: String]?) -> [String: JSONValue] {
        [
            "userAttributes": userAttributes ?? .object([:]), "userNotFound": .bool(userAttributes == nil),
            "clientMetadata": TriggerRequest.stringMap(clientMetadata),
        ]
    }

    public static let defineNeutralResponse: [String: JSONValue] = [
        "challengeName": .null, "issueTokens": .bool(false), "failAuthentication": .bool(false),
    ]

    /// DefineAuthChallenge's decision: the next challenge, or tokens, or failure.
    public struct Definition: Sendable, Equatable {
        public var challengeName: String?
        public var issueTokens: Bool
        public var failAuthentication: Bool

        public var summary: [String: JSONValue] {
            [
                "challengeName": challengeName.map(JSONValue.string) ?? .null, "issueTokens": .bool(issueTokens),
                "failAuthentication": .bool(failAuthentication),
            ]
        }
    }

    public static func definition(_ answer: JSONValue) throws(InvalidTriggerAnswer) -> Definition {
        let reader = TriggerAnswer(answer)
        let name = try reader.text("challengeName")
        return Definition(
            challengeName: name?.isEmpty == true ? nil : name, issueTokens: try reader.flag("issueTokens"),
            failAuthentication: try reader.flag("failAuthentication"))
    }

    public static let createNeutralResponse: [String: JSONValue] = [
        "publicChallengeParameters": .object([:]), "privateChallengeParameters": .object([:]), "challengeMetadata": .null,
    ]

    /// CreateAuthChallenge's challenge: what the client sees, what only Verify sees, and free metadata.
    public struct Challenge: Sendable, Equatable {
        public var publicParameters: [String: String]
        public var privateParameters: [String: String]
        public var challengeMetadata: String?

        /// Private parameters hold the expected answer: only their names reach the log. The metadata is
        /// the hook's free text (it may name the user or the answer): only whether it is set.
        public var summary: [String: JSONValue] {
            [
                "challengeMetadata": .bool(challengeMetadata != nil),
                "publicChallengeParameters": .array(publicParameters.keys.sorted().map(JSONValue.string)),
                "privateChallengeParameters": .array(privateParameters.keys.sorted().map(JSONValue.string)),
            ]
        }
    }

    public static func challenge(_ answer: JSONValue) throws(InvalidTriggerAnswer) -> Challenge {
        let reader = TriggerAnswer(answer)
        return Challenge(
            publicParameters: try reader.stringMap("publicChallengeParameters"),
            privateParameters: try reader.stringMap("privateChallengeParameters"), challengeMetadata: try reader.text("challengeMetadata"))
    }

    public static let verifyNeutralResponse: [String: JSONValue] = ["answerCorrect": .bool(false)]

    public static func answerCorrect(_ answer: JSONValue) throws(InvalidTriggerAnswer) -> Bool {
        try TriggerAnswer(answer).flag("answerCorrect")
    }
}
