import Foundation
import PosternCore
import Testing

@testable import PosternStore

/// `UserCache` on its own: what it answers from memory, what it forgets when, and what it refuses to keep.
@Suite struct UserCacheTests {
    func user(_ sub: String, version: Int = 1, username: String = "ada") -> UserRecord {
        UserRecord(
            sub: Sub(sub), poolId: UserPoolID("us-east-1_test"), username: username, attributes: [:], status: .confirmed, enabled: true,
            sealedVerifier: nil, passwordSetAt: nil, failedAttempts: 0, lockedUntil: nil, tokensValidAfter: nil,
            createdAt: Date(timeIntervalSince1970: 0), updatedAt: Date(timeIntervalSince1970: 0), version: version, usernameKey: username)
    }

    func trusted(capacity: Int = 100) -> UserCache {
        let cache = UserCache(capacity: capacity)
        cache.trust(until: .now + .seconds(60))
        return cache
    }

    /// Counts the loads a lookup makes.
    final class Loads: @unchecked Sendable {
        var count = 0
    }

    @Test func answersFromMemoryOnceLoaded() async throws {
        let cache = trusted()
        let loads = Loads()
        for _ in 0..<3 {
            let found = try await cache.user(sub: "s1") {
                loads.count += 1
                return user("s1")
            }
            #expect(found?.sub == Sub("s1"))
        }
        #expect(loads.count == 1)
    }

    @Test func untrustedCacheAlwaysLoads() async throws {
        let cache = UserCache()
        let loads = Loads()
        for _ in 0..<3 {
            _ = try await cache.user(sub: "s1") {
                loads.count += 1
                return user("s1")
            }
        }
        #expect(loads.count == 3)
        #expect(cache.count == 0)
        cache.trust(until: .now - .seconds(1))  // a trust that already ran out
        _ = try await cache.user(sub: "s1") {
            loads.count += 1
            return user("s1")
        }
        #expect(loads.count == 4)
    }

    @Test func unknownUsersAreNeverKept() async throws {
        let cache = trusted()
        let loads = Loads()
        for _ in 0..<2 {
            let found = try await cache.user(sub: "nobody") {
                loads.count += 1
                return nil
            }
            #expect(found == nil)
        }
        #expect(loads.count == 2)
        #expect(cache.count == 0)
    }

    @Test func invalidatingAStreamForgetsItsUser() async throws {
        let cache = trusted()
        _ = try await cache.user(sub: "s1") { user("s1") }
        _ = try await cache.user(sub: "s2") { user("s2") }
        cache.invalidate(streams: ["user-s1", "userpool-us-east-1_test"], newUsers: false)
        let reloaded = try await cache.user(sub: "s1") { user("s1", version: 2) }
        #expect(reloaded?.version == 2)
        let kept = try await cache.user(sub: "s2") { user("s2", version: 9) }
        #expect(kept?.version == 1)
    }

    /// A load that began before an invalidation read a row the invalidation may have made old: not kept.
    @Test func aLoadOverlappingAnInvalidationIsNotKept() async throws {
        let cache = trusted()
        let stale = try await cache.user(sub: "s1") {
            cache.invalidate(streams: ["user-s1"], newUsers: false)  // a commit lands while the row is read
            return user("s1", version: 1)
        }
        #expect(stale?.version == 1)  // answered to this caller, who raced the commit
        #expect(cache.count == 0)
        let fresh = try await cache.user(sub: "s1") { user("s1", version: 2) }
        #expect(fresh?.version == 2)
    }

    @Test func neverStepsBackToAnOlderRow() async throws {
        let cache = trusted()
        _ = try await cache.user(sub: "s1") { user("s1", version: 5) }
        // A lookup of another kind that read the row earlier and finishes later.
        _ = try await cache.user(named: UserCache.Name(poolId: "p", key: "ada", login: "ada", subSignsIn: false)) { user("s1", version: 4) }
        let found = try await cache.user(sub: "s1") { user("s1", version: 99) }
        #expect(found?.version == 5)
    }

    @Test func originsAreCachedOnlyAsFoundUnrevoked() async throws {
        let cache = trusted()
        let loads = Loads()
        func lookup(_ origin: String, revoked: Bool) async throws -> UserRecord? {
            try await cache.user(sub: "s1", unlessOriginRevoked: origin) {
                loads.count += 1
                return revoked ? nil : user("s1")
            }
        }
        #expect(try await lookup("o1", revoked: false) != nil)
        #expect(try await lookup("o1", revoked: false) != nil)
        #expect(loads.count == 1)
        // Another sign-in of the same user is checked against the database once.
        #expect(try await lookup("o2", revoked: true) == nil)
        #expect(try await lookup("o2", revoked: true) == nil)
        #expect(loads.count == 3)
        // Revoking appends to the user's stream, which drops the entry and its origins.
        cache.invalidate(streams: ["user-s1"], newUsers: false)
        #expect(try await lookup("o1", revoked: true) == nil)
        #expect(loads.count == 4)
    }

    @Test func namesGoWithTheirUserAndWithAnyNewUser() async throws {
        let cache = trusted()
        let loads = Loads()
        let name = UserCache.Name(poolId: "p", key: "ada", login: "ada", subSignsIn: false)
        func lookup() async throws -> UserRecord? {
            try await cache.user(named: name) {
                loads.count += 1
                return user("s1")
            }
        }
        _ = try await lookup()
        _ = try await lookup()
        #expect(loads.count == 1)
        cache.invalidate(streams: ["user-s1"], newUsers: false)
        _ = try await lookup()
        #expect(loads.count == 2)
        // A user that did not exist may now outrank an alias: every name is looked up again.
        cache.invalidate(streams: ["user-s9"], newUsers: true)
        _ = try await lookup()
        #expect(loads.count == 3)
    }

    @Test func invalidateAllStopsTrust() async throws {
        let cache = trusted()
        _ = try await cache.user(sub: "s1") { user("s1") }
        cache.invalidateAll()
        #expect(cache.count == 0)
        _ = try await cache.user(sub: "s1") { user("s1") }
        #expect(cache.count == 0, "nothing is kept until the follower trusts the cache again")
    }

    @Test func capacityBoundsMemory() async throws {
        let cache = trusted(capacity: 10)
        for index in 0..<50 { _ = try await cache.user(sub: "s\(index)") { user("s\(index)") } }
        #expect(cache.count == 10)
    }
}
