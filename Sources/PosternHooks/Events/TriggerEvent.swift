import PosternCore

/// Cognito's trigger event as a hook reads it on stdin (spec/triggers.md §1): the common envelope, the
/// trigger's `request` and the neutral `response` the hook fills in.
public struct TriggerEvent: Sendable, Equatable {
    public var version: String
    public var triggerSource: String
    public var region: String
    public var userPoolId: String
    public var userName: String
    public var clientId: String?
    public var request: [String: JSONValue]
    public var response: [String: JSONValue]

    public init(
        version: String = "1", triggerSource: String, region: String, userPoolId: String, userName: String, clientId: String?,
        request: [String: JSONValue], response: [String: JSONValue]
    ) {
        self.version = version
        self.triggerSource = triggerSource
        self.region = region
        self.userPoolId = userPoolId
        self.userName = userName
        self.clientId = clientId
        self.request = request
        self.response = response
    }

    /// The event as JSON, exactly as Lambda would receive it.
    public var json: JSONValue {
        .object([
            "version": .string(version), "triggerSource": .string(triggerSource), "region": .string(region),
            "userPoolId": .string(userPoolId), "userName": .string(userName),
            "callerContext": .object(["awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": clientId.map(JSONValue.string) ?? .null]),
            "request": .object(request), "response": .object(response),
        ])
    }
}

/// What every trigger's request shares: how Cognito writes a user's attributes and string maps.
public enum TriggerRequest {
    /// `userAttributes` as Cognito sends them: the user's attributes with `sub` and `cognito:user_status`
    /// (when known).
    public static func userAttributes(_ attributes: [String: String], sub: String?, status: UserStatus?) -> JSONValue {
        var members = attributes.mapValues(JSONValue.string)
        if let sub { members["sub"] = .string(sub) }
        if let status { members["cognito:user_status"] = .string(status.rawValue) }
        return .object(members)
    }

    /// A string map (ClientMetadata, validationData) as JSON; null when the caller sent none.
    public static func stringMap(_ map: [String: String]?) -> JSONValue {
        map.map { .object($0.mapValues(JSONValue.string)) } ?? .null
    }
}

/// A hook's answer that Cognito would refuse: the caller sees InvalidLambdaResponseException.
public struct InvalidTriggerAnswer: Error, Sendable, Equatable {
    public var message: String
    public init(_ message: String = "Unrecognizable lambda output") { self.message = message }
}

/// Reads the members of a hook's `response` with Cognito's strictness: absent or null is "not set";
/// a member of the wrong type makes the whole answer invalid.
public struct TriggerAnswer: Sendable {
    public let response: JSONValue?

    /// `answer` is the whole event the hook wrote back.
    public init(_ answer: JSONValue) { response = answer["response"] }

    public func flag(_ name: String) throws(InvalidTriggerAnswer) -> Bool {
        switch response?[name] {
        case nil, .null?: return false
        case .bool(let value)?: return value
        default: throw InvalidTriggerAnswer()
        }
    }

    public func text(_ name: String) throws(InvalidTriggerAnswer) -> String? {
        switch response?[name] {
        case nil, .null?: return nil
        case .string(let value)?: return value
        default: throw InvalidTriggerAnswer()
        }
    }

    /// A `{string: string}` member (absent or null is empty).
    public func stringMap(_ name: String) throws(InvalidTriggerAnswer) -> [String: String] {
        switch response?[name] {
        case nil, .null?: return [:]
        case .object(let members)?:
            var map: [String: String] = [:]
            for (key, value) in members {
                guard let text = value.stringValue else { throw InvalidTriggerAnswer() }
                map[key] = text
            }
            return map
        default: throw InvalidTriggerAnswer()
        }
    }
}
