import Foundation
import PosternCore
import Testing

/// The IAM OpenID Connect provider write model: URL rules (https, or http on loopback only; no query,
/// fragment, user info or dot segments), client ids and thumbprints as IAM limits them, idempotent client
/// id changes, tags, and the audience rule STS applies; `evolve` folds what the decisions return.
@Suite struct IAMOpenIDConnectProviderTests {
    let account = "123456789012"

    func provider(_ url: String = "https://login.example.com/tenant", clientIds: [String] = ["app"]) throws -> IAMOpenIDConnectProvider {
        let event = try IAMOpenIDConnectProvider.create(url: url, clientIds: clientIds, thumbprints: [], tags: [], existing: 0)
        return try #require(IAMOpenIDConnectProvider.evolve(nil, with: event))
    }

    func error(_ body: () throws -> Void) -> IAMError? {
        do {
            try body()
            return nil
        } catch {
            return error as? IAMError
        }
    }

    @Test func theARNAndURLDropTheScheme() throws {
        let provider = try provider("https://Login.Example.com/tenant")
        #expect(provider.url == "login.example.com/tenant" && provider.issuer == "https://login.example.com/tenant")
        #expect(provider.arn(account: account) == "arn:aws:iam::123456789012:oidc-provider/login.example.com/tenant")
        #expect(Stream.iamOpenIDConnectProvider(provider.url) == "iamoidc-login.example.com/tenant")
    }

    @Test func aPortAndATrailingSlashlessRootAreKept() throws {
        #expect(try provider("https://login.example.com:8443").url == "login.example.com:8443")
        #expect(try provider("https://login.example.com/").url == "login.example.com")
    }

    @Test(arguments: [
        "http://login.example.com", "ftp://login.example.com", "https://login.example.com?x=1", "https://login.example.com#f",
        "https://user@login.example.com", "https://login.example.com/a/../b", "https://login.example.com//a", "login.example.com",
    ])
    func urlsThatAreNotPlainHTTPSAreRefused(url: String) {
        #expect(error { _ = try IAMOpenIDConnectProvider.parseURL(url) }?.code == "InvalidInput")
    }

    @Test(arguments: ["http://127.0.0.1:9000/realm", "http://localhost:8080", "http://idp.localhost"])
    func plainHTTPIsAllowedOnLoopbackOnly(url: String) throws {
        let (issuer, _) = try IAMOpenIDConnectProvider.parseURL(url)
        #expect(issuer == url)
    }

    @Test func anEmptyOrLongURLIsAValidationError() {
        #expect(error { _ = try IAMOpenIDConnectProvider.parseURL("") }?.code == "ValidationError")
        #expect(error { _ = try IAMOpenIDConnectProvider.parseURL("https://" + String(repeating: "a", count: 250)) }?.code == "ValidationError")
    }

    @Test func thumbprintsAreFortyHexDigitsAtMostFive() {
        func create(_ thumbprints: [String]) -> IAMError? {
            error {
                _ = try IAMOpenIDConnectProvider.create(url: "https://a.example", clientIds: [], thumbprints: thumbprints, tags: [], existing: 0)
            }
        }
        #expect(create(["abc"])?.code == "ValidationError")
        #expect(create([String(repeating: "g", count: 40)])?.code == "InvalidInput")
        #expect(create((0..<6).map { _ in String(repeating: "a", count: 40) })?.code == "LimitExceeded")
        #expect(create([String(repeating: "A", count: 40)]) == nil)
    }

    @Test func clientIdsAreDistinctAndLimited() throws {
        let created = try IAMOpenIDConnectProvider.create(
            url: "https://a.example", clientIds: ["x", "y", "x"], thumbprints: [], tags: [], existing: 0)
        #expect(created.clientIds == ["x", "y"])
        #expect(
            error { _ = try IAMOpenIDConnectProvider.create(url: "https://a.example", clientIds: [""], thumbprints: [], tags: [], existing: 0) }?
                .code == "ValidationError")
        #expect(
            error {
                _ = try IAMOpenIDConnectProvider.create(
                    url: "https://a.example", clientIds: (0...100).map(String.init), thumbprints: [], tags: [], existing: 0)
            }?.code == "LimitExceeded")
    }

    @Test func anAccountHoldsAtMostAHundredProviders() {
        #expect(
            error { _ = try IAMOpenIDConnectProvider.create(url: "https://a.example", clientIds: [], thumbprints: [], tags: [], existing: 100) }?
                .code == "LimitExceeded")
    }

    @Test func addingAndRemovingClientIdsIsIdempotent() throws {
        var provider = try provider()
        #expect(try provider.addClientId("app") == nil)
        let added = try #require(try provider.addClientId("mobile"))
        provider = try #require(IAMOpenIDConnectProvider.evolve(provider, with: added))
        #expect(provider.clientIds == ["app", "mobile"] && provider.version == 2)
        #expect(try provider.removeClientId("never") == nil)
        let removed = try #require(try provider.removeClientId("app"))
        provider = try #require(IAMOpenIDConnectProvider.evolve(provider, with: removed))
        #expect(provider.clientIds == ["mobile"])
    }

    @Test func tagsMergeRegardlessOfCaseAndUntagIgnoresMissingKeys() throws {
        var provider = try provider()
        provider = try #require(IAMOpenIDConnectProvider.evolve(provider, with: try provider.tag([("Team", "a")])))
        provider = try #require(IAMOpenIDConnectProvider.evolve(provider, with: try provider.tag([("team", "b")])))
        #expect(provider.tags == ["team": "b"])
        provider = try #require(IAMOpenIDConnectProvider.evolve(provider, with: try provider.untag(["TEAM", "missing"])))
        #expect(provider.tags.isEmpty)
        #expect(error { _ = try provider.tag([]) }?.code == "ValidationError")
    }

    @Test func deletingFoldsToNothing() throws {
        let provider = try provider()
        #expect(IAMOpenIDConnectProvider.evolve(provider, with: provider.delete()) == nil)
    }

    @Test func theAudienceIsAnyAudOrTheAuthorizedParty() throws {
        let provider = try provider(clientIds: ["app"])
        #expect(provider.acceptsAudience(aud: ["app"], azp: nil))
        #expect(provider.acceptsAudience(aud: ["other", "app"], azp: nil))
        #expect(provider.acceptsAudience(aud: ["other"], azp: "app"))
        #expect(!provider.acceptsAudience(aud: ["other"], azp: "another"))
        #expect(!provider.acceptsAudience(aud: [], azp: nil))
    }
}
