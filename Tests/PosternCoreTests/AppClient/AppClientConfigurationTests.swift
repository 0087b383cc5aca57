import Foundation
import Testing

@testable import PosternCore

@Suite struct AppClientConfigurationTests {
    let poolId: UserPoolID = "us-east-1_abc123"
    let clientId: ClientID = "0123456789abcdefghijklmnop"
    let generated = String(repeating: "g", count: 51)
    let schema = StandardAttributes.all

    var context: AppClientConfiguration.CreationContext { .init(clientId: clientId, generatedSecret: generated) }

    /// A client as CreateUserPoolClient makes it from `request`, at stream version `version`.
    func client(_ request: [String: JSONValue] = ["ClientName": "web"], version: Int = 1) throws -> AppClientConfiguration {
        AppClientConfiguration(clientId: clientId, poolId: poolId, settings: try ClientSettings.from(request: request), version: version)
    }

    func create(_ request: [String: JSONValue]) throws -> AppClientConfiguration.Creation {
        try AppClientConfiguration.create(poolId: poolId, schema: schema, request: request, context: context)
    }

    // MARK: evolve

    @Test func creationStartsTheStateAndUpdatesReplaceTheSettings() throws {
        let first = try ClientSettings.from(request: ["ClientName": "web"])
        let second = try ClientSettings.from(request: ["ClientName": "mobile", "AuthSessionValidity": .int(10)])
        let created = UserPoolClientCreated(poolId: poolId, clientId: clientId, settings: first.json, sealedSecret: nil)
        let state = try #require(AppClientConfiguration.evolve(nil, with: created))
        #expect(state == AppClientConfiguration(clientId: clientId, poolId: poolId, settings: first, version: 1))
        let updated = AppClientConfiguration.fold([created, UserPoolClientUpdated(poolId: poolId, clientId: clientId, settings: second.json)])
        #expect(updated?.settings == second)
        #expect(updated?.name == "mobile")
        #expect(updated?.version == 2)
    }

    @Test func nothingExistsBeforeCreationOrAfterDeletion() throws {
        let created = UserPoolClientCreated(poolId: poolId, clientId: clientId, settings: try client().settings.json, sealedSecret: "sealed")
        #expect(AppClientConfiguration.evolve(nil, with: UserPoolClientDeleted(poolId: poolId, clientId: clientId)) == nil)
        #expect(AppClientConfiguration.evolve(nil, with: UserPoolClientUpdated(poolId: poolId, clientId: clientId, settings: .object([:]))) == nil)
        #expect(AppClientConfiguration.fold([created, UserPoolClientDeleted(poolId: poolId, clientId: clientId)]) == nil)
    }

    // MARK: create

    @Test func aPublicClientHasNoSecret() throws {
        let creation = try create(["ClientName": "web", "UserPoolId": .string(poolId.rawValue)])
        #expect(creation.secret == nil)
        #expect(creation.settings.json["ExplicitAuthFlows"] == .array(["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH"]))
        let event = creation.event(sealingSecretWith: { _ in
            Issue.record("nothing to seal"); return ""
        })
        #expect(event.poolId == poolId)
        #expect(event.clientId == clientId)
        #expect(event.sealedSecret == nil)
        #expect(event.settings == creation.settings.json)
    }

    @Test func generateSecretTakesTheDrawnSecretAndTheEventHoldsItSealed() throws {
        let creation = try create(["ClientName": "web", "GenerateSecret": .bool(true)])
        #expect(creation.secret == generated)
        #expect(creation.event(sealingSecretWith: { "sealed(\($0))" }).sealedSecret == "sealed(\(generated))")
        #expect(!creation.description.contains(generated), "the description is safe to log")
    }

    @Test func aGivenSecretIsKept() throws {
        let given = "abcdefghijklmnopqrstuvwx_+09"
        #expect(try create(["ClientName": "web", "ClientSecret": .string(given)]).secret == given)
        #expect(try create(["ClientName": "web", "ClientSecret": .string(given), "GenerateSecret": .bool(false)]).secret == given)
    }

    @Test func aGivenSecretCannotComeWithGenerateSecret() {
        #expect(throws: DomainError.invalidParameter("ClientSecret cannot be set when GenerateSecret is true.")) {
            try create(["ClientName": "web", "ClientSecret": .string(String(repeating: "s", count: 30)), "GenerateSecret": .bool(true)])
        }
    }

    @Test(arguments: [String(repeating: "s", count: 23), String(repeating: "s", count: 65), String(repeating: "s", count: 23) + "-"])
    func aGivenSecretOutsideTheModelIsRefused(secret: String) {
        #expect(throws: DomainError.validation("clientSecret", "Member must satisfy regular expression pattern: [\\w+]+")) {
            try create(["ClientName": "web", "ClientSecret": .string(secret)])
        }
    }

    @Test func theSettingsAreCheckedBeforeTheSecret() {
        #expect(throws: DomainError.validation("clientName", "Member must have length between 1 and 128")) {
            try create(["ClientSecret": "short"])
        }
    }

    @Test func attributesOutsideThePoolsSchemaAreRefused() {
        #expect(throws: DomainError.invalidParameter("Invalid read attributes specified while creating a client")) {
            try create(["ClientName": "web", "ReadAttributes": .array(["custom:missing"])])
        }
        #expect(throws: DomainError.invalidParameter("Invalid write attributes specified while creating a client")) {
            try create(["ClientName": "web", "WriteAttributes": .array(["sub"])])
        }
    }

    // MARK: update

    @Test func anUpdateKeepsTheNameWhenOmittedAndResetsTheRest() throws {
        let state = try client(["ClientName": "web", "AuthSessionValidity": .int(10)], version: 4)
        let event = try AppClientConfiguration.update(state, schema: schema, request: ["ClientId": .string(clientId.rawValue)])
        #expect(event.poolId == poolId)
        #expect(event.clientId == clientId)
        let settings = ClientSettings(json: event.settings)
        #expect(settings.name == "web")
        #expect(settings.authSessionValidity == 180)
        #expect(AppClientConfiguration.evolve(state, with: event)?.version == 5)
    }

    @Test func anUpdateMayRenameButNotBreakTheModel() throws {
        let renamed = try AppClientConfiguration.update(try client(), schema: schema, request: ["ClientName": "mobile"])
        #expect(ClientSettings(json: renamed.settings).name == "mobile")
        #expect(throws: DomainError.validation("clientName", "Member must have length between 1 and 128")) {
            try AppClientConfiguration.update(try client(), schema: schema, request: ["ClientName": ""])
        }
        #expect(throws: DomainError.invalidParameter("Invalid read attributes specified while creating a client")) {
            try AppClientConfiguration.update(try client(), schema: schema, request: ["ReadAttributes": .array(["dev:custom:x"])])
        }
    }

    // MARK: delete

    @Test func deletionEndsTheClient() throws {
        let state = try client()
        let event = AppClientConfiguration.delete(state)
        #expect(event.poolId == poolId)
        #expect(event.clientId == clientId)
        #expect(AppClientConfiguration.evolve(state, with: event) == nil)
    }
}
