import Foundation
import PosternStore
import PosternTestSupport
import PostgresNIO
import Testing

@Suite(.enabled(if: TestDatabase.isConfigured, "needs POSTERN_TEST_DATABASE_URL"), .serialized)
struct RateLimitCountersTests {
    let window = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func concurrentServersAddUpToOneTotal() async throws {
        try await TestDatabase.withDatabase { client in
            let counters = RateLimitCounters(client: client, logger: TestDatabase.logger)
            // Eight "servers" each add 25 to the same window at once; none of the counts is lost.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<8 {
                    group.addTask { _ = try await counters.add([.init(key: "k", windowStart: window, amount: 25)]) }
                }
                try await group.waitForAll()
            }
            let total = try await counters.add([.init(key: "k", windowStart: window, amount: 0)])
            #expect(total == [.init(key: "k", windowStart: window, amount: 200)])
        }
    }

    @Test func windowsAndKeysCountApartAndOldWindowsArePruned() async throws {
        try await TestDatabase.withDatabase { client in
            let counters = RateLimitCounters(client: client, logger: TestDatabase.logger)
            let next = window.addingTimeInterval(300)
            let totals = try await counters.add([
                .init(key: "a", windowStart: window), .init(key: "b", windowStart: window), .init(key: "a", windowStart: next),
            ])
            #expect(Set(totals.map(\.amount)) == [1])
            try await counters.prune(before: next)
            let after = try await counters.add([.init(key: "a", windowStart: window), .init(key: "a", windowStart: next)])
            #expect(after.first { $0.windowStart == window }?.amount == 1, "the old window was forgotten")
            #expect(after.first { $0.windowStart == next }?.amount == 2)
        }
    }
}
