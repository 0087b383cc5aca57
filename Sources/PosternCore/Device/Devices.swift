import Foundation

/// A pool's `DeviceConfiguration`: whether devices are tracked at all, and how they become remembered.
public struct DeviceTrackingPolicy: Equatable, Sendable {
    /// `ChallengeRequiredOnNewDevice`: a remembered device may stand in for MFA; other devices still face it.
    public var challengeRequiredOnNewDevice: Bool
    /// `DeviceOnlyRememberedOnUserPrompt`: ConfirmDevice leaves the device not remembered until the user
    /// says so (UpdateDeviceStatus); otherwise ConfirmDevice remembers it at once.
    public var onlyRememberedOnUserPrompt: Bool

    public init(challengeRequiredOnNewDevice: Bool, onlyRememberedOnUserPrompt: Bool) {
        self.challengeRequiredOnNewDevice = challengeRequiredOnNewDevice
        self.onlyRememberedOnUserPrompt = onlyRememberedOnUserPrompt
    }

    /// The pool's policy, or nil when the pool does not track devices (no `DeviceConfiguration`).
    public init?(settings: UserPoolSettings) {
        guard let configuration = settings.json["DeviceConfiguration"], configuration.objectValue != nil else { return nil }
        challengeRequiredOnNewDevice = configuration["ChallengeRequiredOnNewDevice"]?.boolValue ?? false
        onlyRememberedOnUserPrompt = configuration["DeviceOnlyRememberedOnUserPrompt"]?.boolValue ?? false
    }

    /// Whether a sign-in from this device skips MFA: it must be confirmed and remembered, and proved
    /// with device SRP in this sign-in.
    public func skipsSecondFactor(_ device: TrackedDevice) -> Bool { device.confirmed && device.remembered }
}

/// What sign-in decisions read about one of a user's devices.
public struct TrackedDevice: Equatable, Sendable {
    public var key: String
    public var groupKey: String
    /// ConfirmDevice registered its SRP verifier.
    public var confirmed: Bool
    public var remembered: Bool

    public init(key: String, groupKey: String, confirmed: Bool, remembered: Bool) {
        self.key = key
        self.groupKey = groupKey
        self.confirmed = confirmed
        self.remembered = remembered
    }

    /// A device key as Cognito writes them: `{region}_{uuid}`, from the caller's fresh `id` (Core draws no
    /// randomness of its own).
    public static func newKey(region: String, id: UUID) -> String { "\(region)_\(id.uuidString.lowercased())" }

    /// A device group key: `-` and nine letters or digits, as Cognito's look, drawn from `generator`.
    public static func newGroupKey(using generator: inout some RandomNumberGenerator) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        return "-" + String((0..<9).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] })
    }
}
