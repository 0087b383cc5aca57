import Testing

@testable import PosternCore

/// A pattern, a value and whether the pattern matches it.
struct MatchCase: Sendable, CustomTestStringConvertible {
    let pattern: String
    let value: String
    let matches: Bool

    init(_ pattern: String, _ value: String, _ matches: Bool) {
        self.pattern = pattern
        self.value = value
        self.matches = matches
    }

    var testDescription: String { "\(pattern) ~ \(value) → \(matches)" }
}

@Suite struct PolicyMatchingTests {
    static let actionCases: [MatchCase] = [
        .init("*", "s3:GetObject", true),
        .init("s3:*", "s3:GetObject", true),
        .init("s3:*", "s3express:CreateSession", false),
        .init("s3:Get*", "S3:GETOBJECT", true),
        .init("S3:GETOBJECT", "s3:GetObject", true),
        .init("s3:Get*", "s3:PutObject", false),
        .init("iam:*AccessKey*", "iam:CreateAccessKey", true),
        .init("iam:*AccessKey*", "iam:ListAccessKeys", true),
        .init("iam:*AccessKey*", "iam:CreateUser", false),
        .init("execute-api:Invoke", "execute-api:Invoke", true),
        .init("execute-api:Invoke", "execute-api:InvokeX", false),
        .init("sts:AssumeRole?", "sts:AssumeRole", false),
        .init("ec2:Describe?pcs", "ec2:DescribeVpcs", true),
        .init("*:Get*", "dynamodb:GetItem", true),
    ]

    @Test(arguments: actionCases)
    func actionsMatchCaseInsensitivelyWithWildcards(_ example: MatchCase) {
        #expect(ActionPattern(example.pattern).matches(example.value) == example.matches)
    }

    static let resourceCases: [MatchCase] = [
        .init("*", "arn:aws:s3:::bucket/key", true),
        .init("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a/b/c", true),
        .init("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket", false),
        .init("arn:aws:s3:::Bucket/*", "arn:aws:s3:::bucket/key", false),
        .init("arn:aws:iam::123456789012:user/accounting/*", "arn:aws:iam::123456789012:user/accounting/alice", true),
        .init("arn:aws:iam::123456789012:user/Bob", "arn:aws:iam::123456789012:user/bob", false),
        .init(
            "arn:aws:execute-api:us-east-1:123456789012:api-id/*/GET/pets", "arn:aws:execute-api:us-east-1:123456789012:api-id/prod/GET/pets", true),
        .init(
            "arn:aws:execute-api:us-east-1:123456789012:api-id/*/GET/pets", "arn:aws:execute-api:us-east-1:123456789012:api-id/prod/POST/pets", false),
        // A `*` inside an ARN segment stays in the segment; one that ends its segment may run past colons.
        .init("arn:aws:sqs:us-*-2:*:queue", "arn:aws:sqs:us-east-2:123456789012:queue", true),
        .init("arn:aws:sqs:us-*-2:123456789012:queue", "arn:aws:sqs:us-x:y-2:123456789012:queue", false),
        .init("arn:aws:sqs:us-?ast-2:*:queue", "arn:aws:sqs:us-east-2:123456789012:queue", true),
        .init("arn:aws:sqs:us-eas?:*:queue", "arn:aws:sqs:us-eas::123456789012:queue", false),
        .init("arn:aws:execute-api:*", "arn:aws:execute-api:us-east-1:123456789012:api-id/prod/GET/pets", true),
        .init("arn:aws:s3:*", "arn:aws:s3:::bucket", true),
        .init("arn:aws:logs:us-east-1:123456789012:log-group:app:*", "arn:aws:logs:us-east-1:123456789012:log-group:app:log-stream:x", true),
        .init("arn:aws:dynamodb:*:*:table/Thread", "arn:aws:dynamodb:us-east-1:123456789012:table/Thread", true),
        .init("arn:aws:dynamodb:*:*:table/Thread", "arn:aws:dynamodb:us-east-1:123456789012:table/Threads", false),
    ]

    @Test(arguments: resourceCases)
    func resourcesMatchCaseSensitivelyPerARNSegment(_ example: MatchCase) {
        let element = ResourceElement.resources([PolicyText(parsingResource: example.pattern)])
        #expect(element.matches(example.value, in: [:]) == example.matches)
    }

    @Test func notResourceCoversEverythingElse() throws {
        let policy = try PolicyFixtures.statement(resource: "\"arn:aws:s3:::bucket/*\"")
        let outsideBucket = try PolicyFixtures.identity(
            #"{"Version": "2012-10-17", "Statement": {"Effect": "Deny", "Action": "s3:*", "NotResource": ["arn:aws:s3:::bucket", "arn:aws:s3:::bucket/*"]}}"#
        )
        #expect(PolicyFixtures.outcome([policy, outsideBucket], PolicyFixtures.request(resource: "arn:aws:s3:::bucket/key")) == .allowed)
        #expect(PolicyFixtures.outcome([policy, outsideBucket], PolicyFixtures.request(resource: "arn:aws:s3:::other/key")) == .explicitDeny)
    }

    @Test func aNotResourceVariableWithoutAValueNeverWidensTheStatement() throws {
        let policy = try PolicyFixtures.identity(
            #"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:*", "NotResource": "arn:aws:s3:::private/${aws:username}/*"}}"#
        )
        #expect(
            PolicyFixtures.outcome([policy], PolicyFixtures.request(resource: "arn:aws:s3:::public/x", context: ["aws:username": ["a"]])) == .allowed)
        #expect(PolicyFixtures.outcome([policy], PolicyFixtures.request(resource: "arn:aws:s3:::public/x")) == .implicitDeny)
    }

    // MARK: Policy variables

    static func resolve(_ raw: String, _ context: ConditionContext) -> String? {
        PolicyText(parsingVariablesIn: raw).resolved(in: context).map { tokens in
            tokens.map { token in
                switch token {
                case .character(let scalar): String(scalar)
                case .anyRun: "<*>"
                case .anyOne: "<?>"
                }
            }.joined()
        }
    }

    @Test func variablesResolveFromTheContext() {
        let context: ConditionContext = [
            "aws:username": ["alice"], "aws:PrincipalTag/team": ["blue"], "cognito-identity.amazonaws.com:sub": ["us-east-1:abc"],
        ]
        #expect(Self.resolve("home/${aws:username}/*", context) == "home/alice/<*>")
        #expect(Self.resolve("${aws:PrincipalTag/team}-${cognito-identity.amazonaws.com:sub}", context) == "blue-us-east-1:abc")
        #expect(Self.resolve("${AWS:USERNAME}", context) == "alice")
        #expect(Self.resolve("${aws:userid}", context) == nil)
    }

    @Test func specialCharacterVariablesAreLiterals() {
        #expect(Self.resolve("a${*}b${?}c${$}d*", [:]) == "a*b?c$d<*>")
        let policy = try? PolicyFixtures.statement(condition: #"{"StringLike": {"k:key": "price${*}"}}"#)
        #expect(policy.map { PolicyFixtures.outcome([$0], PolicyFixtures.request(context: ["k:key": ["price*"]])) } == .allowed)
        #expect(policy.map { PolicyFixtures.outcome([$0], PolicyFixtures.request(context: ["k:key": ["prices"]])) } == .implicitDeny)
    }

    @Test func defaultValuesStandInForMissingKeys() {
        #expect(Self.resolve("${aws:userid, 'anonymous'}", [:]) == "anonymous")
        #expect(Self.resolve("${aws:userid,'anonymous'}", ["aws:userid": ["AIDA1"]]) == "AIDA1")
        #expect(Self.resolve("${ aws:userid , 'a b}c' }x", [:]) == "a b}cx")
        #expect(Self.resolve("${aws:userid, ''}", [:]) == "")
    }

    @Test func aVariableValueIsLiteralText() {
        #expect(Self.resolve("home/${aws:username}", ["aws:username": ["a*?"]]) == "home/a*?")
    }

    @Test func malformedVariablesStayText() {
        #expect(Self.resolve("${aws:username", [:]) == "${aws:username")
        #expect(Self.resolve("${}", [:]) == "${}")
        #expect(Self.resolve("${aws:userid, anonymous}", [:]) == "${aws:userid, anonymous}")
        #expect(Self.resolve("$${aws:username}", ["aws:username": ["x"]]) == "$x")
    }

    @Test func resourceVariablesAreOnlySubstitutedAfterTheFifthColon() {
        let pattern = PolicyText(parsingResource: "arn:aws:s3:${aws:region}::bucket/${aws:username}")
        #expect(pattern.variableKeys == ["aws:username"])
        #expect(ResourceElement.resources([pattern]).matches("arn:aws:s3:${aws:region}::bucket/alice", in: ["aws:username": ["alice"]]))
    }

    // MARK: Principals

    @Test func principalsMatchByTypeAndName() {
        let set = PrincipalSet(entries: [.service: ["lambda.amazonaws.com"], .federated: ["cognito-identity.amazonaws.com"]])
        #expect(set.includes(.service("lambda.amazonaws.com")))
        #expect(!set.includes(.service("ec2.amazonaws.com")))
        #expect(set.includes(.federated("cognito-identity.amazonaws.com")))
        #expect(!set.includes(.aws("cognito-identity.amazonaws.com")))
        #expect(!set.includes(nil))
        #expect(PrincipalSet(entries: [.canonicalUser: ["79a59df9"]]).includes(RequestPrincipal(kind: .canonicalUser, identifiers: ["79a59df9"])))
    }

    @Test func accountsAreReadFromARNs() {
        #expect(PrincipalSet.account(of: "arn:aws:sts::123456789012:assumed-role/R/s") == "123456789012")
        #expect(PrincipalSet.account(of: "123456789012") == "123456789012")
        #expect(PrincipalSet.account(of: "arn:aws:s3:::bucket") == nil)
        #expect(PrincipalSet.delegatedAccount("arn:aws:iam::123456789012:root") == "123456789012")
        #expect(PrincipalSet.delegatedAccount("arn:aws:iam::123456789012:user/root") == nil)
    }
}
