import Foundation
import Testing

@testable import PosternCore

@Suite struct UserPoolGroupTests {
    let poolId: UserPoolID = "us-east-1_abc123"
    let sub: Sub = "6f1c2e9a-0000-4000-8000-000000000001"
    let role = "arn:aws:iam::123456789012:role/Admins"

    func group(_ name: String = "admins", _ settings: GroupSettings = GroupSettings(), version: Int = 1) -> UserPoolGroup {
        UserPoolGroup(poolId: poolId, name: name, settings: settings, version: version)
    }

    func create(_ name: String = "admins", _ settings: GroupSettings = GroupSettings(), existing: UserPoolGroup? = nil, count: Int = 0) throws
        -> GroupCreated
    {
        try UserPoolGroup.create(poolId: poolId, name: name, settings: settings, existing: existing, groupsInPool: count)
    }

    // MARK: evolve

    @Test func creationStartsTheStateUpdatesReplaceTheSettingsAndMembershipsMoveTheVersion() throws {
        let created = try create("admins", GroupSettings(description: "first", roleArn: role, precedence: 1))
        let updated = GroupUpdated(poolId: poolId, groupName: "admins", description: "second", roleArn: nil, precedence: nil)
        let added = UserAddedToGroup(poolId: poolId, groupName: "admins", sub: sub)
        let state = try #require(UserPoolGroup.fold([created, updated, added]))
        #expect(state == group("admins", GroupSettings(description: "second"), version: 3))
    }

    @Test func nothingExistsBeforeCreationOrAfterDeletionAndARecreatedGroupContinuesItsStream() throws {
        let created = try create()
        #expect(UserPoolGroup.evolve(nil, version: 1, with: UserAddedToGroup(poolId: poolId, groupName: "admins", sub: sub)) == nil)
        #expect(UserPoolGroup.fold([created, GroupDeleted(poolId: poolId, groupName: "admins")]) == nil)
        let again = UserPoolGroup.fold([
            created, GroupDeleted(poolId: poolId, groupName: "admins"), try create("admins", GroupSettings(precedence: 4)),
        ])
        #expect(again == group("admins", GroupSettings(precedence: 4), version: 3))
    }

    // MARK: create, update, delete

    @Test func createKeepsTheSettingsTheRequestGives() throws {
        let created = try create("Admins-ü.1", GroupSettings(description: "d", roleArn: role, precedence: 0))
        #expect(created.groupName == "Admins-ü.1")
        #expect(created.description == "d")
        #expect(created.roleArn == role)
        #expect(created.precedence == 0)
    }

    @Test func aNameThePoolHoldsIsGroupExists() {
        #expect(throws: DomainError.groupExists("A group with the name admins already exists.")) { try create(existing: group()) }
    }

    @Test func thePoolsQuotaOfGroupsIsLimitExceeded() throws {
        _ = try create(count: UserPoolGroup.groupsPerPool - 1)
        #expect(throws: DomainError.self) { try create(count: UserPoolGroup.groupsPerPool) }
        do {
            _ = try create(count: UserPoolGroup.groupsPerPool)
        } catch {
            guard case .limitExceeded = error as? DomainError else { Issue.record("expected limitExceeded, got \(error)"); return }
        }
    }

    @Test(arguments: ["", "with space", String(repeating: "g", count: 129), "tab\tname"])
    func aNameOutsideTheModelIsInvalid(_ name: String) {
        #expect(throws: DomainError.validation("groupName", #"Member must satisfy regular expression pattern: [\p{L}\p{M}\p{S}\p{N}\p{P}]+"#)) {
            try create(name)
        }
    }

    @Test func settingsOutsideTheModelAreInvalid() {
        #expect(throws: DomainError.validation("description", "Member must have length less than or equal to 2048")) {
            try create("admins", GroupSettings(description: String(repeating: "d", count: 2049)))
        }
        #expect(throws: DomainError.validation("roleArn", "Member must have length greater than or equal to 20")) {
            try create("admins", GroupSettings(roleArn: "arn:aws:iam::1:r/x"))
        }
        #expect(throws: DomainError.self) { try create("admins", GroupSettings(roleArn: "not an arn at all, really")) }
        #expect(throws: DomainError.validation("precedence", "Member must have value greater than or equal to 0")) {
            try create("admins", GroupSettings(precedence: -1))
        }
        #expect(throws: DomainError.validation("precedence", "Member must have value less than or equal to 2147483647")) {
            try create("admins", GroupSettings(precedence: 2_147_483_648))
        }
        #expect(throws: Never.self) {
            try create("admins", GroupSettings(description: String(repeating: "d", count: 2048), precedence: 2_147_483_647))
        }
    }

    @Test func updateReplacesEverySettingAndAnOmittedOneReturnsToNone() throws {
        let updated = try group("admins", GroupSettings(description: "d", roleArn: role, precedence: 3)).update(GroupSettings(precedence: 5))
        #expect(updated == GroupUpdated(poolId: poolId, groupName: "admins", description: nil, roleArn: nil, precedence: 5))
        #expect(throws: DomainError.self) { try group().update(GroupSettings(precedence: -2)) }
    }

    @Test func deleteNamesTheGroup() {
        #expect(group().delete() == GroupDeleted(poolId: poolId, groupName: "admins"))
    }

    // MARK: memberships

    @Test func addingAMemberIsOneEventAndAddingThemAgainIsNone() throws {
        #expect(try group().add(sub, isMember: false, groupsOfUser: 0) == [UserAddedToGroup(poolId: poolId, groupName: "admins", sub: sub)])
        #expect(try group().add(sub, isMember: true, groupsOfUser: UserPoolGroup.groupsPerUser).isEmpty)
    }

    @Test func aUserInTheMaximumNumberOfGroupsCannotJoinAnother() {
        #expect(throws: DomainError.self) { try group().add(sub, isMember: false, groupsOfUser: UserPoolGroup.groupsPerUser) }
    }

    @Test func removingAMemberIsOneEventAndRemovingANonMemberIsNone() {
        #expect(group().remove(sub, isMember: true) == [UserRemovedFromGroup(poolId: poolId, groupName: "admins", sub: sub)])
        #expect(group().remove(sub, isMember: false).isEmpty)
    }

    @Test func membershipFollowsTheStreamAndEndsWithTheGroup() throws {
        let added = UserAddedToGroup(poolId: poolId, groupName: "admins", sub: sub)
        let removed = UserRemovedFromGroup(poolId: poolId, groupName: "admins", sub: sub)
        let other = UserAddedToGroup(poolId: poolId, groupName: "admins", sub: "someone-else")
        #expect(UserPoolGroup.isMember(sub, after: [try create(), added, other]))
        #expect(!UserPoolGroup.isMember(sub, after: [try create(), added, removed]))
        #expect(!UserPoolGroup.isMember(sub, after: [try create(), added, GroupDeleted(poolId: poolId, groupName: "admins"), try create()]))
    }

    @Test func eventsHoldNoSealedValues() throws {
        // Group names and role ARNs are configuration; members are named by sub only.
        let event = NewEvent(streamID: Stream.group(pool: poolId, name: "admins"), UserAddedToGroup(poolId: poolId, groupName: "admins", sub: sub))
        #expect(try event.storedText(sealer: nil).contains(sub.rawValue))
        #expect(Stream.subject(of: event.streamID) == nil)
        #expect(Stream.group(pool: poolId, name: "admins") == "group-us-east-1_abc123-admins")
    }
}

@Suite struct GroupClaimsTests {
    let poolId: UserPoolID = "us-east-1_abc123"

    func group(_ name: String, precedence: Int? = nil, role: String? = nil) -> UserPoolGroup {
        UserPoolGroup(poolId: poolId, name: name, settings: GroupSettings(roleArn: role, precedence: precedence), version: 1)
    }

    func arn(_ name: String) -> String { "arn:aws:iam::123456789012:role/\(name)" }

    @Test func groupsAreOrderedByPrecedenceThenNameWithoutPrecedenceLast() {
        let claims = GroupClaims(memberOf: [group("zeta"), group("beta", precedence: 2), group("alpha"), group("gamma", precedence: 1)])
        #expect(claims.groups == ["gamma", "beta", "alpha", "zeta"])
    }

    @Test func theLowestPrecedenceWithARoleIsPreferredAndEveryRoleIsListedOnce() {
        let claims = GroupClaims(memberOf: [
            group("readers", precedence: 5, role: arn("Reader")), group("admins", precedence: 1, role: arn("Admin")),
            group("plain", precedence: 0), group("also-readers", precedence: 7, role: arn("Reader")),
        ])
        #expect(claims.groups == ["plain", "admins", "readers", "also-readers"])
        #expect(claims.roles == [arn("Admin"), arn("Reader")])
        #expect(claims.preferredRole == arn("Admin"))
    }

    @Test func aTieOfDifferentRolesPrefersNoneAndATieOfOneRolePrefersIt() {
        let tie = GroupClaims(memberOf: [group("a", precedence: 1, role: arn("A")), group("b", precedence: 1, role: arn("B"))])
        #expect(tie.preferredRole == nil)
        #expect(tie.roles == [arn("A"), arn("B")])
        let same = GroupClaims(memberOf: [group("a", precedence: 1, role: arn("A")), group("b", precedence: 1, role: arn("A"))])
        #expect(same.preferredRole == arn("A"))
        let unranked = GroupClaims(memberOf: [group("a", role: arn("A")), group("b", role: arn("B"))])
        #expect(unranked.preferredRole == nil)
        let lone = GroupClaims(memberOf: [group("a", role: arn("A")), group("b", precedence: 3)])
        #expect(lone.preferredRole == arn("A"))
    }

    @Test func noGroupsSetNoClaimsAndGroupsReachTheAccessTokenWithoutRoles() {
        var id: [String: JSONValue] = ["cognito:groups": .array([.string("stale")])]
        var access: [String: JSONValue] = [:]
        GroupClaims(memberOf: []).apply(id: &id, access: &access)
        #expect(id["cognito:groups"] == nil)
        #expect(access.isEmpty)
        GroupClaims(memberOf: [group("a", precedence: 1, role: arn("A"))]).apply(id: &id, access: &access)
        #expect(id["cognito:groups"] == .array([.string("a")]))
        #expect(id["cognito:roles"] == .array([.string(arn("A"))]))
        #expect(id["cognito:preferred_role"] == .string(arn("A")))
        #expect(access["cognito:groups"] == .array([.string("a")]))
        #expect(access["cognito:roles"] == nil)
        #expect(access["cognito:preferred_role"] == nil)
    }
}
