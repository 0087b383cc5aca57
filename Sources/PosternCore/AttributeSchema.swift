/// One attribute of a pool's schema (`SchemaAttributeType`).
public struct SchemaAttribute: Equatable, Sendable {
    public enum DataType: String, Sendable { case string = "String", number = "Number", dateTime = "DateTime", boolean = "Boolean" }

    public var name: String
    public var dataType: DataType
    public var mutable: Bool
    public var required: Bool
    public var developerOnly: Bool
    public var minLength: Int?
    public var maxLength: Int?

    public var isCustom: Bool { name.hasPrefix("custom:") || name.hasPrefix("dev:") }

    public init(
        name: String, dataType: DataType = .string, mutable: Bool = true, required: Bool = false,
        developerOnly: Bool = false, minLength: Int? = 0, maxLength: Int? = 2048
    ) {
        self.name = name
        self.dataType = dataType
        self.mutable = mutable
        self.required = required
        self.developerOnly = developerOnly
        self.minLength = minLength
        self.maxLength = maxLength
    }

    /// The wire form, as DescribeUserPool's `SchemaAttributes` lists it.
    public var json: JSONValue {
        var object: [String: JSONValue] = [
            "Name": .string(name), "AttributeDataType": .string(dataType.rawValue),
            "DeveloperOnlyAttribute": .bool(developerOnly), "Mutable": .bool(mutable), "Required": .bool(required),
        ]
        if dataType == .string {
            var constraints: [String: JSONValue] = [:]
            if let minLength { constraints["MinLength"] = .string(String(minLength)) }
            if let maxLength { constraints["MaxLength"] = .string(String(maxLength)) }
            object["StringAttributeConstraints"] = .object(constraints)
        }
        if dataType == .number { object["NumberAttributeConstraints"] = .object([:]) }
        return .object(object)
    }

    public init?(json: JSONValue) {
        guard let name = json["Name"]?.stringValue else { return nil }
        self.name = name
        dataType = json["AttributeDataType"]?.stringValue.flatMap(DataType.init(rawValue:)) ?? .string
        mutable = json["Mutable"]?.boolValue ?? true
        required = json["Required"]?.boolValue ?? false
        developerOnly = json["DeveloperOnlyAttribute"]?.boolValue ?? false
        minLength = json["StringAttributeConstraints"]?["MinLength"]?.stringValue.flatMap { Int($0) }
        maxLength = json["StringAttributeConstraints"]?["MaxLength"]?.stringValue.flatMap { Int($0) }
    }
}

/// The attributes every pool has, in Cognito's order.
public enum StandardAttributes {
    public static let all: [SchemaAttribute] = {
        var list = [SchemaAttribute(name: "sub", mutable: false, required: true, minLength: 1, maxLength: 2048)]
        for name in [
            "name", "given_name", "family_name", "middle_name", "nickname", "preferred_username", "profile",
            "picture", "website", "email",
        ] {
            list.append(SchemaAttribute(name: name))
        }
        list.append(SchemaAttribute(name: "email_verified", dataType: .boolean, minLength: nil, maxLength: nil))
        for name in ["gender", "birthdate", "zoneinfo", "locale", "phone_number"] {
            list.append(SchemaAttribute(name: name, minLength: 0, maxLength: name == "birthdate" ? 10 : 2048))
        }
        list.append(SchemaAttribute(name: "phone_number_verified", dataType: .boolean, minLength: nil, maxLength: nil))
        list.append(SchemaAttribute(name: "address"))
        list.append(SchemaAttribute(name: "updated_at", dataType: .number, minLength: nil, maxLength: nil))
        return list
    }()

    public static let names = Set(all.map(\.name))
}
