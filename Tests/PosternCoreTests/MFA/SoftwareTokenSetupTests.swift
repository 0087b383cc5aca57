import Foundation
import Testing

@testable import PosternCore

@Suite struct SoftwareTokenSetupTests {
    @Test func aPoolWithoutTOTPRefusesToAssociate() throws {
        #expect(throws: SoftwareTokenSetup.Refusal.poolOffersNoSoftwareToken) {
            try SoftwareTokenSetup.associate(secret: "JBSWY3DPEHPK3PXP", poolFactors: [.sms], sessionId: nil)
        }
        let associated = try SoftwareTokenSetup.associate(secret: "JBSWY3DPEHPK3PXP", poolFactors: [.softwareToken], sessionId: "s1")
        #expect(associated.sealedSecret == .plaintext("JBSWY3DPEHPK3PXP") && associated.sessionId == "s1")
    }

    @Test func verifyingNeedsAnAssociatedSecret() {
        #expect(throws: SoftwareTokenSetup.Refusal.nothingAssociated) {
            try SoftwareTokenSetup.verify(pendingSecret: nil, matchedStep: 5, friendlyDeviceName: nil, sessionId: nil)
        }
    }

    @Test func aWrongCodeIsRecordedAndARightOneBecomesTheFactor() throws {
        guard
            case .rejected(let rejected) = try SoftwareTokenSetup.verify(
                pendingSecret: "S", matchedStep: nil, friendlyDeviceName: nil, sessionId: "s")
        else { Issue.record("a wrong code was accepted"); return }
        #expect(rejected.context == "VerifySoftwareToken" && rejected.reason == "code_mismatch" && rejected.sessionId == "s")
        guard
            case .verified(let verified) = try SoftwareTokenSetup.verify(
                pendingSecret: "S", matchedStep: 58_000_000, friendlyDeviceName: "Alice's phone", sessionId: nil)
        else { Issue.record("a right code was refused"); return }
        #expect(verified.sealedSecret == .plaintext("S") && verified.sealedFriendlyDeviceName == .plaintext("Alice's phone"))
        #expect(verified.timeStep == 58_000_000 && verified.enablesMFA == false)
    }

    @Test func throughMFASetupAVerifiedSecretTurnsTOTPOn() throws {
        guard
            case .verified(let verified) = try SoftwareTokenSetup.verify(
                pendingSecret: "S", matchedStep: 1, friendlyDeviceName: nil, sessionId: "setup")
        else { Issue.record("a right code was refused"); return }
        #expect(verified.enablesMFA && verified.sessionId == "setup" && verified.sealedFriendlyDeviceName == nil)
    }
}
