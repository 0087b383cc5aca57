import Testing

@testable import PosternCore

/// A document IAM refuses, and the MalformedPolicyDocument message it gives.
struct MalformedDocument: Sendable, CustomTestStringConvertible {
    let name: String
    let json: String
    let kind: PolicyKind
    let error: PolicyDocumentError

    init(_ name: String, _ json: String, kind: PolicyKind = .identity, _ error: PolicyDocumentError) {
        self.name = name
        self.json = json
        self.kind = kind
        self.error = error
    }

    var testDescription: String { name }
}

@Suite struct PolicyDocumentParsingTests {
    static let malformed: [MalformedDocument] = [
        .init("not JSON", #"{"Version": "2012-10-17", "Statement": "#, .syntax),
        .init("not an object", #"["Statement"]"#, .syntax),
        .init("unknown top-level key", #"{"Version": "2012-10-17", "Statment": [], "Statement": \#(allowAll)}"#, .syntax),
        .init("unknown version", #"{"Version": "2014-01-01", "Statement": \#(allowAll)}"#, .syntax),
        .init("version not a string", #"{"Version": 2012, "Statement": \#(allowAll)}"#, .syntax),
        .init("Id not a string", #"{"Version": "2012-10-17", "Id": 7, "Statement": \#(allowAll)}"#, .syntax),
        .init("no Statement", #"{"Version": "2012-10-17"}"#, .syntax),
        .init("empty Statement", #"{"Version": "2012-10-17", "Statement": []}"#, .syntax),
        .init("Statement of strings", #"{"Version": "2012-10-17", "Statement": ["Allow"]}"#, .syntax),
        .init("unknown statement key", statement(#""Effect": "Allow", "Action": "*", "Resource": "*", "Actions": "*""#), .syntax),
        .init("missing Effect", statement(#""Action": "*", "Resource": "*""#), .syntax),
        .init("unknown Effect", statement(#""Effect": "Permit", "Action": "*", "Resource": "*""#), .syntax),
        .init("Action and NotAction", statement(#""Effect": "Allow", "Action": "*", "NotAction": "iam:*", "Resource": "*""#), .syntax),
        .init("Resource and NotResource", statement(#""Effect": "Allow", "Action": "*", "Resource": "*", "NotResource": "*""#), .syntax),
        .init("Action of numbers", statement(#""Effect": "Allow", "Action": [1], "Resource": "*""#), .syntax),
        .init("Condition not an object", statement(#""Effect": "Allow", "Action": "*", "Resource": "*", "Condition": []"#), .syntax),
        .init(
            "unknown condition operator",
            statement(#""Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringEqualz": {"a:b": "c"}}"#), .syntax),
        .init(
            "unknown set qualifier",
            statement(#""Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"ForSomeValues:StringLike": {"a:b": "c"}}"#), .syntax),
        .init(
            "Null with IfExists", statement(#""Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"NullIfExists": {"a:b": "true"}}"#),
            .syntax),
        .init(
            "condition value an object", statement(#""Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringEquals": {"a:b": {}}}"#),
            .syntax),
        .init(
            "numeric value not a number",
            statement(#""Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"NumericLessThan": {"s3:max-keys": "ten"}}"#), .syntax),
        .init(
            "IP value not a CIDR",
            statement(#""Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/33"}}"#), .syntax),
        .init(
            "Bool value not a Boolean",
            statement(#""Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "yes"}}"#), .syntax),
        .init("Sid not a string", statement(#""Sid": 1, "Effect": "Allow", "Action": "*", "Resource": "*""#), .syntax),
        .init(
            "Principal a bare ARN", statement(#""Effect": "Allow", "Principal": "arn:aws:iam::123456789012:root", "Action": "*""#), kind: .trust,
            .syntax),
        // IAM's syntax check takes any case for Effect; its legacy parser does not.
        .init("lower-case Effect", statement(#""Effect": "allow", "Action": "*", "Resource": "*""#), .legacyParsing),
        .init(
            "date value not a date",
            statement(#""Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"DateLessThan": {"aws:CurrentTime": "2020-13-01"}}"#),
            .legacyParsing),
        .init(
            "duplicate Sid",
            #"{"Version": "2012-10-17", "Statement": [{"Sid": "A", "Effect": "Allow", "Action": "*", "Resource": "*"}, {"Sid": "A", "Effect": "Deny", "Action": "*", "Resource": "*"}]}"#,
            .duplicateStatementID),
        .init("Sid with punctuation", statement(#""Sid": "Allow-All", "Effect": "Allow", "Action": "*", "Resource": "*""#), .invalidStatementID),
        .init(
            "Principal in an identity policy", statement(#""Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*""#),
            .principalNotAllowed),
        .init(
            "NotPrincipal in an identity policy",
            statement(#""Effect": "Deny", "NotPrincipal": {"AWS": "123456789012"}, "Action": "*", "Resource": "*""#), .principalNotAllowed),
        .init(
            "Resource in a trust policy", statement(#""Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole", "Resource": "*""#),
            kind: .trust, .prohibitedField("Resource")),
        .init("no Action", statement(#""Effect": "Allow", "Resource": "*""#), .missingActions),
        .init("empty Action", statement(#""Effect": "Allow", "Action": [], "Resource": "*""#), .missingActions),
        .init("no Resource", statement(#""Effect": "Allow", "Action": "*""#), .missingResources),
        .init("Resource not an ARN", statement(#""Effect": "Allow", "Action": "*", "Resource": "bucket""#), .resourceNotARN("bucket")),
        .init("action without a vendor", statement(#""Effect": "Allow", "Action": "GetObject", "Resource": "*""#), .actionWithoutVendor),
        .init("action with two colons", statement(#""Effect": "Allow", "Action": "s3:Get:Object", "Resource": "*""#), .actionWithSeveralColons),
        .init("vendor with a space", statement(#""Effect": "Allow", "Action": "s 3:GetObject", "Resource": "*""#), .invalidVendor("s 3")),
        .init("trust policy without Principal", statement(#""Effect": "Allow", "Action": "sts:AssumeRole""#), kind: .trust, .missingPrincipal),
        .init(
            "trust policy with an empty Principal", statement(#""Effect": "Allow", "Principal": {}, "Action": "sts:AssumeRole""#), kind: .trust,
            .missingPrincipal),
        .init(
            "partial wildcard principal",
            statement(#""Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:user/*"}, "Action": "sts:AssumeRole""#),
            kind: .trust, .invalidPrincipal(type: "AWS", value: "arn:aws:iam::123456789012:user/*")),
        .init(
            "unknown principal type", statement(#""Effect": "Allow", "Principal": {"Group": "admins"}, "Action": "sts:AssumeRole""#), kind: .trust,
            .invalidPrincipal(type: "Group", value: "admins")),
        .init(
            "AWS principal neither account nor ARN", statement(#""Effect": "Allow", "Principal": {"AWS": "bob"}, "Action": "sts:AssumeRole""#),
            kind: .trust,
            .invalidPrincipal(type: "AWS", value: "bob")),
    ]

    static let allowAll = #"{"Effect": "Allow", "Action": "*", "Resource": "*"}"#

    static func statement(_ elements: String) -> String { #"{"Version": "2012-10-17", "Statement": {\#(elements)}}"# }

    @Test(arguments: malformed)
    func iamRefusesTheDocument(_ document: MalformedDocument) {
        #expect(throws: document.error) { try PolicyDocument(json: document.json, kind: document.kind) }
    }

    @Test func messagesFollowIAMsWording() {
        #expect(PolicyDocumentError.syntax.message == "Syntax errors in policy.")
        #expect(PolicyDocumentError.principalNotAllowed.message == "Policy document should not specify a principal.")
        #expect(PolicyDocumentError.missingActions.message == "Policy statement must contain actions.")
        #expect(PolicyDocumentError.invalidPrincipal(type: "AWS", value: "x").message == #"Invalid principal in policy: "AWS":"x""#)
        #expect(PolicyDocumentError.resourceNotARN("b").description == #"MalformedPolicyDocument: Resource b must be in ARN format or "*"."#)
    }

    @Test func syntaxErrorsAreReportedBeforeLaterChecks() {
        // A missing Resource (a later check) and an unknown key (syntax) in separate statements.
        let json =
            #"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*"}, {"Effect": "Allow", "Action": "*", "Resource": "*", "Foo": 1}]}"#
        #expect(throws: PolicyDocumentError.syntax) { try PolicyDocument(json: json, kind: .identity) }
        let later =
            #"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Resource": "*"}, {"Effect": "allow", "Action": "*", "Resource": "*"}]}"#
        #expect(throws: PolicyDocumentError.legacyParsing) { try PolicyDocument(json: later, kind: .identity) }
    }

    @Test func aDocumentKeepsItsVersionIdAndStatements() throws {
        let document = try PolicyDocument(
            json:
                #"{"Id": "Policy1", "Version": "2012-10-17", "Statement": [{"Sid": "One", "Effect": "Allow", "Action": "s3:*", "Resource": "*"}, {"Effect": "Deny", "NotAction": "s3:Get*", "NotResource": "arn:aws:s3:::public/*"}]}"#,
            kind: .identity)
        #expect(document.version == .v2012_10_17)
        #expect(document.id == "Policy1")
        #expect(document.kind == .identity)
        #expect(document.statements.map(\.sid) == ["One", nil])
        #expect(document.statements.map(\.effect) == [.allow, .deny])
    }

    @Test func aMissingVersionMeansTheOldLanguage() throws {
        let document = try PolicyDocument(json: #"{"Statement": \#(Self.allowAll)}"#, kind: .identity)
        #expect(document.version == .v2008_10_17)
    }

    @Test func aSingleStatementObjectAndOneElementListsAreAccepted() throws {
        let document = try PolicyDocument(
            json: #"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": ["arn:aws:s3:::b/*"]}}"#,
            kind: .identity)
        #expect(document.statements.count == 1)
    }

    @Test func conditionValuesMayBeNumbersAndBooleans() throws {
        let document = try PolicyFixtures.statement(
            condition: #"{"NumericLessThanEquals": {"s3:max-keys": 10}, "Bool": {"aws:SecureTransport": true}}"#)
        let request = PolicyFixtures.request(context: ["s3:max-keys": ["10"], "aws:SecureTransport": ["true"]])
        #expect(PolicyFixtures.outcome([document], request) == .allowed)
    }

    @Test func aTrustPolicyNeedsNoResource() throws {
        let document = try PolicyDocument(json: PolicyEvaluatorTests.identityPoolTrustPolicy, kind: .trust)
        #expect(document.kind == .trust)
        #expect(document.statements.first?.sid == "")
        #expect(document.contextKeys.sorted() == ["cognito-identity.amazonaws.com:amr", "cognito-identity.amazonaws.com:aud"])
    }

    @Test func aJSONTreeParsesLikeItsText() throws {
        let text = PolicyEvaluatorTests.identityPoolTrustPolicy
        let tree = try JSONValue.parse(text)
        #expect(try PolicyDocument(json: tree, kind: .trust) == PolicyDocument(json: text, kind: .trust))
    }
}
