import Foundation
import Testing

@testable import PosternCore

@Suite struct AttributePermissionsTests {
    let schema =
        StandardAttributes.all + [
            SchemaAttribute(name: "custom:tier"), SchemaAttribute(name: "dev:custom:secret", developerOnly: true),
        ]

    @Test func aClientWithoutListsReadsAndWritesEveryNonDeveloperAttribute() {
        let open = AttributePermissions.unrestricted
        #expect(open.mayRead("email") && open.mayRead("custom:tier") && open.mayRead("email_verified"))
        #expect(open.mayWrite("email") && open.mayWrite("custom:tier"))
        #expect(!open.mayRead("dev:custom:secret") && !open.mayWrite("dev:custom:secret"))
    }

    @Test func subIsAlwaysReadableAndNeverWritable() {
        let narrow = AttributePermissions(readable: ["email"], writable: ["email"])
        #expect(narrow.mayRead("sub"))
        #expect(!narrow.mayWrite("sub") && !AttributePermissions.unrestricted.mayWrite("sub"))
    }

    @Test func verifiedFlagsAreNeverWrittenByAClientEvenWhenListed() {
        let listed = AttributePermissions(readable: nil, writable: ["email", "email_verified"])
        #expect(!listed.mayWrite("email_verified"))
        #expect(listed.mayWrite("email"))
    }

    @Test func listsLimitReadingAndWriting() {
        let narrow = AttributePermissions(readable: ["email"], writable: ["name"])
        #expect(narrow.readable(["email": "a@b.c", "custom:tier": "gold", "dev:custom:secret": "x"]) == ["email": "a@b.c"])
        #expect(narrow.mayWrite("name") && !narrow.mayWrite("email"))
    }

    @Test func clientSettingsCarryTheLists() throws {
        let settings = try ClientSettings.from(request: [
            "ClientName": "app", "ReadAttributes": .array(["email"]), "WriteAttributes": .array(["email", "custom:tier"]),
        ])
        #expect(settings.attributePermissions == AttributePermissions(readable: ["email"], writable: ["email", "custom:tier"]))
        try settings.validateAttributePermissions(schema: schema)
        #expect(try ClientSettings.from(request: ["ClientName": "app"]).attributePermissions == .unrestricted)
    }

    @Test(arguments: [
        ["ReadAttributes": JSONValue.array(["custom:unknown"])],
        ["ReadAttributes": JSONValue.array(["dev:custom:secret"])],
        ["WriteAttributes": JSONValue.array(["dev:custom:secret"])],
        ["WriteAttributes": JSONValue.array(["sub"])],
    ])
    func listsNamingNoAttributeOfThePoolOrADeveloperOneAreRefused(lists: [String: JSONValue]) throws {
        let settings = try ClientSettings.from(request: lists.merging(["ClientName": "app"]) { first, _ in first })
        #expect(throws: DomainError.self) { try settings.validateAttributePermissions(schema: schema) }
    }

    @Test func requiredAttributesMustBeWritable() throws {
        var required = schema
        required[required.firstIndex { $0.name == "email" }!].required = true
        let settings = try ClientSettings.from(request: ["ClientName": "app", "WriteAttributes": .array(["name"])])
        #expect(throws: DomainError.self) { try settings.validateAttributePermissions(schema: required) }
    }
}

@Suite struct CodeLimitsTests {
    let start = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func aFreshUserMaySendAndGuess() {
        #expect(CodeLimits.mayIssue(nil, now: start) && CodeLimits.mayGuess(nil, now: start))
    }

    @Test func theFifthWrongGuessInAnHourClosesGuessingUntilTheWindowEnds() {
        let counters = CodeCounters(failures: 5, failureWindowStart: start)
        #expect(!CodeLimits.mayGuess(counters, now: start.addingTimeInterval(3599)))
        #expect(CodeLimits.mayGuess(counters, now: start.addingTimeInterval(3600)))
        #expect(CodeLimits.mayGuess(CodeCounters(failures: 4, failureWindowStart: start), now: start.addingTimeInterval(10)))
    }

    @Test func theSixthCodeInAnHourIsRefused() {
        let counters = CodeCounters(issued: 5, issueWindowStart: start)
        #expect(!CodeLimits.mayIssue(counters, now: start.addingTimeInterval(60)))
        #expect(CodeLimits.mayIssue(counters, now: start.addingTimeInterval(3601)))
    }

    @Test func sendingDoesNotResetGuessing() {
        // Counters are independent: many sends leave the failure count as it was.
        let counters = CodeCounters(issued: 1, issueWindowStart: start, failures: 5, failureWindowStart: start)
        #expect(CodeLimits.mayIssue(counters, now: start) && !CodeLimits.mayGuess(counters, now: start))
    }
}
