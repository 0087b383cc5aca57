import PosternCore
import PosternHooks
import Testing

/// Cognito's trigger event shapes and how answers are read, without running a process.
@Suite struct TriggerEventTests {
    @Test func theEnvelopeCarriesTheCallerContextAndTheNeutralResponse() {
        let event = TriggerEvent(
            triggerSource: "PreSignUp_SignUp", region: "us-east-1", userPoolId: "us-east-1_abc", userName: "alice", clientId: nil,
            request: PreSignUpTrigger.request(userAttributes: ["email": "a@b.c"], validationData: nil, clientMetadata: ["k": "v"]),
            response: PreSignUpTrigger.neutralResponse
        ).json
        #expect(event["version"] == "1" && event["triggerSource"] == "PreSignUp_SignUp" && event["userName"] == "alice")
        #expect(event["callerContext"]?["clientId"] == .null && event["callerContext"]?["awsSdkVersion"] == "aws-sdk-unknown-unknown")
        #expect(event["request"]?["validationData"] == .null && event["request"]?["clientMetadata"]?["k"] == "v")
        #expect(event["response"]?["autoConfirmUser"] == .bool(false))
    }

    @Test func userAttributesGainSubAndStatus() {
        let attributes = TriggerRequest.userAttributes(["email": "a@b.c"], sub: "s-1", status: .confirmed)
        #expect(attributes == .object(["email": "a@b.c", "sub": "s-1", "cognito:user_status": "CONFIRMED"]))
    }

    @Test func validationDataKeepsNullValues() {
        let request = PreSignUpTrigger.request(userAttributes: [:], validationData: ["a": "1", "b": nil], clientMetadata: nil)
        #expect(request["validationData"] == .object(["a": "1", "b": .null]))
    }

    @Test func preSignUpFlagsAreStrictBooleans() throws {
        let decision = try PreSignUpTrigger.decision(.object(["response": .object(["autoConfirmUser": .bool(true), "autoVerifyEmail": .null])]))
        #expect(decision == .init(autoConfirm: true))
        #expect(throws: InvalidTriggerAnswer.self) { try PreSignUpTrigger.decision(.object(["response": .object(["autoConfirmUser": "yes"])])) }
    }

    @Test func preTokenGenerationVersion2AddsScopes() {
        let v1 = PreTokenGenerationTrigger.request(userAttributes: .object([:]), groups: ["g"], scopes: ["openid"], clientMetadata: nil, version: 1)
        let v2 = PreTokenGenerationTrigger.request(userAttributes: .object([:]), groups: ["g"], scopes: ["openid"], clientMetadata: nil, version: 2)
        #expect(v1["scopes"] == nil && v2["scopes"] == .array(["openid"]))
        #expect(v1["groupConfiguration"]?["groupsToOverride"] == .array(["g"]))
        #expect(PreTokenGenerationTrigger.neutralResponse(version: 2).keys.first == "claimsAndScopeOverrideDetails")
    }

    @Test func aCustomMessageMustKeepTheCodePlaceholder() throws {
        let good = try CustomMessageTrigger.message(
            .object(["response": .object(["emailMessage": "code {####}", "emailSubject": "hi", "smsMessage": "ignored"])]), medium: "EMAIL")
        #expect(good == .init(subject: "hi", body: "code {####}"))
        #expect(good.summary == ["customized": .array(["message", "subject"])])
        #expect(throws: InvalidTriggerAnswer.self) {
            try CustomMessageTrigger.message(.object(["response": .object(["smsMessage": "no code"])]), medium: "SMS")
        }
    }

    @Test func customChallengeAnswersAreReadStrictly() throws {
        let definition = try CustomChallengeTriggers.definition(.object(["response": .object(["challengeName": "", "issueTokens": .bool(true)])]))
        #expect(definition.challengeName == nil && definition.issueTokens && !definition.failAuthentication)
        let challenge = try CustomChallengeTriggers.challenge(
            .object(["response": .object(["publicChallengeParameters": .object(["q": "2+2"]), "privateChallengeParameters": .object(["a": "4"])])]))
        #expect(challenge.privateParameters == ["a": "4"])
        #expect(challenge.summary["privateChallengeParameters"] == .array(["a"]))
        #expect(throws: InvalidTriggerAnswer.self) {
            try CustomChallengeTriggers.challenge(.object(["response": .object(["privateChallengeParameters": .object(["a": .int(4)])])]))
        }
        #expect(try CustomChallengeTriggers.answerCorrect(.object(["response": .object(["answerCorrect": .bool(true)])])))
    }

    @Test func unknownUsersGetEmptyAttributesAndUserNotFound() {
        let request = CustomChallengeTriggers.commonRequest(userAttributes: nil, clientMetadata: nil)
        #expect(request["userAttributes"] == .object([:]) && request["userNotFound"] == .bool(true) && request["clientMetadata"] == .null)
    }
}

/// UserMigration's answer, checked as Cognito checks it.
@Suite struct UserMigrationDecisionTests {
    static func answer(_ response: [String: JSONValue]) -> JSONValue { .object(["response": .object(response)]) }

    @Test func attributesStatusAndActionAreRead() throws {
        let decision = try UserMigrationTrigger.decision(
            Self.answer(["userAttributes": .object(["email": "a@b.c"]), "finalUserStatus": "CONFIRMED", "messageAction": "SUPPRESS"]),
            forgotPassword: false)
        #expect(decision.attributes == ["email": "a@b.c"] && decision.status == .confirmed && decision.messageAction == "SUPPRESS")
    }

    @Test func resetRequiredIsTheDefaultAndTheOnlyStatusAtForgotPassword() throws {
        #expect(
            try UserMigrationTrigger.decision(Self.answer(["userAttributes": .object(["email": "a@b.c"])]), forgotPassword: false).status
                == .resetRequired)
        let confirmed = Self.answer(["userAttributes": .object(["email": "a@b.c"]), "finalUserStatus": "CONFIRMED"])
        #expect(try UserMigrationTrigger.decision(confirmed, forgotPassword: true).status == .resetRequired)
    }

    @Test func noAttributesMeansNotFound() throws {
        #expect(try UserMigrationTrigger.decision(Self.answer(["userAttributes": .null]), forgotPassword: false).attributes.isEmpty)
    }

    @Test func illTypedAnswersAreInvalid() {
        let answers: [JSONValue] = [
            Self.answer(["userAttributes": .object(["email": .int(1)])]),
            Self.answer(["userAttributes": .object(["email": "a@b.c"]), "finalUserStatus": "UNCONFIRMED"]),
            Self.answer(["userAttributes": .object(["email": "a@b.c"]), "messageAction": "SHOUT"]),
            Self.answer(["userAttributes": .object(["email": "a@b.c"]), "desiredDeliveryMediums": .array(["PIGEON"])]),
        ]
        for answer in answers { #expect(throws: InvalidTriggerAnswer.self) { try UserMigrationTrigger.decision(answer, forgotPassword: false) } }
    }
}
