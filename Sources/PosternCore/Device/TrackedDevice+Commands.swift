import Foundation

/// The decisions about one of a user's devices after it was registered at sign-in: ConfirmDevice,
/// UpdateDeviceStatus / AdminUpdateDeviceStatus, ForgetDevice / AdminForgetDevice. `by` is `self` or `admin`.
extension TrackedDevice {
    /// ConfirmDevice was answered before: the device has a verifier (DeviceKeyExistsException).
    public struct AlreadyConfirmed: Error, Equatable, Sendable {}

    /// ConfirmDevice: the device's SRP verifier and name; remembered at once unless the pool waits for the
    /// user to say so (`DeviceOnlyRememberedOnUserPrompt`, then `UserConfirmationNecessary`).
    public func confirm(verifier: PasswordVerifier, name: String?, policy: DeviceTrackingPolicy) throws(AlreadyConfirmed) -> DeviceConfirmed {
        guard !confirmed else { throw AlreadyConfirmed() }
        return DeviceConfirmed(
            deviceKey: key, sealedVerifier: .plaintext(verifier), sealedName: name.map(Sealed.plaintext),
            remembered: !policy.onlyRememberedOnUserPrompt)
    }

    /// UpdateDeviceStatus: nothing to record when the device already has that status.
    public func setRemembered(_ remembered: Bool, by: String) -> [any EventPayload] {
        guard remembered != self.remembered else { return [] }
        return [DeviceRememberedStatusChanged(deviceKey: key, remembered: remembered, by: by)]
    }

    /// ForgetDevice: the device is gone, with its verifier; its key signs in as no device.
    public func forget(by: String) -> DeviceForgotten { DeviceForgotten(deviceKey: key, by: by) }
}
