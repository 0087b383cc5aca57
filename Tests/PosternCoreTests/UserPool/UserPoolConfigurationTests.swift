import Foundation
import Testing

@testable import PosternCore

@Suite struct UserPoolConfigurationTests {
    let poolId: UserPoolID = "us-east-1_abc123"
    let keys = [
        SealedSigningKey(kid: "k1", use: "id", sealedPrivateKey: "sealed-1"),
        SealedSigningKey(kid: "k2", use: "access", sealedPrivateKey: "sealed-2"),
    ]

    /// A pool as CreateUserPool makes it from `request`, at stream version `version`.
    func pool(_ request: [String: JSONValue] = [:], version: Int = 1) throws -> UserPoolConfiguration {
        UserPoolConfiguration(poolId: poolId, name: "pool", settings: try UserPoolSettings.forNewPool(request: request), version: version)
    }

    func created(_ request: [String: JSONValue] = [:]) throws -> UserPoolCreated {
        UserPoolCreated(poolId: poolId, name: "pool", settings: try UserPoolSettings.forNewPool(request: request).json, signingKeys: keys)
    }

    // MARK: evolve

    @Test func creationStartsTheStateAtVersionOne() throws {
        let state = try #require(UserPoolConfiguration.evolve(nil, with: try created(["DeletionProtection": "ACTIVE"])))
        #expect(state.poolId == poolId)
        #expect(state.name == "pool")
        #expect(state.version == 1)
        #expect(state.deletionProtected)
    }

    @Test func anUpdateReplacesTheSettingsAndMovesTheVersion() throws {
        let protected = try UserPoolSettings.forNewPool(request: ["DeletionProtection": "ACTIVE"])
        let state = UserPoolConfiguration.fold([try created(), UserPoolUpdated(poolId: poolId, settings: protected.json)])
        #expect(state?.settings == protected)
        #expect(state?.deletionProtected == true)
        #expect(state?.version == 2)
    }

    @Test func nothingExistsBeforeCreationOrAfterDeletion() throws {
        #expect(UserPoolConfiguration.evolve(nil, with: UserPoolUpdated(poolId: poolId, settings: .object([:]))) == nil)
        #expect(UserPoolConfiguration.evolve(nil, with: UserPoolDeleted(poolId: poolId)) == nil)
        #expect(UserPoolConfiguration.fold([try created(), UserPoolDeleted(poolId: poolId)]) == nil)
        #expect(UserPoolConfiguration.fold([]) == nil)
    }

    @Test func eventsThatSayNothingOfThePoolOnlyMoveTheVersion() throws {
        let state = UserPoolConfiguration.fold([try created(), AdminKeyRevoked(accessKeyId: "AKIAEXAMPLE")])
        #expect(state?.version == 2)
        #expect(state?.settings == (try pool()).settings)
    }

    // MARK: create

    @Test func creationCarriesTheDrawnIdTheKeysAndTheSettings() throws {
        let settings = try UserPoolConfiguration.settings(forNewPoolNamed: "My pool+=,.@-_1", request: ["MfaConfiguration": "OPTIONAL"])
        let event = try UserPoolConfiguration.create(name: "My pool+=,.@-_1", settings: settings, context: .init(poolId: poolId, signingKeys: keys))
        #expect(event.poolId == poolId)
        #expect(event.name == "My pool+=,.@-_1")
        #expect(event.signingKeys == keys)
        #expect(event.settings["MfaConfiguration"] == "OPTIONAL")
        #expect(UserPoolConfiguration.evolve(nil, with: event)?.settings == settings)
    }

    @Test(arguments: ["", String(repeating: "p", count: 129), "pool/name", "pool#1", "pööl?"])
    func aPoolNameOutsideTheModelIsRefused(name: String) throws {
        let error = DomainError.validation("poolName", "Member must satisfy regular expression pattern: [\\w\\s+=,.@-]+")
        #expect(throws: error) { try UserPoolConfiguration.settings(forNewPoolNamed: name, request: [:]) }
        #expect(throws: error) {
            try UserPoolConfiguration.create(name: name, settings: try pool().settings, context: .init(poolId: poolId, signingKeys: keys))
        }
    }

    @Test func theNameIsCheckedBeforeTheSettings() {
        #expect(throws: DomainError.validation("poolName", "Member must satisfy regular expression pattern: [\\w\\s+=,.@-]+")) {
            try UserPoolConfiguration.settings(forNewPoolNamed: "bad/name", request: ["MfaConfiguration": "SOMETIMES"])
        }
        #expect(throws: DomainError.validation("mfaConfiguration", "Member must satisfy enum value set: [OFF, ON, OPTIONAL]")) {
            try UserPoolConfiguration.settings(forNewPoolNamed: "good", request: ["MfaConfiguration": "SOMETIMES"])
        }
    }

    // MARK: update

    @Test func anUpdateResetsOmittedSettingsAndKeepsTheFixedOnes() throws {
        let state = try pool(["UsernameAttributes": .array(["email"]), "MfaConfiguration": "OPTIONAL"])
        let event = try UserPoolConfiguration.update(state, request: ["UserPoolId": .string(poolId.rawValue), "DeletionProtection": "ACTIVE"])
        #expect(event.poolId == poolId)
        let settings = UserPoolSettings(json: event.settings)
        #expect(settings.deletionProtected)
        #expect(settings.json["MfaConfiguration"] == "OFF")
        #expect(settings.usernameAttributes == ["email"])
        #expect(settings.schema == state.settings.schema)
    }

    @Test func anUpdateWithAPolicyOutsideTheModelIsRefused() throws {
        #expect(throws: DomainError.validation("policies.passwordPolicy.minimumLength", "Member must have value between 6 and 99")) {
            try UserPoolConfiguration.update(try pool(), request: ["Policies": .object(["PasswordPolicy": .object(["MinimumLength": .int(5)])])])
        }
    }

    // MARK: setMFAConfig

    @Test func settingTheMFAConfigurationReplacesTheFactors() throws {
        let event = try UserPoolConfiguration.setMFAConfig(
            try pool(), request: ["MfaConfiguration": "ON", "SoftwareTokenMfaConfiguration": .object(["Enabled": .bool(true)])])
        let description = UserPoolSettings(json: event.settings).mfaConfigurationDescription
        #expect(event.poolId == poolId)
        #expect(description["MfaConfiguration"] == "ON")
        #expect(description["SoftwareTokenMfaConfiguration"]?["Enabled"] == .bool(true))
    }

    @Test func mfaCannotBeOffWithAFactorNorOnWithout() throws {
        #expect(throws: DomainError.invalidParameter("Invalid MFA configuration given, can't turn off MFA and configure an MFA together.")) {
            try UserPoolConfiguration.setMFAConfig(
                try pool(), request: ["MfaConfiguration": "OFF", "SoftwareTokenMfaConfiguration": .object(["Enabled": .bool(true)])])
        }
        #expect(
            throws: DomainError.invalidParameter(
                "Invalid MFA configuration given, can't disable all MFAs with a required or optional configuration.")
        ) {
            try UserPoolConfiguration.setMFAConfig(try pool(), request: ["MfaConfiguration": "OPTIONAL"])
        }
    }

    // MARK: delete

    @Test func aPoolWithoutDeletionProtectionIsDeleted() throws {
        let event = try UserPoolConfiguration.delete(try pool())
        #expect(event.poolId == poolId)
        #expect(UserPoolConfiguration.evolve(try pool(), with: event) == nil)
    }

    @Test func deletionProtectionRefusesTheDeletion() throws {
        #expect(throws: DomainError.invalidParameter("The user pool us-east-1_abc123 has deletion protection enabled.")) {
            try UserPoolConfiguration.delete(try pool(["DeletionProtection": "ACTIVE"]))
        }
    }
}
