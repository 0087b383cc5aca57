import Testing

@testable import PosternCore

/// One condition clause against one request value (or none), and whether it holds.
struct ConditionCase: Sendable, CustomTestStringConvertible {
    let condition: String
    let requestValues: [String]?
    let holds: Bool

    /// `condition` is the Condition element's JSON on the key `k:key`; nil `requestValues` leaves the key out.
    init(_ condition: String, _ requestValues: [String]?, _ holds: Bool) {
        self.condition = condition
        self.requestValues = requestValues
        self.holds = holds
    }

    var testDescription: String { "\(condition) with \(requestValues.map { "\($0)" } ?? "no key") → \(holds)" }
}

@Suite struct PolicyConditionTests {
    static func holds(_ condition: String, _ values: [String]?) throws -> Bool {
        let policy = try PolicyFixtures.statement(condition: condition)
        var context = ConditionContext()
        context["k:key"] = values
        return PolicyFixtures.outcome([policy], PolicyFixtures.request(context: context)) == .allowed
    }

    static let stringCases: [ConditionCase] = [
        .init(#"{"StringEquals": {"k:key": "Alice"}}"#, ["Alice"], true),
        .init(#"{"StringEquals": {"k:key": "Alice"}}"#, ["alice"], false),
        .init(#"{"StringEquals": {"k:key": ["Bob", "Alice"]}}"#, ["Alice"], true),
        .init(#"{"StringEquals": {"k:key": "A*"}}"#, ["Alice"], false),
        .init(#"{"StringEquals": {"k:key": "A*"}}"#, ["A*"], true),
        .init(#"{"StringEquals": {"k:key": "Alice"}}"#, nil, false),
        .init(#"{"StringNotEquals": {"k:key": "Alice"}}"#, ["Bob"], true),
        .init(#"{"StringNotEquals": {"k:key": ["Alice", "Bob"]}}"#, ["Bob"], false),
        .init(#"{"StringNotEquals": {"k:key": "Alice"}}"#, nil, true),
        .init(#"{"StringEqualsIgnoreCase": {"k:key": "ALICE"}}"#, ["alice"], true),
        .init(#"{"StringEqualsIgnoreCase": {"k:key": "ALICE"}}"#, ["alicia"], false),
        .init(#"{"StringNotEqualsIgnoreCase": {"k:key": "ALICE"}}"#, ["alice"], false),
        .init(#"{"StringNotEqualsIgnoreCase": {"k:key": "ALICE"}}"#, ["bob"], true),
        .init(#"{"StringNotEqualsIgnoreCase": {"k:key": "ALICE"}}"#, nil, true),
        .init(#"{"StringLike": {"k:key": "home/*/photos"}}"#, ["home/alice/photos"], true),
        .init(#"{"StringLike": {"k:key": "home/?"}}"#, ["home/a"], true),
        .init(#"{"StringLike": {"k:key": "home/?"}}"#, ["home/ab"], false),
        .init(#"{"StringLike": {"k:key": "Home/*"}}"#, ["home/a"], false),
        .init(#"{"StringLike": {"k:key": ""}}"#, [""], true),
        .init(#"{"StringLike": {"k:key": "a*"}}"#, nil, false),
        .init(#"{"StringNotLike": {"k:key": ["a*", "b*"]}}"#, ["carol"], true),
        .init(#"{"StringNotLike": {"k:key": ["a*", "b*"]}}"#, ["bob"], false),
        .init(#"{"StringNotLike": {"k:key": "a*"}}"#, nil, true),
        // …IfExists holds on a missing key and is the plain operator otherwise.
        .init(#"{"StringEqualsIfExists": {"k:key": "Alice"}}"#, nil, true),
        .init(#"{"StringEqualsIfExists": {"k:key": "Alice"}}"#, ["Bob"], false),
        .init(#"{"StringNotEqualsIfExists": {"k:key": "Alice"}}"#, ["Alice"], false),
        .init(#"{"StringNotEqualsIfExists": {"k:key": "Alice"}}"#, nil, true),
    ]

    static let numericCases: [ConditionCase] = [
        .init(#"{"NumericEquals": {"k:key": "10"}}"#, ["10.0"], true),
        .init(#"{"NumericEquals": {"k:key": "10"}}"#, ["11"], false),
        .init(#"{"NumericEquals": {"k:key": "10"}}"#, ["ten"], false),
        .init(#"{"NumericEquals": {"k:key": "10"}}"#, nil, false),
        .init(#"{"NumericNotEquals": {"k:key": "10"}}"#, ["11"], true),
        .init(#"{"NumericNotEquals": {"k:key": ["10", "11"]}}"#, ["11"], false),
        .init(#"{"NumericNotEquals": {"k:key": "10"}}"#, nil, true),
        .init(#"{"NumericLessThan": {"k:key": "10"}}"#, ["9.99"], true),
        .init(#"{"NumericLessThan": {"k:key": "10"}}"#, ["10"], false),
        .init(#"{"NumericLessThanEquals": {"k:key": "10"}}"#, ["10"], true),
        .init(#"{"NumericLessThanEquals": {"k:key": "-1.5"}}"#, ["-2"], true),
        .init(#"{"NumericGreaterThan": {"k:key": "10"}}"#, ["10"], false),
        .init(#"{"NumericGreaterThan": {"k:key": "10"}}"#, ["100"], true),
        .init(#"{"NumericGreaterThanEquals": {"k:key": "10"}}"#, ["10"], true),
        .init(#"{"NumericGreaterThanEquals": {"k:key": "10"}}"#, ["9"], false),
        .init(#"{"NumericGreaterThanEquals": {"k:key": "12345678901234567890"}}"#, ["12345678901234567891"], true),
        .init(#"{"NumericLessThanIfExists": {"k:key": "10"}}"#, nil, true),
        .init(#"{"NumericEquals": {"k:key": "0.5"}}"#, [".5"], true),
        .init(#"{"NumericEquals": {"k:key": "+5"}}"#, ["5."], true),
        .init(#"{"NumericEquals": {"k:key": "1e3"}}"#, ["1000"], true),
        .init(#"{"NumericEquals": {"k:key": 2.5}}"#, ["2.50"], true),
        .init(#"{"NumericEquals": {"k:key": "5"}}"#, ["5x"], false),
        .init(#"{"NumericEquals": {"k:key": "5"}}"#, ["."], false),
    ]

    static let dateCases: [ConditionCase] = [
        .init(#"{"DateEquals": {"k:key": "2020-01-01T00:00:00Z"}}"#, ["1577836800"], true),
        .init(#"{"DateEquals": {"k:key": "2020-01-01"}}"#, ["2020-01-01T00:00:00Z"], true),
        .init(#"{"DateEquals": {"k:key": "2020-01-01T02:00:00+02:00"}}"#, ["2020-01-01T00:00:00Z"], true),
        .init(#"{"DateEquals": {"k:key": "2020-01-01T00:00Z"}}"#, ["2020-01-01T00:00:01Z"], false),
        .init(#"{"DateNotEquals": {"k:key": "2020-01-01T00:00:00Z"}}"#, ["2020-01-02T00:00:00Z"], true),
        .init(#"{"DateNotEquals": {"k:key": "2020-01-01T00:00:00Z"}}"#, nil, true),
        .init(#"{"DateLessThan": {"k:key": "2020-01-01T00:00:00Z"}}"#, ["2019-12-31T23:59:59.999Z"], true),
        .init(#"{"DateLessThan": {"k:key": "2020-01-01T00:00:00Z"}}"#, ["2020-01-01T00:00:00Z"], false),
        .init(#"{"DateLessThanEquals": {"k:key": "1577836800"}}"#, ["2020-01-01T00:00:00Z"], true),
        .init(#"{"DateGreaterThan": {"k:key": "2020-01"}}"#, ["2020-01-01T00:00:01Z"], true),
        .init(#"{"DateGreaterThan": {"k:key": "2020-01-01T00:00:00Z"}}"#, ["not a date"], false),
        .init(#"{"DateGreaterThanEquals": {"k:key": "2020-02-29T12:00:00-05:00"}}"#, ["2020-02-29T17:00:00Z"], true),
        .init(#"{"DateGreaterThanEquals": {"k:key": "2020-02-29T12:00:00-05:00"}}"#, ["2020-02-29T16:59:59Z"], false),
        .init(#"{"DateGreaterThan": {"k:key": "2020-01-01T00:00:00Z"}}"#, nil, false),
    ]

    static let otherCases: [ConditionCase] = [
        .init(#"{"Bool": {"k:key": "true"}}"#, ["true"], true),
        .init(#"{"Bool": {"k:key": "true"}}"#, ["TRUE"], true),
        .init(#"{"Bool": {"k:key": "true"}}"#, ["false"], false),
        .init(#"{"Bool": {"k:key": "false"}}"#, ["maybe"], false),
        .init(#"{"Bool": {"k:key": "false"}}"#, nil, false),
        .init(#"{"BoolIfExists": {"k:key": "false"}}"#, nil, true),
        // "QmluYXJ5VmFsdWVJbkJhc2U2NA==" is the operators page's example: "BinaryValueInBase64".
        .init(#"{"BinaryEquals": {"k:key": "QmluYXJ5VmFsdWVJbkJhc2U2NA=="}}"#, ["QmluYXJ5VmFsdWVJbkJhc2U2NA=="], true),
        .init(#"{"BinaryEquals": {"k:key": "QmluYXJ5VmFsdWVJbkJhc2U2NA=="}}"#, ["QmluYXJ5"], false),
        .init(#"{"BinaryEquals": {"k:key": "QmluYXJ5VmFsdWVJbkJhc2U2NA=="}}"#, nil, false),
        .init(#"{"IpAddress": {"k:key": "10.0.0.0/8"}}"#, ["10.255.0.1"], true),
        .init(#"{"IpAddress": {"k:key": "10.0.0.0/8"}}"#, ["11.0.0.1"], false),
        .init(#"{"IpAddress": {"k:key": "203.0.113.7"}}"#, ["203.0.113.7"], true),
        .init(#"{"IpAddress": {"k:key": "203.0.113.7"}}"#, ["203.0.113.8"], false),
        .init(#"{"IpAddress": {"k:key": "203.0.113.0/25"}}"#, ["203.0.113.127"], true),
        .init(#"{"IpAddress": {"k:key": "203.0.113.0/25"}}"#, ["203.0.113.128"], false),
        .init(#"{"IpAddress": {"k:key": "0.0.0.0/0"}}"#, ["192.0.2.1"], true),
        .init(#"{"IpAddress": {"k:key": "2001:db8::/32"}}"#, ["2001:DB8:FFFF::1"], true),
        .init(#"{"IpAddress": {"k:key": "2001:db8::/32"}}"#, ["2001:db9::1"], false),
        .init(#"{"IpAddress": {"k:key": "::ffff:0:0/96"}}"#, ["::ffff:192.0.2.1"], true),
        .init(#"{"IpAddress": {"k:key": "10.0.0.0/8"}}"#, ["::ffff:10.0.0.1"], false),
        .init(#"{"IpAddress": {"k:key": "10.0.0.0/8"}}"#, ["not an address"], false),
        .init(#"{"NotIpAddress": {"k:key": ["10.0.0.0/8", "192.168.0.0/16"]}}"#, ["172.16.0.1"], true),
        .init(#"{"NotIpAddress": {"k:key": ["10.0.0.0/8", "192.168.0.0/16"]}}"#, ["192.168.1.1"], false),
        .init(#"{"NotIpAddress": {"k:key": "10.0.0.0/8"}}"#, nil, true),
        .init(#"{"ArnEquals": {"k:key": "arn:aws:sns:us-east-1:123456789012:topic"}}"#, ["arn:aws:sns:us-east-1:123456789012:topic"], true),
        .init(#"{"ArnEquals": {"k:key": "arn:aws:sns:*:123456789012:*"}}"#, ["arn:aws:sns:eu-west-1:123456789012:topic"], true),
        .init(#"{"ArnLike": {"k:key": "arn:aws:sns:*:123456789012:*"}}"#, ["arn:aws:sns:eu-west-1:123456789012:topic:sub"], true),
        .init(#"{"ArnLike": {"k:key": "arn:aws:sns:*:123456789012:*"}}"#, ["arn:aws:sns:eu-west-1:210987654321:topic"], false),
        .init(#"{"ArnLike": {"k:key": "arn:aws:SNS:*:*:*"}}"#, ["arn:aws:sns:eu-west-1:123456789012:topic"], false),
        .init(#"{"ArnLike": {"k:key": "arn:aws:sns:*"}}"#, ["arn:aws:sns:eu-west-1:123456789012:topic"], false),
        .init(#"{"ArnLike": {"k:key": "arn:aws:iam::*:role/?dmin"}}"#, ["arn:aws:iam::123456789012:role/admin"], true),
        .init(#"{"ArnLike": {"k:key": "arn:aws:*:*:*:*"}}"#, ["not-an-arn"], false),
        .init(#"{"ArnNotEquals": {"k:key": "arn:aws:iam::123456789012:user/bob"}}"#, ["arn:aws:iam::123456789012:user/alice"], true),
        .init(#"{"ArnNotLike": {"k:key": "arn:aws:iam::123456789012:*"}}"#, ["arn:aws:iam::123456789012:user/alice"], false),
        .init(#"{"ArnNotLike": {"k:key": "arn:aws:iam::123456789012:*"}}"#, nil, true),
        .init(#"{"Null": {"k:key": "true"}}"#, nil, true),
        .init(#"{"Null": {"k:key": "true"}}"#, ["x"], false),
        .init(#"{"Null": {"k:key": "false"}}"#, ["x"], true),
        .init(#"{"Null": {"k:key": "false"}}"#, nil, false),
        .init(#"{"Null": {"k:key": false}}"#, [""], true),
        .init(#"{"Null": {"k:key": "true"}}"#, [], true),
    ]

    /// ForAllValues / ForAnyValue on a multivalued key ("Single-valued vs. multivalued context keys").
    static let setCases: [ConditionCase] = [
        .init(#"{"ForAllValues:StringEquals": {"k:key": ["a", "b", "c"]}}"#, ["a", "c"], true),
        .init(#"{"ForAllValues:StringEquals": {"k:key": ["a", "b", "c"]}}"#, ["a", "d"], false),
        .init(#"{"ForAllValues:StringEquals": {"k:key": ["a", "b", "c"]}}"#, nil, true),
        .init(#"{"ForAnyValue:StringEquals": {"k:key": ["a", "b"]}}"#, ["z", "b"], true),
        .init(#"{"ForAnyValue:StringEquals": {"k:key": ["a", "b"]}}"#, ["z", "y"], false),
        .init(#"{"ForAnyValue:StringEquals": {"k:key": ["a", "b"]}}"#, nil, false),
        .init(#"{"ForAnyValue:StringEquals": {"k:key": ["a", "b"]}}"#, [""], false),
        // Negated operators test each request value against all policy values (NOR), then quantify.
        .init(#"{"ForAllValues:StringNotEquals": {"k:key": ["a", "b"]}}"#, ["c", "d"], true),
        .init(#"{"ForAllValues:StringNotEquals": {"k:key": ["a", "b"]}}"#, ["c", "a"], false),
        .init(#"{"ForAllValues:StringNotEquals": {"k:key": ["a", "b"]}}"#, nil, true),
        .init(#"{"ForAnyValue:StringNotEquals": {"k:key": ["a", "b"]}}"#, ["a", "c"], true),
        .init(#"{"ForAnyValue:StringNotEquals": {"k:key": ["a", "b"]}}"#, ["a", "b"], false),
        .init(#"{"ForAnyValue:StringNotEquals": {"k:key": ["a", "b"]}}"#, nil, false),
        .init(#"{"ForAnyValue:StringLike": {"k:key": "cognito-idp.*"}}"#, ["authenticated", "cognito-idp.us-east-1.amazonaws.com/pool"], true),
        .init(#"{"ForAllValues:StringLikeIfExists": {"k:key": "x*"}}"#, ["y"], false),
        .init(#"{"ForAnyValue:StringLikeIfExists": {"k:key": "x*"}}"#, nil, true),
        .init(#"{"ForAnyValue:NumericGreaterThan": {"k:key": "5"}}"#, ["1", "7"], true),
        .init(#"{"ForAllValues:NumericGreaterThan": {"k:key": "5"}}"#, ["1", "7"], false),
        .init(#"{"ForAnyValue:IpAddress": {"k:key": "10.0.0.0/8"}}"#, ["192.0.2.1", "10.1.1.1"], true),
        .init(
            #"{"ForAllValues:ArnLike": {"k:key": "arn:aws:iam::123456789012:role/*"}}"#,
            ["arn:aws:iam::123456789012:role/a", "arn:aws:iam::123456789012:role/b"], true),
        .init(#"{"ForAnyValue:Bool": {"k:key": "true"}}"#, ["false", "true"], true),
        // Without a qualifier a key with several values holds when any value matches; negated, when none does.
        .init(#"{"StringEquals": {"k:key": "a"}}"#, ["b", "a"], true),
        .init(#"{"StringNotEquals": {"k:key": "a"}}"#, ["b", "a"], false),
    ]

    @Test(arguments: stringCases)
    func stringOperators(_ example: ConditionCase) throws {
        #expect(try Self.holds(example.condition, example.requestValues) == example.holds)
    }

    @Test(arguments: numericCases)
    func numericOperators(_ example: ConditionCase) throws {
        #expect(try Self.holds(example.condition, example.requestValues) == example.holds)
    }

    @Test(arguments: dateCases)
    func dateOperators(_ example: ConditionCase) throws {
        #expect(try Self.holds(example.condition, example.requestValues) == example.holds)
    }

    @Test(arguments: otherCases)
    func boolBinaryIPArnAndNullOperators(_ example: ConditionCase) throws {
        #expect(try Self.holds(example.condition, example.requestValues) == example.holds)
    }

    @Test(arguments: setCases)
    func setQualifiers(_ example: ConditionCase) throws {
        #expect(try Self.holds(example.condition, example.requestValues) == example.holds)
    }

    @Test func everyOperatorIsParsedWithAndWithoutItsQualifiersAndSuffix() throws {
        for base in ConditionOperator.allCases {
            #expect(QualifiedOperator(base.rawValue)?.base == base)
            #expect(QualifiedOperator("\(base.rawValue)IfExists").map { $0.base == base && $0.ifExists } ?? (base == .null))
            #expect(QualifiedOperator("ForAnyValue:\(base.rawValue)")?.qualifier == (base == .null ? nil : .forAnyValue))
            #expect(QualifiedOperator("ForAllValues:\(base.rawValue)IfExists")?.qualifier == (base == .null ? nil : .forAllValues))
        }
        #expect(QualifiedOperator("stringequals") == nil)
    }

    @Test func conditionKeysAreCaseInsensitive() throws {
        #expect(try Self.holds(#"{"StringEquals": {"K:KEY": "v"}}"#, ["v"]))
    }

    @Test func variablesInConditionValuesAreSubstituted() throws {
        let policy = try PolicyFixtures.statement(condition: #"{"StringEquals": {"aws:ResourceTag/owner": "${aws:username}"}}"#)
        let owner = PolicyFixtures.request(context: ["aws:username": ["alice"], "aws:ResourceTag/owner": ["alice"]])
        let other = PolicyFixtures.request(context: ["aws:username": ["bob"], "aws:ResourceTag/owner": ["alice"]])
        #expect(PolicyFixtures.outcome([policy], owner) == .allowed)
        #expect(PolicyFixtures.outcome([policy], other) == .implicitDeny)
    }

    @Test func aVariableWithoutAValueFailsTheConditionEvenWhenNegated() throws {
        // "If AWS cannot resolve a variable, this might cause the entire statement to be invalid."
        let deny = try PolicyFixtures.identity(
            """
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"},
              {"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"StringNotEquals": {"aws:ResourceTag/owner": "${aws:username}"}}}]}
            """)
        #expect(PolicyFixtures.outcome([deny], PolicyFixtures.request(context: ["aws:ResourceTag/owner": ["alice"]])) == .allowed)
        let request = PolicyFixtures.request(context: ["aws:ResourceTag/owner": ["alice"], "aws:username": ["bob"]])
        #expect(PolicyFixtures.outcome([deny], request) == .explicitDeny)
    }

    @Test func aMultivaluedKeyCannotBeAVariable() throws {
        let policy = try PolicyFixtures.statement(condition: #"{"StringEquals": {"k:key": "${k:list}"}}"#)
        #expect(PolicyFixtures.outcome([policy], PolicyFixtures.request(context: ["k:key": ["a"], "k:list": ["a"]])) == .allowed)
        #expect(PolicyFixtures.outcome([policy], PolicyFixtures.request(context: ["k:key": ["a"], "k:list": ["a", "b"]])) == .implicitDeny)
    }

    @Test func variablesAreNotSubstitutedInNumericValues() throws {
        // Numeric operators take no policy variables, so `${…}` is not a number and the policy is refused.
        #expect(throws: PolicyDocumentError.syntax) {
            try PolicyFixtures.statement(condition: #"{"NumericLessThan": {"s3:max-keys": "${k:limit}"}}"#)
        }
    }

    @Test func boolValuesMayBeVariables() throws {
        let policy = try PolicyFixtures.statement(condition: #"{"Bool": {"aws:SecureTransport": "${k:expected}"}}"#)
        let request = PolicyFixtures.request(context: ["aws:SecureTransport": ["true"], "k:expected": ["true"]])
        #expect(PolicyFixtures.outcome([policy], request) == .allowed)
    }
}
