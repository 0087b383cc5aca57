import Foundation
import Testing

@testable import PosternCore

@Suite struct SignInCompletionTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    let hook = HookInvocation(
        function: "pre-token", triggerSource: "TokenGeneration_Authentication", durationMilliseconds: 3, outcome: "ok", decision: [:])

    @Test func theTokenSourceNamesAProvedDeviceANewPasswordOrAPlainSignIn() {
        #expect(SignInCompletion(flow: "USER_PASSWORD_AUTH", client: "web").tokenSource == "TokenGeneration_Authentication")
        #expect(SignInCompletion(flow: "NEW_PASSWORD_REQUIRED", client: "web").tokenSource == "TokenGeneration_NewPasswordChallenge")
        #expect(
            SignInCompletion(flow: "USER_SRP_AUTH", client: "web", deviceKey: "d", deviceAuthenticated: true).tokenSource
                == "TokenGeneration_AuthenticateDevice")
        // A device named but not proved (MFA answered instead) is a plain sign-in.
        #expect(SignInCompletion(flow: "USER_SRP_AUTH", client: "web", deviceKey: "d").tokenSource == "TokenGeneration_Authentication")
    }

    @Test func aDeviceIsRegisteredOnlyWhenThePoolTracksDevicesAndTheSignInNamedNone() throws {
        let plain = SignInCompletion(flow: "USER_PASSWORD_AUTH", client: "web")
        let registered = try #require(plain.newDevice(poolTracksDevices: true, keys: ("us-east-1_d", "g")))
        #expect(registered.deviceKey == "us-east-1_d" && registered.groupKey == "g" && registered.clientId == "web")
        #expect(plain.newDevice(poolTracksDevices: false, keys: ("us-east-1_d", "g")) == nil)
        let known = SignInCompletion(flow: "USER_PASSWORD_AUTH", client: "web", deviceKey: "us-east-1_known")
        #expect(known.newDevice(poolTracksDevices: true, keys: ("us-east-1_d", "g")) == nil)
    }

    @Test func theRecordHoldsTheRefreshTokensHashTheHooksAndTheDevice() {
        let proved = SignInCompletion(flow: "USER_SRP_AUTH", client: "web", deviceKey: "d", deviceAuthenticated: true)
        let record = proved.succeeded(
            originJti: "origin", refreshTokenHash: "hash", refreshValidity: 86_400, hooks: [hook], deviceKey: "d", now: t0)
        #expect(record.flow == "USER_SRP_AUTH" && record.clientId == "web" && record.originJti == "origin" && record.refreshTokenHash == "hash")
        #expect(record.authTime == t0 && record.refreshExpiresAt == t0.addingTimeInterval(86_400))
        #expect(record.hooks == [hook] && record.deviceKey == "d" && record.deviceAuthenticated == true)
        let plain = SignInCompletion(flow: "USER_PASSWORD_AUTH", client: "web").succeeded(
            originJti: "o", refreshTokenHash: "h", refreshValidity: 60, hooks: [], deviceKey: nil, now: t0)
        #expect(plain.hooks == nil && plain.deviceKey == nil && plain.deviceAuthenticated == nil)
    }
}
