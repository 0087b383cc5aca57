import Foundation

/// `AuthenticationResultType`.
struct AuthenticationResult: Encodable, Sendable {
    var AccessToken: String
    var ExpiresIn: Int
    var TokenType = "Bearer"
    var RefreshToken: String?
    var IdToken: String
    var NewDeviceMetadata: NewDeviceMetadataType?
}

/// `NewDeviceMetadataType`: the key a sign-in gave a device it had not seen (device tracking).
struct NewDeviceMetadataType: Encodable, Sendable {
    var DeviceKey: String
    var DeviceGroupKey: String
}
