import Foundation
import Testing

@testable import PosternCore

@Suite struct TrackedDeviceCommandsTests {
    let verifier = PasswordVerifier(saltHex: "ab", verifierHex: "cd")

    func device(confirmed: Bool = false, remembered: Bool = false) -> TrackedDevice {
        TrackedDevice(key: "us-east-1_d", groupKey: "-g", confirmed: confirmed, remembered: remembered)
    }

    @Test func confirmingRemembersTheDeviceUnlessThePoolWaitsForTheUser() throws {
        let atOnce = try device().confirm(
            verifier: verifier, name: "Alice's laptop", policy: .init(challengeRequiredOnNewDevice: false, onlyRememberedOnUserPrompt: false))
        #expect(atOnce.deviceKey == "us-east-1_d" && atOnce.remembered && atOnce.sealedVerifier == .plaintext(verifier))
        #expect(atOnce.sealedName == .plaintext("Alice's laptop"))
        let onPrompt = try device().confirm(
            verifier: verifier, name: nil, policy: .init(challengeRequiredOnNewDevice: true, onlyRememberedOnUserPrompt: true))
        #expect(!onPrompt.remembered && onPrompt.sealedName == nil)
    }

    @Test func aConfirmedDeviceIsNotConfirmedAgain() {
        #expect(throws: TrackedDevice.AlreadyConfirmed()) {
            try device(confirmed: true).confirm(
                verifier: verifier, name: nil, policy: .init(challengeRequiredOnNewDevice: false, onlyRememberedOnUserPrompt: false))
        }
    }

    @Test func theRememberedStatusChangesOnlyWhenItDiffers() throws {
        #expect(device(remembered: true).setRemembered(true, by: "self").isEmpty)
        let changed = try #require(device(remembered: true).setRemembered(false, by: "admin").first as? DeviceRememberedStatusChanged)
        #expect(changed.deviceKey == "us-east-1_d" && !changed.remembered && changed.by == "admin")
    }

    @Test func forgettingNamesTheDeviceAndWhoForgotIt() {
        let forgotten = device(confirmed: true).forget(by: "self")
        #expect(forgotten.deviceKey == "us-east-1_d" && forgotten.by == "self")
    }
}
