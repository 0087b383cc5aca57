import Foundation
import PosternStore
import PosternCrypto
import PosternCore

/// AdminConfirmSignUp: an administrator confirms an UNCONFIRMED user without a code.
enum AdminConfirmSignUp: AWSOperation {
    static let name = "AdminConfirmSignUp"

    struct Request: Decodable, Sendable {
        var UserPoolId: String
        var Username: String
        var ClientMetadata: [String: String]?
    }

    static func handle(_ request: Request, call: Call, postern: Postern) async throws -> EmptyResponse {
        try await postern.retrying {
            let (_, user) = try await postern.adminUser(poolId: request.UserPoolId, username: request.Username)
            guard user.status == .unconfirmed else {
                throw DomainError.notAuthorized("User cannot be confirmed. Current status is \(user.status.rawValue)")
            }
            try await postern.appendToUser(user, [UserConfirmed(by: "admin")], call: call)
        }
        return EmptyResponse()
    }
}
