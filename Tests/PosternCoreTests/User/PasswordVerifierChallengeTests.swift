import Foundation
import Testing

@testable import PosternCore

@Suite struct PasswordVerifierChallengeTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func challenge(expiresIn seconds: TimeInterval = 180) -> PasswordVerifierChallenge {
        PasswordVerifierChallenge(
            id: "c1", poolId: "us-east-1_abc", clientId: "client", flow: "USER_SRP_AUTH", sub: "0b1c", login: "Alice",
            userIdForSRP: "alice", saltHex: "00ff", sessionKey: Array(1...16), expiresAt: now.addingTimeInterval(seconds))
    }

    @Test func anAnswerThroughTheSameClientBeforeExpiryIsAdmitted() throws {
        try challenge().admits(poolId: "us-east-1_abc", clientId: "client", now: now)
    }

    @Test func anotherClientOrPoolReadsAsAForgedSession() {
        #expect(throws: DomainError.notAuthorized("Invalid session for the user.")) {
            try challenge().admits(poolId: "us-east-1_abc", clientId: "other", now: now)
        }
        #expect(throws: DomainError.notAuthorized("Invalid session for the user.")) {
            try challenge().admits(poolId: "us-east-1_xyz", clientId: "client", now: now)
        }
    }

    @Test func anExpiredChallengeSaysSo() {
        #expect(throws: DomainError.notAuthorized("Invalid session for the user, session is expired.")) {
            try challenge(expiresIn: 0).admits(poolId: "us-east-1_abc", clientId: "client", now: now)
        }
    }

    @Test func theTimestampMayBeFiveMinutesOffEitherWay() {
        #expect(PasswordVerifierChallenge.isFresh(now.addingTimeInterval(-300), now: now))
        #expect(PasswordVerifierChallenge.isFresh(now.addingTimeInterval(300), now: now))
        #expect(!PasswordVerifierChallenge.isFresh(now.addingTimeInterval(-301), now: now))
        #expect(!PasswordVerifierChallenge.isFresh(now.addingTimeInterval(301), now: now))
    }

    @Test func theKeySurvivesTheSealedJSON() throws {
        let original = challenge()
        let decoded = try JSONDecoder().decode(PasswordVerifierChallenge.self, from: try JSONEncoder().encode(original))
        #expect(decoded == original)
        #expect(decoded.sessionKeyBytes == Array(1...16))
    }

    @Test func aDecoyUserIdIsTheTypedNameUnlessUsernamesAreAliases() {
        let seed = Array(UInt8(0)..<32)
        #expect(PasswordVerifierChallenge.decoyUserID(login: "ghost", usernamesAreAliases: false, seed: seed) == "ghost")
        let id = PasswordVerifierChallenge.decoyUserID(login: "ghost@example.com", usernamesAreAliases: true, seed: seed)
        #expect(id == PasswordVerifierChallenge.decoyUserID(login: "other@example.com", usernamesAreAliases: true, seed: seed))
        #expect(UUID(uuidString: id) != nil)
        #expect(id == id.lowercased())
        #expect(Array(id)[14] == "4", "a version-4 UUID, like the subs Postern draws")
        #expect(id != PasswordVerifierChallenge.decoyUserID(login: "x", usernamesAreAliases: true, seed: Array(1...32)))
    }
}
