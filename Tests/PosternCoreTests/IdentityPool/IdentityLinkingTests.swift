import Foundation
import PosternCore
import Testing

/// How logins resolve to identities (GetId, GetOpenIdToken, the developer flow, unlink and merge), decided
/// without a database from the identities the logins already belong to.
@Suite struct IdentityLinkingTests {
    let poolId = IdentityPoolID("us-east-1:11111111-2222-4333-8444-555555555555")
    let newId = IdentityID("us-east-1:00000000-0000-4000-8000-000000000001")
    let userPool = "cognito-idp.us-east-1.amazonaws.com/us-east-1_abc"
    let developerProvider = "login.example"

    func pool(guests: Bool = true) -> IdentityPoolConfiguration {
        IdentityPoolConfiguration(
            id: poolId,
            settings: .object([
                "IdentityPoolName": "pool", "AllowUnauthenticatedIdentities": .bool(guests), "DeveloperProviderName": .string(developerProvider),
            ]), version: 1)
    }

    func login(_ subject: String, provider: String? = nil) -> VerifiedLogin {
        VerifiedLogin(provider: provider ?? userPool, subject: subject, subjectKey: "key-\(provider ?? userPool)-\(subject)")
    }

    func identity(_ n: Int, _ logins: [VerifiedLogin] = [], version: Int = 3) -> PoolIdentity {
        PoolIdentity(
            id: IdentityID("us-east-1:00000000-0000-4000-8000-00000000000\(n + 1)"), poolId: poolId, logins: Set(logins.map(\.key)),
            version: version)
    }

    func owners(_ identities: PoolIdentity...) -> [LoginKey: PoolIdentity] {
        var owners: [LoginKey: PoolIdentity] = [:]
        for identity in identities { for key in identity.logins { owners[key] = identity } }
        return owners
    }

    func error(_ body: () throws -> Void) -> DomainError? {
        do {
            try body()
            return nil
        } catch {
            return error as? DomainError
        }
    }

    // MARK: GetId

    @Test func guestGetsANewIdentityWithoutLogins() throws {
        let resolution = try IdentityLinking.getId(pool: pool(), logins: [], owners: [:], newId: newId)
        #expect(resolution.identity == newId && resolution.version == 0 && !resolution.authenticated)
        #expect(resolution.created == IdentityCreated(identityId: newId, identityPoolId: poolId, logins: []))
        #expect(resolution.linked == nil)
    }

    @Test func guestIsRefusedWhenThePoolHasNoGuests() {
        #expect(
            error { _ = try IdentityLinking.getId(pool: pool(guests: false), logins: [], owners: [:], newId: newId) }
                == .notAuthorized(IdentityLinking.unauthenticatedNotSupported))
    }

    @Test func newLoginMakesAnIdentityHoldingIt() throws {
        let alice = login("alice")
        let resolution = try IdentityLinking.getId(pool: pool(guests: false), logins: [alice, alice], owners: [:], newId: newId)
        #expect(resolution.authenticated)
        #expect(resolution.created?.logins == [IdentityLogin(provider: userPool, subjectKey: alice.subjectKey, subject: .plaintext("alice"))])
    }

    @Test func knownLoginResolvesToItsIdentityAndChangesNothing() throws {
        let owner = identity(1, [login("alice")])
        let resolution = try IdentityLinking.getId(pool: pool(), logins: [login("alice")], owners: owners(owner), newId: newId)
        #expect(resolution.identity == owner.id && resolution.version == 3 && resolution.events.isEmpty)
    }

    @Test func aSecondLoginIsLinkedToTheIdentityOfTheFirst() throws {
        let owner = identity(1, [login("alice")])
        let developer = login("u-1", provider: developerProvider)
        let resolution = try IdentityLinking.getId(pool: pool(), logins: [login("alice"), developer], owners: owners(owner), newId: newId)
        #expect(resolution.identity == owner.id)
        #expect(resolution.linked?.logins.map(\.key) == [developer.key])
    }

    @Test func loginsOfTwoIdentitiesConflict() {
        let first = identity(1, [login("alice")])
        let second = identity(2, [login("u-1", provider: developerProvider)])
        #expect(
            error {
                _ = try IdentityLinking.getId(
                    pool: pool(), logins: [login("alice"), login("u-1", provider: developerProvider)], owners: owners(first, second), newId: newId)
            } == .resourceConflict("The logins belong to different identities."))
    }

    @Test func anIdentityHoldsOneUserOfAProvider() {
        let owner = identity(1, [login("alice")])
        let found = error {
            _ = try IdentityLinking.use(owner, pool: pool(), logins: [login("alice"), login("bob")], provenBy: nil, owners: owners(owner))
        }
        #expect(found == .resourceConflict("The identity already has a login of \(userPool)."))
    }

    // MARK: Using an identity

    @Test func aGuestIdentityIsUsedWithoutLogins() throws {
        let guest = identity(1)
        let resolution = try IdentityLinking.use(guest, pool: pool(), logins: [], provenBy: nil, owners: [:])
        #expect(resolution.identity == guest.id && !resolution.authenticated && resolution.events.isEmpty)
        #expect(
            error { _ = try IdentityLinking.use(guest, pool: pool(guests: false), logins: [], provenBy: nil, owners: [:]) }
                == .notAuthorized(IdentityLinking.unauthenticatedNotSupported))
    }

    @Test func anAuthenticatedIdentityNeedsOneOfItsLogins() {
        let owner = identity(1, [login("alice")])
        #expect(
            error { _ = try IdentityLinking.use(owner, pool: pool(), logins: [], provenBy: nil, owners: owners(owner)) }
                == .notAuthorized(IdentityLinking.loginsDoNotMatch))
        // A new user's login cannot take someone else's identity.
        #expect(
            error { _ = try IdentityLinking.use(owner, pool: pool(), logins: [login("mallory")], provenBy: nil, owners: owners(owner)) }
                == .notAuthorized(IdentityLinking.loginsDoNotMatch))
    }

    @Test func aGuestPresentingANewLoginTakesIt() throws {
        let guest = identity(1)
        let resolution = try IdentityLinking.use(guest, pool: pool(), logins: [login("alice")], provenBy: nil, owners: [:])
        #expect(resolution.identity == guest.id && resolution.authenticated)
        #expect(resolution.linked?.logins.map(\.subject) == [.plaintext("alice")])
    }

    @Test func aGuestPresentingAnotherIdentitysLoginGetsThatIdentity() throws {
        let guest = identity(1)
        let owner = identity(2, [login("alice")], version: 7)
        let resolution = try IdentityLinking.use(guest, pool: pool(), logins: [login("alice")], provenBy: nil, owners: owners(owner))
        #expect(resolution.identity == owner.id && resolution.version == 7 && resolution.events.isEmpty)
    }

    @Test func anIdentityPoolTokenProvesOnlyItsOwnIdentity() throws {
        let owner = identity(1, [login("u-1", provider: developerProvider)])
        let resolution = try IdentityLinking.use(owner, pool: pool(), logins: [], provenBy: owner.id, owners: [:])
        #expect(resolution.identity == owner.id && resolution.authenticated)
        #expect(
            error { _ = try IdentityLinking.use(owner, pool: pool(), logins: [], provenBy: identity(2).id, owners: [:]) }
                == .notAuthorized("Invalid login token. The token does not belong to this identity."))
    }

    // MARK: Developer identities

    @Test func aDeveloperUserOfAnotherIdentityCannotBeLinked() {
        let owner = identity(1, [login("u-1", provider: developerProvider)])
        let guest = identity(2)
        #expect(
            error {
                _ = try IdentityLinking.developer(
                    pool: pool(), developer: login("u-1", provider: developerProvider), others: [], requested: guest, owners: owners(owner),
                    newId: newId)
            } == .developerUserAlreadyRegistered("The developer user is already registered with another identity."))
    }

    @Test func aDeveloperUserLinksTheRequestedIdentity() throws {
        let guest = identity(2)
        let resolution = try IdentityLinking.developer(
            pool: pool(), developer: login("u-1", provider: developerProvider), others: [login("alice")], requested: guest, owners: [:],
            newId: newId)
        #expect(resolution.identity == guest.id)
        #expect(resolution.linked?.logins.map(\.provider) == [developerProvider, userPool])
    }

    @Test func anIdentityHoldsSeveralDeveloperUsers() throws {
        let owner = identity(1, [login("u-1", provider: developerProvider)])
        let resolution = try IdentityLinking.use(
            owner, pool: pool(), logins: [login("u-1", provider: developerProvider), login("u-2", provider: developerProvider)], provenBy: nil,
            owners: owners(owner))
        #expect(resolution.linked?.logins.map(\.subject) == [.plaintext("u-2")])
    }

    // MARK: Unlink and merge

    @Test func unlinkRemovesTheNamedProvidersButNotTheDeveloperOne() throws {
        let alice = login("alice")
        let developer = login("u-1", provider: developerProvider)
        let owner = identity(1, [alice, developer])
        let unlinked = try IdentityLinking.unlink(owner, pool: pool(), logins: [alice], providers: [userPool, developerProvider])
        #expect(unlinked == IdentityLoginsUnlinked(identityId: owner.id, identityPoolId: poolId, logins: [alice.key]))
        #expect(try IdentityLinking.unlink(owner, pool: pool(), logins: [alice], providers: ["accounts.google.com"]) == nil)
        #expect(
            error { _ = try IdentityLinking.unlink(owner, pool: pool(), logins: [login("mallory")], providers: [userPool]) }
                == .notAuthorized(IdentityLinking.loginsDoNotMatch))
    }

    @Test func mergeMovesTheSourceUserToTheDestinationIdentity() throws {
        let source = login("source", provider: developerProvider)
        let from = identity(1, [source])
        let into = identity(2, [login("dest", provider: developerProvider)])
        let merged = try #require(IdentityLinking.merge(source: source, of: from, into: into, pool: pool()))
        #expect(merged.unlinked == IdentityLoginsUnlinked(identityId: from.id, identityPoolId: poolId, logins: [source.key], mergedInto: into.id))
        #expect(merged.linked.identityId == into.id && merged.linked.logins.map(\.key) == [source.key])
        #expect(IdentityLinking.merge(source: source, of: from, into: from, pool: pool()) == nil)
    }
}
