import Foundation
import Testing

@testable import PosternCore

@Suite struct RefreshTokenGrantTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    func token(client: ClientID = "web", expiresIn: TimeInterval = 3600, revoked: Bool = false) -> StoredRefreshToken {
        StoredRefreshToken(
            sub: "0b1c", clientId: client, originJti: "origin", authTime: t0.addingTimeInterval(-60), expiresAt: t0.addingTimeInterval(expiresIn),
            revokedAt: revoked ? t0.addingTimeInterval(-1) : nil)
    }

    func account(enabled: Bool = true, pool: UserPoolID = "us-east-1_abc") -> UserAccount {
        UserAccount(sub: "0b1c", poolId: pool, status: .confirmed, enabled: enabled, hasPassword: true, version: 4)
    }

    @Test func onlyTheClientTheTokenWasIssuedToMayPresentIt() throws {
        #expect(try RefreshTokenGrant.identify(token(), client: "web") == token())
        #expect(throws: RefreshTokenGrant.invalid) { try RefreshTokenGrant.identify(token(), client: "other") }
        #expect(throws: RefreshTokenGrant.invalid) { try RefreshTokenGrant.identify(nil, client: "web") }
    }

    @Test func aUsableTokenRecordsTheRefreshOfItsSignIn() throws {
        let events = try RefreshTokenGrant.decideRefresh(token(), account: account(), pool: "us-east-1_abc", now: t0)
        let refreshed = try #require(events.first as? TokensRefreshed)
        #expect(events.count == 1 && refreshed.clientId == "web" && refreshed.originJti == "origin" && refreshed.hooks == nil)
    }

    @Test func revokedExpiredDisabledOrForeignTokensAreRefused() {
        #expect(throws: DomainError.notAuthorized("Refresh Token has been revoked")) {
            try RefreshTokenGrant.decideRefresh(token(revoked: true), account: account(), pool: "us-east-1_abc", now: t0)
        }
        #expect(throws: DomainError.notAuthorized("Refresh Token has expired")) {
            try RefreshTokenGrant.decideRefresh(token(expiresIn: 0), account: account(), pool: "us-east-1_abc", now: t0)
        }
        #expect(throws: DomainError.notAuthorized("User is disabled.")) {
            try RefreshTokenGrant.decideRefresh(token(), account: account(enabled: false), pool: "us-east-1_abc", now: t0)
        }
        // A deleted user, or a user of another pool, makes the token as invalid as an unknown one.
        #expect(throws: RefreshTokenGrant.invalid) { try RefreshTokenGrant.decideRefresh(token(), account: nil, pool: "us-east-1_abc", now: t0) }
        #expect(throws: RefreshTokenGrant.invalid) {
            try RefreshTokenGrant.decideRefresh(token(), account: account(pool: "us-east-1_xyz"), pool: "us-east-1_abc", now: t0)
        }
    }

    @Test func revokingIsIdempotentAndOnlyForTheIssuingClient() throws {
        let revoked = try #require(try RefreshTokenGrant.decideRevoke(token(), client: "web").first as? RefreshTokenRevoked)
        #expect(revoked.originJti == "origin")
        #expect(try RefreshTokenGrant.decideRevoke(token(revoked: true), client: "web").isEmpty)
        #expect(try RefreshTokenGrant.decideRevoke(nil, client: "web").isEmpty)
        #expect(throws: DomainError.unauthorized("The token was not issued to this client.")) {
            try RefreshTokenGrant.decideRevoke(token(), client: "other")
        }
    }
}
