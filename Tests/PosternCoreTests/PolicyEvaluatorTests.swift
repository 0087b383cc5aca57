import Foundation
import Testing

@testable import PosternCore

/// One example from AWS's IAM User Guide: a policy, a request and the decision the page describes.
struct DocumentedExample: Sendable, CustomTestStringConvertible {
    let name: String
    let policy: String
    let action: String
    let resource: String
    let context: [String: [String]]
    let expected: PolicyDecision.Outcome

    init(
        _ name: String, policy: String, action: String = "s3:GetObject", resource: String = "arn:aws:s3:::bucket/key",
        context: [String: [String]] = [:], expected: PolicyDecision.Outcome
    ) {
        self.name = name
        self.policy = policy
        self.action = action
        self.resource = resource
        self.context = context
        self.expected = expected
    }

    var testDescription: String { name }
}

@Suite struct PolicyEvaluatorTests {
    // MARK: AWS's documented examples

    static let principalTagPolicy = """
        {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "iam:*AccessKey*", "Resource": "arn:aws:iam::123456789012:user/*",
         "Condition": {"StringEquals": {"aws:PrincipalTag/job-category": "iamuser-admin"}}}}
        """
    static let instanceTypePolicy = """
        {"Version": "2012-10-17", "Statement": [
          {"Sid": "RunInstance", "Effect": "Allow", "Action": "ec2:RunInstances", "Resource": "*",
           "Condition": {"StringLikeIfExists": {"ec2:InstanceType": ["t1.*", "t2.*", "m3.*"]}}}]}
        """
    static let noTemporaryCredentialsPolicy = """
        {"Version": "2012-10-17", "Statement": {"Action": "ec2:*", "Effect": "Allow", "Resource": "*",
         "Condition": {"Null": {"aws:TokenIssueTime": "true"}}}}
        """
    static let requestedAttributesAllowPolicy = """
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "dynamodb:GetItem",
          "Resource": "arn:aws:dynamodb:us-east-1:123456789012:table/Thread",
          "Condition": {"ForAllValues:StringLike": {"dynamodb:requestedAttributes": ["PostDateTime", "Message", "Tags"]}}}]}
        """
    static let requestedAttributesDenyPolicy = """
        {"Version": "2012-10-17", "Statement": [
          {"Effect": "Allow", "Action": "dynamodb:PutItem", "Resource": "*"},
          {"Effect": "Deny", "Action": "dynamodb:PutItem", "Resource": "arn:aws:dynamodb:us-east-1:123456789012:table/Thread",
           "Condition": {"ForAnyValue:StringLike": {"dynamodb:requestedAttributes": ["ID", "PostDateTime"]}}}]}
        """
    static let secureTransportPolicy = """
        {"Version": "2012-10-17", "Statement": [
          {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
          {"Sid": "BooleanExample", "Action": "s3:*", "Effect": "Deny", "Resource": ["arn:aws:s3:::bucket", "arn:aws:s3:::bucket/*"],
           "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}
        """
    static let sourceIpPolicy = """
        {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "someservice:*", "Resource": "*",
         "Condition": {"IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "2001:DB8:1234:5678::/64"]}}}}
        """
    static let maxKeysPolicy = """
        {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::example_bucket",
         "Condition": {"NumericLessThanEquals": {"s3:max-keys": "10"}}}}
        """
    static let tokenIssueTimePolicy = """
        {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "iam:*AccessKey*", "Resource": "arn:aws:iam::123456789012:user/*",
         "Condition": {"DateGreaterThan": {"aws:TokenIssueTime": "2020-01-01T00:00:01Z"}}}}
        """
    static func sourceArnPolicy(_ op: String) -> String {
        """
        {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*",
         "Condition": {"\(op)": {"aws:SourceArn": "arn:aws:someservice:*:111122223333:finance/*"}}}}
        """
    }
    static let getListDenyReportsPolicy = """
        {"Version": "2012-10-17", "Statement": [
          {"Sid": "AllowGetList", "Effect": "Allow", "Action": ["iam:Get*", "iam:List*"], "Resource": "*"},
          {"Sid": "DenyReports", "Effect": "Deny", "Action": "iam:*Report", "Resource": "*"}]}
        """
    static let allButDeleteBucketPolicy = """
        {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "NotAction": "s3:DeleteBucket", "Resource": "arn:aws:s3:::*"}}
        """
    static let allButIAMPolicy = """
        {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}}
        """
    static let denyWithoutMFAPolicy = """
        {"Version": "2012-10-17", "Statement": [
          {"Effect": "Allow", "Action": "*", "Resource": "*"},
          {"Sid": "DenyAllUsersNotUsingMFA", "Effect": "Deny", "NotAction": "iam:*", "Resource": "*",
           "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}]}
        """
    static let homeDirectoryPolicy = """
        {"Version": "2012-10-17", "Statement": [
          {"Action": ["s3:ListBucket"], "Effect": "Allow", "Resource": ["arn:aws:s3:::mybucket"],
           "Condition": {"StringLike": {"s3:prefix": ["${aws:username}/*"]}}},
          {"Action": ["s3:GetObject", "s3:PutObject"], "Effect": "Allow", "Resource": ["arn:aws:s3:::mybucket/${aws:username}/*"]}]}
        """
    static let departmentBucketPolicy = """
        {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": ["arn:aws:s3:::bucket/${aws:PrincipalTag/department}"]}}
        """
    static let anonymousDefaultPolicy = """
        {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
         "Condition": {"StringEquals": {"aws:Resource": "arn:aws:s3:::/bucket/${aws:userid, 'anonymous'}"}}}}
        """
    static let oldVersionPolicy = """
        {"Version": "2008-10-17", "Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::mybucket/${aws:username}/*"}}
        """
    static let principalTagAndArnPolicy = """
        {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
         "Condition": {"StringEquals": {"aws:PrincipalTag/department": ["finance", "hr", "legal"], "aws:PrincipalTag/role": ["audit", "security"]},
                       "ArnLike": {"aws:PrincipalArn": ["arn:aws:iam::222222222222:user/Ana", "arn:aws:iam::222222222222:user/Mary"]}}}}
        """
    static let negatedTeamPolicy = """
        {"Version": "2012-10-17", "Statement": [
          {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
          {"Effect": "Deny", "Action": "s3:*", "Resource": "*", "Condition": {"StringNotEquals": {"aws:PrincipalTag/team": ["prod", "dev"]}}}]}
        """

    static let documentedExamples: [DocumentedExample] = [
        // Condition operators, String condition operators: a user without the tag is implicitly denied.
        .init(
            "StringEquals with the tag", policy: principalTagPolicy, action: "iam:CreateAccessKey", resource: "arn:aws:iam::123456789012:user/bob",
            context: ["aws:PrincipalTag/job-category": ["iamuser-admin"]], expected: .allowed),
        .init(
            "StringEquals on a missing key is false", policy: principalTagPolicy, action: "iam:CreateAccessKey",
            resource: "arn:aws:iam::123456789012:user/bob", expected: .implicitDeny),
        // Condition operators, Important: a negated operator on a missing key is true.
        .init(
            "StringNotEquals on a missing key is true", policy: negatedTeamPolicy, context: [:], expected: .explicitDeny),
        // Conditions with multiple context keys or values: a negated operator's values are NORed.
        .init(
            "StringNotEquals matching one value is false", policy: negatedTeamPolicy, context: ["aws:PrincipalTag/team": ["dev"]],
            expected: .allowed),
        .init(
            "StringNotEquals matching no value is true", policy: negatedTeamPolicy, context: ["aws:PrincipalTag/team": ["qa"]],
            expected: .explicitDeny),
        // Condition operators, ...IfExists: resources without ec2:InstanceType are not blocked.
        .init(
            "IfExists with the key missing", policy: instanceTypePolicy, action: "ec2:RunInstances", resource: "arn:aws:ec2:us-east-1::image/ami-1",
            expected: .allowed),
        .init(
            "IfExists with a matching key", policy: instanceTypePolicy, action: "ec2:RunInstances",
            resource: "arn:aws:ec2:us-east-1:123456789012:instance/*", context: ["ec2:InstanceType": ["t2.micro"]], expected: .allowed),
        .init(
            "IfExists with another instance type", policy: instanceTypePolicy, action: "ec2:RunInstances",
            resource: "arn:aws:ec2:us-east-1:123456789012:instance/*", context: ["ec2:InstanceType": ["m5.large"]], expected: .implicitDeny),
        // Condition operators, Null: the key must not exist.
        .init("Null true without the key", policy: noTemporaryCredentialsPolicy, action: "ec2:DescribeInstances", expected: .allowed),
        .init(
            "Null true with the key", policy: noTemporaryCredentialsPolicy, action: "ec2:DescribeInstances",
            context: ["aws:TokenIssueTime": ["2024-01-01T00:00:00Z"]], expected: .implicitDeny),
        // Creating a condition that tests multiple key values (set operations), ForAllValues.
        .init(
            "ForAllValues with every value listed", policy: requestedAttributesAllowPolicy, action: "dynamodb:GetItem",
            resource: "arn:aws:dynamodb:us-east-1:123456789012:table/Thread", context: ["dynamodb:requestedAttributes": ["PostDateTime", "Message"]],
            expected: .allowed),
        .init(
            "ForAllValues with a value not listed", policy: requestedAttributesAllowPolicy, action: "dynamodb:GetItem",
            resource: "arn:aws:dynamodb:us-east-1:123456789012:table/Thread",
            context: ["dynamodb:requestedAttributes": ["PostDateTime", "UserName"]], expected: .implicitDeny),
        // Same page, Note: an empty data set makes ForAllValues true and ForAnyValue false.
        .init(
            "ForAllValues on an empty set is true", policy: requestedAttributesAllowPolicy, action: "dynamodb:GetItem",
            resource: "arn:aws:dynamodb:us-east-1:123456789012:table/Thread", expected: .allowed),
        .init(
            "ForAllValues on an empty string is true", policy: requestedAttributesAllowPolicy, action: "dynamodb:GetItem",
            resource: "arn:aws:dynamodb:us-east-1:123456789012:table/Thread", context: ["dynamodb:requestedAttributes": [""]], expected: .allowed),
        .init(
            "ForAnyValue Deny with one listed value", policy: requestedAttributesDenyPolicy, action: "dynamodb:PutItem",
            resource: "arn:aws:dynamodb:us-east-1:123456789012:table/Thread",
            context: ["dynamodb:requestedAttributes": ["UserName", "Message", "PostDateTime"]], expected: .explicitDeny),
        .init(
            "ForAnyValue Deny with no listed value", policy: requestedAttributesDenyPolicy, action: "dynamodb:PutItem",
            resource: "arn:aws:dynamodb:us-east-1:123456789012:table/Thread", context: ["dynamodb:requestedAttributes": ["UserName"]],
            expected: .allowed),
        .init(
            "ForAnyValue on an empty set is false", policy: requestedAttributesDenyPolicy, action: "dynamodb:PutItem",
            resource: "arn:aws:dynamodb:us-east-1:123456789012:table/Thread", expected: .allowed),
        // Condition operators, Boolean: deny S3 unless over TLS.
        .init(
            "Bool deny without TLS", policy: secureTransportPolicy, resource: "arn:aws:s3:::bucket/key", context: ["aws:SecureTransport": ["false"]],
            expected: .explicitDeny),
        .init(
            "Bool with TLS", policy: secureTransportPolicy, resource: "arn:aws:s3:::bucket/key", context: ["aws:SecureTransport": ["true"]],
            expected: .allowed),
        // Condition operators, IP address: IPv4 and IPv6 ranges mixed.
        .init(
            "IpAddress in the IPv4 range", policy: sourceIpPolicy, action: "someservice:Do", context: ["aws:SourceIp": ["203.0.113.77"]],
            expected: .allowed),
        .init(
            "IpAddress in the IPv6 range", policy: sourceIpPolicy, action: "someservice:Do", context: ["aws:SourceIp": ["2001:db8:1234:5678::1"]],
            expected: .allowed),
        .init(
            "IpAddress outside both ranges", policy: sourceIpPolicy, action: "someservice:Do", context: ["aws:SourceIp": ["198.51.100.1"]],
            expected: .implicitDeny),
        .init("IpAddress on a missing key", policy: sourceIpPolicy, action: "someservice:Do", expected: .implicitDeny),
        // Condition operators, Numeric: up to 10 keys.
        .init(
            "NumericLessThanEquals at the limit", policy: maxKeysPolicy, action: "s3:ListBucket", resource: "arn:aws:s3:::example_bucket",
            context: ["s3:max-keys": ["10"]], expected: .allowed),
        .init(
            "NumericLessThanEquals above the limit", policy: maxKeysPolicy, action: "s3:ListBucket", resource: "arn:aws:s3:::example_bucket",
            context: ["s3:max-keys": ["11"]], expected: .implicitDeny),
        // Condition operators, Date: credentials issued after 2020-01-01T00:00:01Z; absent for long-term keys.
        .init(
            "DateGreaterThan with fresh credentials", policy: tokenIssueTimePolicy, action: "iam:ListAccessKeys",
            resource: "arn:aws:iam::123456789012:user/bob", context: ["aws:TokenIssueTime": ["2020-06-01T12:00:00Z"]], expected: .allowed),
        .init(
            "DateGreaterThan without temporary credentials", policy: tokenIssueTimePolicy, action: "iam:ListAccessKeys",
            resource: "arn:aws:iam::123456789012:user/bob", expected: .implicitDeny),
        // Condition operators, ARN: StringLike matches across colons where ArnLike does not.
        .init(
            "StringLike spans colons", policy: sourceArnPolicy("StringLike"), action: "sqs:SendMessage",
            context: ["aws:SourceArn": ["arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt"]],
            expected: .allowed),
        .init(
            "ArnLike matches component by component", policy: sourceArnPolicy("ArnLike"), action: "sqs:SendMessage",
            context: ["aws:SourceArn": ["arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt"]],
            expected: .implicitDeny),
        .init(
            "ArnLike on a matching ARN", policy: sourceArnPolicy("ArnLike"), action: "sqs:SendMessage",
            context: ["aws:SourceArn": ["arn:aws:someservice:us-east-2:111122223333:finance/document.txt"]], expected: .allowed),
        // The difference between explicit and implicit denies: AllowGetList and DenyReports.
        .init(
            "explicit deny overrides an allow", policy: getListDenyReportsPolicy, action: "iam:GetOrganizationsAccessReport", expected: .explicitDeny),
        .init("allowed by a prefix wildcard", policy: getListDenyReportsPolicy, action: "iam:GetUser", expected: .allowed),
        .init("implicitly denied when nothing allows", policy: getListDenyReportsPolicy, action: "iam:CreatePolicy", expected: .implicitDeny),
        // IAM JSON policy elements: NotAction, NotAction with Allow.
        .init("NotAction Allow covers other actions", policy: allButDeleteBucketPolicy, action: "s3:GetObject", expected: .allowed),
        .init(
            "NotAction Allow leaves out the listed action", policy: allButDeleteBucketPolicy, action: "s3:DeleteBucket",
            resource: "arn:aws:s3:::bucket",
            expected: .implicitDeny),
        .init(
            "NotAction Allow is scoped by Resource", policy: allButDeleteBucketPolicy, action: "s3:ListAllMyBuckets", resource: "*",
            expected: .implicitDeny),
        .init("NotAction iam:* allows other services", policy: allButIAMPolicy, action: "ec2:RunInstances", resource: "*", expected: .allowed),
        .init("NotAction iam:* leaves out IAM", policy: allButIAMPolicy, action: "iam:CreateUser", resource: "*", expected: .implicitDeny),
        // IAM JSON policy elements: NotAction, NotAction with Deny (DenyAllUsersNotUsingMFA).
        .init("NotAction Deny without MFA", policy: denyWithoutMFAPolicy, action: "s3:GetObject", expected: .explicitDeny),
        .init("NotAction Deny spares the listed service", policy: denyWithoutMFAPolicy, action: "iam:ListUsers", expected: .allowed),
        .init(
            "NotAction Deny with MFA", policy: denyWithoutMFAPolicy, action: "s3:GetObject", context: ["aws:MultiFactorAuthPresent": ["true"]],
            expected: .allowed),
        // IAM policy elements: Variables and tags, Resource element.
        .init(
            "variable in Resource", policy: homeDirectoryPolicy, action: "s3:GetObject", resource: "arn:aws:s3:::mybucket/David/notes.txt",
            context: ["aws:username": ["David"]], expected: .allowed),
        .init(
            "variable in Resource for another user's object", policy: homeDirectoryPolicy, action: "s3:GetObject",
            resource: "arn:aws:s3:::mybucket/Adele/notes.txt", context: ["aws:username": ["David"]], expected: .implicitDeny),
        .init(
            "variable in a StringLike condition", policy: homeDirectoryPolicy, action: "s3:ListBucket", resource: "arn:aws:s3:::mybucket",
            context: ["aws:username": ["David"], "s3:prefix": ["David/photos"]], expected: .allowed),
        .init(
            "variable without a value matches nothing", policy: homeDirectoryPolicy, action: "s3:GetObject",
            resource: "arn:aws:s3:::mybucket//notes.txt", expected: .implicitDeny),
        .init(
            "key names in variables are case-insensitive", policy: homeDirectoryPolicy, action: "s3:GetObject",
            resource: "arn:aws:s3:::mybucket/David/notes.txt", context: ["AWS:UserName": ["David"]], expected: .allowed),
        .init(
            "tag as a variable", policy: departmentBucketPolicy, action: "s3:GetObject", resource: "arn:aws:s3:::bucket/HR",
            context: ["aws:PrincipalTag/department": ["HR"]], expected: .allowed),
        // Variables and tags, Specifying default values.
        .init(
            "default value for a missing variable", policy: anonymousDefaultPolicy, context: ["aws:Resource": ["arn:aws:s3:::/bucket/anonymous"]],
            expected: .allowed),
        .init(
            "variable value preferred over the default", policy: anonymousDefaultPolicy,
            context: ["aws:Resource": ["arn:aws:s3:::/bucket/AIDAEXAMPLE"], "aws:userid": ["AIDAEXAMPLE"]], expected: .allowed),
        // Variables and tags, Introduction (Note): without 2012-10-17 a variable is literal text.
        .init(
            "2008-10-17 treats variables as text", policy: oldVersionPolicy, resource: "arn:aws:s3:::mybucket/David/notes.txt",
            context: ["aws:username": ["David"]], expected: .implicitDeny),
        .init(
            "2008-10-17 matches the literal text", policy: oldVersionPolicy, resource: "arn:aws:s3:::mybucket/${aws:username}/notes.txt",
            expected: .allowed),
        // Conditions with multiple context keys or values: operators and keys ANDed, values ORed.
        .init(
            "every key and operator holds", policy: principalTagAndArnPolicy,
            context: [
                "aws:PrincipalTag/department": ["hr"], "aws:PrincipalTag/role": ["audit"],
                "aws:PrincipalArn": ["arn:aws:iam::222222222222:user/Mary"],
            ], expected: .allowed),
        .init(
            "one key fails", policy: principalTagAndArnPolicy,
            context: [
                "aws:PrincipalTag/department": ["hr"], "aws:PrincipalTag/role": ["dev"], "aws:PrincipalArn": ["arn:aws:iam::222222222222:user/Mary"],
            ], expected: .implicitDeny),
        .init(
            "one operator fails", policy: principalTagAndArnPolicy,
            context: [
                "aws:PrincipalTag/department": ["legal"], "aws:PrincipalTag/role": ["security"],
                "aws:PrincipalArn": ["arn:aws:iam::222222222222:user/Bob"],
            ], expected: .implicitDeny),
    ]

    @Test(arguments: documentedExamples)
    func awsDocumentedExample(_ example: DocumentedExample) throws {
        let policy = try PolicyFixtures.identity(example.policy)
        let request = PolicyRequest(action: example.action, resource: example.resource, context: ConditionContext(example.context))
        #expect(PolicyFixtures.outcome([policy], request) == example.expected)
    }

    // MARK: Combining policies

    @Test func aDenyInAnyIdentityPolicyOverridesAnAllowInAnother() throws {
        let allow = try PolicyFixtures.statement(action: "\"s3:*\"")
        let deny = try PolicyFixtures.statement(effect: "Deny", action: "\"s3:DeleteObject\"")
        let evaluator = PolicyEvaluator(identityPolicies: [allow, deny])
        let decision = evaluator.evaluate(PolicyFixtures.request("s3:DeleteObject"))
        #expect(decision.outcome == .explicitDeny)
        #expect(decision.matchedStatements == [MatchedStatement(source: .identity, policyIndex: 1, statementIndex: 0, sid: nil, effect: .deny)])
        #expect(evaluator.evaluate(PolicyFixtures.request("s3:GetObject")).outcome == .allowed)
    }

    @Test func withoutIdentityPoliciesEverythingIsImplicitlyDenied() {
        let decision = PolicyEvaluator(identityPolicies: []).evaluate(PolicyFixtures.request())
        #expect(decision == PolicyDecision(outcome: .implicitDeny, matchedStatements: []))
    }

    // Policy evaluation logic, Session policies: the session's permissions are the intersection.
    @Test func sessionPoliciesIntersectWithIdentityPolicies() throws {
        let identity = try PolicyFixtures.statement(action: "\"s3:*\"")
        let session = try PolicyFixtures.statement(action: "[\"s3:GetObject\", \"ec2:*\"]")
        let evaluator = PolicyEvaluator(identityPolicies: [identity], sessionPolicies: [session])
        #expect(evaluator.evaluate(PolicyFixtures.request("s3:GetObject")).outcome == .allowed)
        // Allowed by the identity policy only.
        #expect(evaluator.evaluate(PolicyFixtures.request("s3:PutObject")).outcome == .implicitDeny)
        // Allowed by the session policy only: a session policy grants nothing by itself.
        #expect(evaluator.evaluate(PolicyFixtures.request("ec2:RunInstances", resource: "*")).outcome == .implicitDeny)
    }

    @Test func anyOneOfSeveralSessionPoliciesMayAllow() throws {
        let identity = try PolicyFixtures.statement()
        let first = try PolicyFixtures.statement(action: "\"s3:GetObject\"")
        let second = try PolicyFixtures.statement(action: "\"s3:PutObject\"")
        let evaluator = PolicyEvaluator(identityPolicies: [identity], sessionPolicies: [first, second])
        let decision = evaluator.evaluate(PolicyFixtures.request("s3:PutObject"))
        #expect(decision.outcome == .allowed)
        #expect(decision.matchedStatements.map(\.source) == [.identity, .session])
        #expect(decision.matchedStatements.last?.policyIndex == 1)
    }

    @Test func aDenyInASessionPolicyWins() throws {
        let identity = try PolicyFixtures.statement()
        let session = try PolicyFixtures.statement(effect: "Deny", action: "\"s3:GetObject\"")
        let decision = PolicyEvaluator(identityPolicies: [identity], sessionPolicies: [session]).evaluate(PolicyFixtures.request())
        #expect(decision.outcome == .explicitDeny)
        #expect(decision.matchedStatements.map(\.source) == [.session])
    }

    // Policy evaluation logic, Evaluating identity-based policies with permissions boundaries.
    @Test func aPermissionsBoundaryLimitsWhatIdentityPoliciesGrant() throws {
        let identity = try PolicyFixtures.statement(action: "[\"s3:*\", \"iam:*\"]")
        let boundary = try PolicyFixtures.statement(action: "[\"s3:*\", \"ec2:*\"]")
        let evaluator = PolicyEvaluator(identityPolicies: [identity], permissionsBoundary: boundary)
        #expect(evaluator.evaluate(PolicyFixtures.request("s3:GetObject")).outcome == .allowed)
        #expect(evaluator.evaluate(PolicyFixtures.request("iam:CreateUser", resource: "*")).outcome == .implicitDeny)
        #expect(evaluator.evaluate(PolicyFixtures.request("ec2:RunInstances", resource: "*")).outcome == .implicitDeny)
        let denyingBoundary = try PolicyFixtures.statement(effect: "Deny", action: "\"s3:GetObject\"")
        let denied = PolicyEvaluator(identityPolicies: [identity], permissionsBoundary: denyingBoundary).evaluate(PolicyFixtures.request())
        #expect(denied.outcome == .explicitDeny)
        #expect(denied.matchedStatements.map(\.source) == [.permissionsBoundary])
    }

    @Test func matchedStatementsNameEachAllowThatApplied() throws {
        let policy = try PolicyFixtures.identity(
            """
            {"Version": "2012-10-17", "Statement": [
              {"Sid": "ReadOnly", "Effect": "Allow", "Action": "s3:Get*", "Resource": "*"},
              {"Sid": "Unrelated", "Effect": "Allow", "Action": "ec2:*", "Resource": "*"},
              {"Sid": "Bucket", "Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::bucket/*"}]}
            """)
        let decision = PolicyEvaluator(identityPolicies: [policy]).evaluate(PolicyFixtures.request())
        #expect(decision.isAllowed)
        #expect(decision.matchedStatements.map(\.sid) == ["ReadOnly", "Bucket"])
        #expect(decision.matchedStatements.map(\.statementIndex) == [0, 2])
    }

    @Test func aTrustPolicyAmongIdentityPoliciesGrantsNothing() throws {
        let trust = try PolicyFixtures.trust(
            #"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": "*", "Action": "*"}}"#)
        #expect(PolicyFixtures.outcome([trust], PolicyFixtures.request()) == .implicitDeny)
    }

    @Test func currentTimeComesFromTheCaller() throws {
        let policy = try PolicyFixtures.statement(condition: #"{"DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"}}"#)
        var context = ConditionContext()
        context.setCurrentTime(Date(timeIntervalSince1970: 1_700_000_000))
        #expect(context["aws:CurrentTime"] == ["2023-11-14T22:13:20Z"])
        #expect(context["aws:EpochTime"] == ["1700000000"])
        #expect(PolicyFixtures.outcome([policy], PolicyFixtures.request(context: context)) == .allowed)
        context.setCurrentTime(Date(timeIntervalSince1970: 1_900_000_000))
        #expect(PolicyFixtures.outcome([policy], PolicyFixtures.request(context: context)) == .implicitDeny)
    }

    @Test func contextKeysListWhatThePolicyReads() throws {
        let policy = try PolicyFixtures.identity(Self.homeDirectoryPolicy)
        #expect(policy.contextKeys == ["s3:prefix", "aws:username"])
    }

    // MARK: Trust policies

    /// Amazon Cognito Developer Guide, "Role trust and permissions": an identity pool's authenticated role.
    static let identityPoolTrustPolicy = """
        {
          "Version": "2012-10-17",
          "Statement": [
            {
              "Sid": "",
              "Effect": "Allow",
              "Principal": {"Federated": "cognito-identity.amazonaws.com"},
              "Action": "sts:AssumeRoleWithWebIdentity",
              "Condition": {
                "StringEquals": {"cognito-identity.amazonaws.com:aud": "us-east-1:12345678-corner-cafe-123456790ab"},
                "ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": "authenticated"}
              }
            }
          ]
        }
        """

    static func webIdentityRequest(
        principal: RequestPrincipal = .federated("cognito-identity.amazonaws.com"), action: String = "sts:AssumeRoleWithWebIdentity",
        aud: [String] = ["us-east-1:12345678-corner-cafe-123456790ab"],
        amr: [String] = [
            "authenticated", "cognito-idp.us-east-1.amazonaws.com/us-east-1_123456789",
            "cognito-idp.us-east-1.amazonaws.com/us-east-1_123456789:CognitoSignIn:d0e6ca4a-5a2b-4c4e-8d1e-000000000000",
        ]
    ) -> PolicyRequest {
        PolicyRequest(
            action: action, resource: "arn:aws:iam::123456789012:role/Cognito_PoolAuth_Role", principal: principal,
            context: [
                "cognito-identity.amazonaws.com:aud": aud, "cognito-identity.amazonaws.com:amr": amr,
                "cognito-identity.amazonaws.com:sub": ["us-east-1:aaaaaaaa-0000-0000-0000-000000000000"],
            ])
    }

    @Test func anAuthenticatedIdentityOfThePoolMayAssumeTheAuthenticatedRole() throws {
        let trust = try PolicyFixtures.trust(Self.identityPoolTrustPolicy)
        let decision = PolicyEvaluator.evaluateTrust(trust, for: Self.webIdentityRequest())
        #expect(decision.outcome == .allowed)
        #expect(decision.matchedStatements == [MatchedStatement(source: .trust, policyIndex: 0, statementIndex: 0, sid: "", effect: .allow)])
    }

    static let refusedWebIdentityRequests: [PolicyRequest] = [
        // A guest identity: amr is ["unauthenticated"].
        webIdentityRequest(amr: ["unauthenticated"]),
        // An identity of another pool.
        webIdentityRequest(aud: ["us-east-1:99999999-0000-0000-0000-000000000000"]),
        // Another identity provider.
        webIdentityRequest(principal: .federated("accounts.google.com")),
        // A principal of another type naming the same provider.
        webIdentityRequest(principal: .service("cognito-identity.amazonaws.com")),
        // The wrong STS operation.
        webIdentityRequest(action: "sts:AssumeRole"),
        // A token without amr: ForAnyValue on an empty set is false.
        webIdentityRequest(amr: []),
        // A token without aud.
        webIdentityRequest(aud: []),
    ]

    @Test(arguments: refusedWebIdentityRequests)
    func everyOtherWebIdentityIsRefused(_ request: PolicyRequest) throws {
        let trust = try PolicyFixtures.trust(Self.identityPoolTrustPolicy)
        #expect(PolicyEvaluator.evaluateTrust(trust, for: request).outcome == .implicitDeny)
    }

    @Test func anIdentityPolicyCannotStandInForATrustPolicy() throws {
        let identity = try PolicyFixtures.statement()
        #expect(PolicyEvaluator.evaluateTrust(identity, for: Self.webIdentityRequest()).outcome == .implicitDeny)
    }

    @Test func aTrustPolicyDenyWins() throws {
        let trust = try PolicyFixtures.trust(
            """
            {"Version": "2012-10-17", "Statement": [
              {"Effect": "Allow", "Principal": {"Federated": "cognito-identity.amazonaws.com"}, "Action": "sts:AssumeRoleWithWebIdentity"},
              {"Sid": "NoGuests", "Effect": "Deny", "Principal": "*", "Action": "sts:*",
               "Condition": {"ForAnyValue:StringEquals": {"cognito-identity.amazonaws.com:amr": "unauthenticated"}}}]}
            """)
        #expect(PolicyEvaluator.evaluateTrust(trust, for: Self.webIdentityRequest()).outcome == .allowed)
        let guest = PolicyEvaluator.evaluateTrust(trust, for: Self.webIdentityRequest(amr: ["unauthenticated"]))
        #expect(guest.outcome == .explicitDeny)
        #expect(guest.matchedStatements.map(\.sid) == ["NoGuests"])
    }

    @Test func accountPrincipalsDelegateToEveryPrincipalOfTheAccount() throws {
        for account in ["123456789012", "arn:aws:iam::123456789012:root"] {
            let trust = try PolicyFixtures.trust(
                #"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": {"AWS": "\#(account)"}, "Action": "sts:AssumeRole"}}"#)
            let role = PolicyRequest(action: "sts:AssumeRole", principal: .aws("arn:aws:iam::123456789012:role/Deployer"))
            let stranger = PolicyRequest(action: "sts:AssumeRole", principal: .aws("arn:aws:iam::210987654321:role/Deployer"))
            #expect(PolicyEvaluator.evaluateTrust(trust, for: role).outcome == .allowed)
            #expect(PolicyEvaluator.evaluateTrust(trust, for: stranger).outcome == .implicitDeny)
        }
    }

    @Test func aRolePrincipalCoversItsSessionsThroughTheirIdentifiers() throws {
        let trust = try PolicyFixtures.trust(
            #"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:role/Ci"}, "Action": "sts:AssumeRole"}}"#
        )
        let session = RequestPrincipal.aws(
            "arn:aws:sts::123456789012:assumed-role/Ci/build-1", "arn:aws:iam::123456789012:role/Ci", "arn:aws:iam::123456789012:root")
        #expect(PolicyEvaluator.evaluateTrust(trust, for: PolicyRequest(action: "sts:AssumeRole", principal: session)).outcome == .allowed)
        let other = RequestPrincipal.aws("arn:aws:iam::123456789012:role/Other", "arn:aws:iam::123456789012:root")
        #expect(PolicyEvaluator.evaluateTrust(trust, for: PolicyRequest(action: "sts:AssumeRole", principal: other)).outcome == .implicitDeny)
    }

    // AWS JSON policy elements: NotPrincipal, NotPrincipal with Deny: list the user and its account.
    @Test func notPrincipalWithDenySparesOnlyPrincipalsListedAtEveryLayer() throws {
        let trust = try PolicyFixtures.trust(
            """
            {"Version": "2012-10-17", "Statement": [
              {"Effect": "Allow", "Principal": {"AWS": "444455556666"}, "Action": "sts:AssumeRole"},
              {"Effect": "Deny", "NotPrincipal": {"AWS": ["arn:aws:iam::444455556666:user/Bob", "arn:aws:iam::444455556666:root"]},
               "Action": "sts:AssumeRole"}]}
            """)
        let bob = RequestPrincipal.aws("arn:aws:iam::444455556666:user/Bob", "arn:aws:iam::444455556666:root")
        let alice = RequestPrincipal.aws("arn:aws:iam::444455556666:user/Alice", "arn:aws:iam::444455556666:root")
        #expect(PolicyEvaluator.evaluateTrust(trust, for: PolicyRequest(action: "sts:AssumeRole", principal: bob)).outcome == .allowed)
        #expect(PolicyEvaluator.evaluateTrust(trust, for: PolicyRequest(action: "sts:AssumeRole", principal: alice)).outcome == .explicitDeny)
        let bobWithoutAccountListed = try PolicyFixtures.trust(
            """
            {"Version": "2012-10-17", "Statement": [
              {"Effect": "Allow", "Principal": {"AWS": "444455556666"}, "Action": "sts:AssumeRole"},
              {"Effect": "Deny", "NotPrincipal": {"AWS": "arn:aws:iam::444455556666:user/Bob"}, "Action": "sts:AssumeRole"}]}
            """)
        #expect(
            PolicyEvaluator.evaluateTrust(bobWithoutAccountListed, for: PolicyRequest(action: "sts:AssumeRole", principal: bob)).outcome
                == .explicitDeny)
    }

    @Test func everyoneCoversAnonymousCallersToo() throws {
        for principal in [#""*""#, #"{"AWS": "*"}"#] {
            let trust = try PolicyFixtures.trust(
                #"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": \#(principal), "Action": "sts:AssumeRole"}}"#)
            #expect(PolicyEvaluator.evaluateTrust(trust, for: PolicyRequest(action: "sts:AssumeRole")).outcome == .allowed)
            let user = PolicyRequest(action: "sts:AssumeRole", principal: .aws("arn:aws:iam::123456789012:user/x"))
            #expect(PolicyEvaluator.evaluateTrust(trust, for: user).outcome == .allowed)
        }
    }
}

extension PolicyRequest: CustomTestStringConvertible {
    public var testDescription: String {
        "\(action) by \(principal?.identifiers.first ?? "anonymous") with \(context["cognito-identity.amazonaws.com:amr"] ?? [])"
    }
}
