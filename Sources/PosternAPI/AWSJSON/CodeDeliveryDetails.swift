import Foundation
import PosternCore
import PosternCrypto
import PosternStore

/// Where a code goes (`CodeDeliveryDetailsType`), with the destination masked as Cognito shows it.
struct CodeDeliveryDetails: Encodable, Sendable {
    var Destination: String
    var DeliveryMedium: String
    var AttributeName: String

    init(medium: String, attribute: String, destination: String) {
        DeliveryMedium = medium
        AttributeName = attribute
        Destination = Self.mask(destination, medium: medium)
    }

    /// `a***@e***` for email, `+*******1234` for phone numbers.
    static func mask(_ value: String, medium: String) -> String {
        if medium == "SMS" {
            return String(value.prefix(1)) + String(repeating: "*", count: max(0, value.count - 5)) + String(value.suffix(4))
        }
        let parts = value.split(separator: "@", maxSplits: 1)
        guard parts.count == 2 else { return "***" }
        return "\(parts[0].prefix(1))***@\(parts[1].prefix(1))***"
    }
}
