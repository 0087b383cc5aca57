import Foundation
import PosternCore
import Testing

// Literals for requests, as the wire writes them (test-only: the sources build JSON explicitly).
extension JSONValue: ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral,
    ExpressibleByDictionaryLiteral
{
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) { self = .object(Dictionary(uniqueKeysWithValues: elements)) }
}

/// The identity pool's write model: creation, update, roles, tags and principal-tag maps, decided without
/// a database; `evolve` folds what `decide` returns.
@Suite struct IdentityPoolConfigurationTests {
    let id = IdentityPoolID("us-east-1:11111111-2222-4333-8444-555555555555")
    let userPool = "cognito-idp.us-east-1.amazonaws.com/us-east-1_abc"

    func request(_ members: [String: JSONValue]) -> [String: JSONValue] {
        ["IdentityPoolName": "pool one", "AllowUnauthenticatedIdentities": false].merging(members) { _, new in new }
    }

    func created(_ members: [String: JSONValue] = [:]) throws -> IdentityPoolConfiguration {
        let event = try IdentityPoolConfiguration.create(id: id, request: request(members))
        return try #require(IdentityPoolConfiguration.fold([event]))
    }

    static func same(_ first: String, _ second: String) -> Bool { first == second }

    func message(_ body: () throws -> Void) -> DomainError? {
        do {
            try body()
            return nil
        } catch {
            return error as? DomainError
        }
    }

    @Test func createKeepsEveryMemberWithDefaults() throws {
        let pool = try created([
            "AllowClassicFlow": true, "DeveloperProviderName": "login.example",
            "CognitoIdentityProviders": [["ProviderName": .string(userPool), "ClientId": "abc123"]],
            "IdentityPoolTags": ["team": "identity"],
        ])
        #expect(pool.version == 1)
        #expect(pool.name == "pool one")
        #expect(pool.allowsClassicFlow && !pool.allowsGuests)
        #expect(pool.developerProviderName == "login.example")
        #expect(pool.cognitoIdentityProviders == [.init(providerName: userPool, clientId: "abc123", serverSideTokenCheck: false)])
        #expect(pool.tags == ["team": "identity"])
        #expect(pool.settings["SupportedLoginProviders"] == .object([:]))
        #expect(pool.arn(account: "123456789012") == "arn:aws:cognito-identity:us-east-1:123456789012:identitypool/\(id.rawValue)")
    }

    @Test func everyModelViolationIsReportedAtOnce() {
        let error = message {
            _ = try IdentityPoolConfiguration.create(
                id: id, request: ["IdentityPoolName": "bad/name", "AllowUnauthenticatedIdentities": false, "DeveloperProviderName": "bad name"])
        }
        guard case .modelValidation(let text) = error else {
            Issue.record("expected a model validation error, got \(String(describing: error))"); return
        }
        #expect(text.hasPrefix("2 validation errors detected: Value 'bad/name' at 'identityPoolName' failed to satisfy constraint"))
        #expect(text.contains("Value 'bad name' at 'developerProviderName'"))
    }

    @Test func aMissingRequiredMemberIsNull() {
        let error = message { _ = try IdentityPoolConfiguration.create(id: id, request: ["IdentityPoolName": "x"]) }
        #expect(
            error
                == .modelValidation(
                    "1 validation error detected: Value null at 'allowUnauthenticatedIdentities' failed to satisfy constraint: Member must not be null"
                ))
    }

    @Test func updateClearsOmittedMembersButKeepsTheDeveloperProvider() throws {
        let pool = try created(["AllowClassicFlow": true, "DeveloperProviderName": "login.example", "IdentityPoolTags": ["a": "b"]])
        let updated = try pool.update(request: request(["IdentityPoolName": "renamed"]))
        let after = try #require(IdentityPoolConfiguration.evolve(pool, with: updated))
        #expect(after.name == "renamed" && !after.allowsClassicFlow)
        #expect(after.developerProviderName == "login.example")
        #expect(after.tags == ["a": "b"])
        #expect(after.version == 2)
        #expect(message { _ = try pool.update(request: request(["DeveloperProviderName": "other"])) } != nil)
    }

    @Test func rolesNeedRoleARNsAndMappingsNeedConfiguredProviders() throws {
        let pool = try created(["CognitoIdentityProviders": [["ProviderName": .string(userPool), "ClientId": "abc123"]]])
        let role = "arn:aws:iam::123456789012:role/Cognito_Auth"
        let set = try pool.setRoles(
            request: [
                "Roles": ["authenticated": .string(role)],
                "RoleMappings": [
                    JSONValue.string("\(userPool):abc123").stringValue!: ["Type": "Token", "AmbiguousRoleResolution": "AuthenticatedRole"]
                ],
            ], sameProvider: Self.same)
        #expect(IdentityPoolConfiguration.evolve(pool, with: set)?.roles == ["authenticated": role])
        #expect(
            message { _ = try pool.setRoles(request: ["Roles": ["authenticated": "my-stack-Role-ABCDEFGHIJ"]], sameProvider: Self.same) }
                == .notAuthorized("Access to Role 'my-stack-Role-ABCDEFGHIJ' is forbidden."))
        let unknown = message {
            _ = try pool.setRoles(
                request: ["Roles": [:], "RoleMappings": ["accounts.google.com": ["Type": "Token", "AmbiguousRoleResolution": "Deny"]]],
                sameProvider: Self.same)
        }
        #expect(unknown == .invalidParameter("accounts.google.com is not a valid RoleMapping ProviderName or is not a configured provider."))
        let ambiguous = message {
            _ = try pool.setRoles(
                request: ["Roles": [:], "RoleMappings": [JSONValue.string("\(userPool):abc123").stringValue!: ["Type": "Token"]]],
                sameProvider: Self.same)
        }
        guard case .invalidParameter = ambiguous else { Issue.record("AmbiguousRoleResolution is required"); return }
        let badKey = message { _ = try pool.setRoles(request: ["Roles": ["owner": .string(role)]], sameProvider: Self.same) }
        guard case .modelValidation = badKey else { Issue.record("a roles key is authenticated or unauthenticated"); return }
    }

    @Test func tagsMergeUpToFiftyAndUntagRemovesOnlyNamedKeys() throws {
        let pool = try created(["IdentityPoolTags": ["a": "1", "b": "2"]])
        let tagged = try pool.tag(["b": "3", "c": ""])
        #expect(tagged.tags == ["a": "1", "b": "3", "c": ""])
        #expect(try pool.untag(["a", "zz"]).tags == ["b": "2"])
        let full = try created(["IdentityPoolTags": .object(Dictionary(uniqueKeysWithValues: (0..<50).map { ("k\($0)", JSONValue.string("v")) }))])
        #expect(message { _ = try full.tag(["one-more": "v"]) } != nil)
    }

    @Test func principalTagMapsArePerProvider() throws {
        let pool = try created()
        let set = try pool.setPrincipalTags(provider: "accounts.google.com", useDefaults: false, tags: ["email": "email"])
        let after = try #require(IdentityPoolConfiguration.evolve(pool, with: set))
        #expect(after.principalTags["accounts.google.com"] == .init(useDefaults: false, tags: ["email": "email"]))
        #expect(IdentityPoolConfiguration.evolve(after, with: after.delete()) == nil)
    }
}
