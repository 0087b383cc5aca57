import Foundation

/// A sign-in in a pool that tracks devices came from a device the user has no key for: it got one
/// (`NewDeviceMetadata`), not yet confirmed.
public struct DeviceRegistered: EventPayload {
    public static let eventType = "DeviceRegistered"
    public var deviceKey: String
    public var groupKey: String
    public var clientId: ClientID
    public init(deviceKey: String, groupKey: String, clientId: ClientID) {
        self.deviceKey = deviceKey
        self.groupKey = groupKey
        self.clientId = clientId
    }
}

/// ConfirmDevice: the device's SRP verifier for its random password (sealed: it is password-equivalent
/// for the device), its name (sealed), and whether it is remembered now.
public struct DeviceConfirmed: EventPayload {
    public static let eventType = "DeviceConfirmed"
    public var deviceKey: String
    public var sealedVerifier: Sealed<PasswordVerifier>
    public var sealedName: Sealed<String>?
    public var remembered: Bool
    public init(deviceKey: String, sealedVerifier: Sealed<PasswordVerifier>, sealedName: Sealed<String>?, remembered: Bool) {
        self.deviceKey = deviceKey
        self.sealedVerifier = sealedVerifier
        self.sealedName = sealedName
        self.remembered = remembered
    }
}

/// UpdateDeviceStatus / AdminUpdateDeviceStatus.
public struct DeviceRememberedStatusChanged: EventPayload {
    public static let eventType = "DeviceRememberedStatusChanged"
    public var deviceKey: String
    public var remembered: Bool
    /// `self` or `admin`.
    public var by: String
    public init(deviceKey: String, remembered: Bool, by: String) {
        self.deviceKey = deviceKey
        self.remembered = remembered
        self.by = by
    }
}

/// ForgetDevice / AdminForgetDevice: the device and its verifier are gone.
public struct DeviceForgotten: EventPayload {
    public static let eventType = "DeviceForgotten"
    public var deviceKey: String
    public var by: String
    public init(deviceKey: String, by: String) {
        self.deviceKey = deviceKey
        self.by = by
    }
}
