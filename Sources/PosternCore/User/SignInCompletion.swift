import Foundation

/// What a sign-in that passed every check records, and what its PreTokenGeneration run is told
/// (spec/tokens.md, spec/triggers.md): the token-generation source, a new device when the pool tracks
/// devices and the sign-in named none, and `SignInSucceeded` with the refresh token's keyed hash.
public struct SignInCompletion: Equatable, Sendable {
    /// The flow that signed in (`USER_PASSWORD_AUTH`, `NEW_PASSWORD_REQUIRED`, …).
    public var flow: String
    public var client: ClientID
    /// The tracked device the sign-in came from, if it named one.
    public var deviceKey: String?
    /// Whether that device proved itself (DEVICE_PASSWORD_VERIFIER) in this sign-in.
    public var deviceAuthenticated: Bool

    public init(flow: String, client: ClientID, deviceKey: String? = nil, deviceAuthenticated: Bool = false) {
        self.flow = flow
        self.client = client
        self.deviceKey = deviceKey
        self.deviceAuthenticated = deviceAuthenticated
    }

    /// The `triggerSource` of PreTokenGeneration: a proved device, a new password, or a plain sign-in.
    public var tokenSource: String {
        if deviceKey != nil, deviceAuthenticated { return "TokenGeneration_AuthenticateDevice" }
        return flow == "NEW_PASSWORD_REQUIRED" ? "TokenGeneration_NewPasswordChallenge" : "TokenGeneration_Authentication"
    }

    /// The device to register (`NewDeviceMetadata`): only when the pool tracks devices and the sign-in came
    /// from none it knows. `keys` are the generated device and group keys.
    public func newDevice(poolTracksDevices: Bool, keys: (device: String, group: String)) -> DeviceRegistered? {
        guard deviceKey == nil, poolTracksDevices else { return nil }
        return DeviceRegistered(deviceKey: keys.device, groupKey: keys.group, clientId: client)
    }

    /// The record of the sign-in: its refresh token (by hash, valid for `refreshValidity`), the hooks that
    /// ran, and the device its tokens name (`deviceKey` or the one just registered).
    public func succeeded(
        originJti: String, refreshTokenHash: String, refreshValidity: TimeInterval, hooks: [HookInvocation], deviceKey tokenDevice: String?,
        now: Date
    ) -> SignInSucceeded {
        SignInSucceeded(
            flow: flow, clientId: client, originJti: originJti, refreshTokenHash: refreshTokenHash, authTime: now,
            refreshExpiresAt: now.addingTimeInterval(refreshValidity), hooks: hooks.isEmpty ? nil : hooks, deviceKey: tokenDevice,
            deviceAuthenticated: deviceKey != nil && deviceAuthenticated ? true : nil)
    }
}
