import Foundation
import PosternCore
import PosternCrypto
import PosternStore

/// GetUser: the signed-in user's own attributes, authorized by the access token.
enum GetUser: AWSOperation {
    static let name = "GetUser"

    struct Request: Decodable, Sendable { var AccessToken: String }

    struct Response: Encodable, Sendable {
        var Username: String
        var UserAttributes: [AttributeType]
    }

    static func handle(_ request: Request, call: Call, postern: Postern) async throws -> Response {
        let identity = try call.signedIn()
        return Response(Username: identity.user.username, UserAttributes: identity.readableAttributes)
    }
}
