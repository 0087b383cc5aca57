import Foundation
import PosternCore
import PosternCrypto
import PosternStore

/// Cognito's `UserType` (ListUsers, AdminCreateUser).
struct UserType: Encodable, Sendable {
    var Username: String
    var Attributes: [AttributeType]
    var UserCreateDate: Date
    var UserLastModifiedDate: Date
    var Enabled: Bool
    var UserStatus: String

    init(_ user: UserRecord, attributesToGet: [String]? = nil) {
        Username = user.username
        var attributes = user.attributes
        attributes["sub"] = user.sub.rawValue
        if let wanted = attributesToGet { attributes = attributes.filter { wanted.contains($0.key) } }
        Attributes = attributes.wireAttributes
        UserCreateDate = user.createdAt
        UserLastModifiedDate = user.updatedAt
        Enabled = user.enabled
        UserStatus = user.status.rawValue
    }
}
