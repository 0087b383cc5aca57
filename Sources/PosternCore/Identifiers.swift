import Foundation

/// An identifier that is a string on the wire and in storage, typed so ids of different things never mix.
public protocol StringIdentifier: Hashable, Sendable, Codable, CustomStringConvertible, ExpressibleByStringLiteral {
    var rawValue: String { get }
    init(_ rawValue: String)
}

extension StringIdentifier {
    public init(stringLiteral value: String) { self.init(value) }
    public init(from decoder: any Decoder) throws { self.init(try decoder.singleValueContainer().decode(String.self)) }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
    public var description: String { rawValue }
}

/// A user pool id, `{region}_{suffix}`; the suffix is the "pool name" of Cognito's SRP maths.
public struct UserPoolID: StringIdentifier {
    public let rawValue: String
    public init(_ rawValue: String) { self.rawValue = rawValue }

    /// The part after `_`, used by SRP as the pool name.
    public var poolName: String { rawValue.split(separator: "_", maxSplits: 1).last.map(String.init) ?? rawValue }
    /// The region prefix (Amplify derives the region from it).
    public var region: String { rawValue.split(separator: "_", maxSplits: 1).first.map(String.init) ?? "" }
}

/// An app client id (26 lowercase alphanumerics, as Cognito issues them).
public struct ClientID: StringIdentifier {
    public let rawValue: String
    public init(_ rawValue: String) { self.rawValue = rawValue }
}

/// A user's immutable subject (UUID v4, lowercase).
public struct Sub: StringIdentifier {
    public let rawValue: String
    public init(_ rawValue: String) { self.rawValue = rawValue }
}
