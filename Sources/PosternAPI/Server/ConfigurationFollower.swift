import Foundation
import Logging
import PosternStore
import PostgresNIO
import ServiceLifecycle

/// Follows the log for changes to pools, clients, admin keys and users, on every server, and tells
/// `ConfigurationCache` and `UserCache`. Wakes on every append's notification (and polls), so another
/// server's change reaches this server's caches within one notification, or a poll interval if one is lost.
struct ConfigurationFollower: Service {
    let store: EventStore
    let cache: ConfigurationCache
    let users: UserCache
    let pollInterval: Duration
    let logger: Logger

    func run() async throws {
        let wakeups = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let listener = Task {
            while !Task.isCancelled {
                do {
                    try await store.client.withConnection { connection in
                        try await withThrowingTaskGroup(of: Void.self) { group in
                            for channel in [EventStore.configurationChannel, EventStore.notificationChannel] {
                                group.addTask {
                                    try await connection.listen(on: channel) { notifications in
                                        for try await _ in notifications { wakeups.continuation.yield() }
                                    }
                                }
                            }
                            try await group.waitForAll()
                        }
                    }
                } catch {
                    try? await Task.sleep(for: .seconds(1))
                }
            }
        }
        let ticker = Task {
            while !Task.isCancelled {
                wakeups.continuation.yield()
                try? await Task.sleep(for: pollInterval)
            }
            wakeups.continuation.finish()
        }
        await withGracefulShutdownHandler {
            var cursor: LogCursor?
            for await _ in wakeups.stream {
                do {
                    let started = ContinuousClock.now
                    if let from = cursor {
                        let (streams, usersBegan, next) = try await store.cachedStreamChanges(after: from)
                        if !streams.isEmpty {
                            cache.invalidate(streams: streams)
                            users.invalidate(streams: streams, newUsers: usersBegan)
                        }
                        cursor = next
                    } else {
                        // Everything committed below the horizon is what a load reads; nothing is cached yet.
                        cursor = try await store.committedHorizon()
                        cache.invalidateAll()
                        users.invalidateAll()
                    }
                    cache.trust(until: started + ConfigurationCache.trustWindow)
                    users.trust(until: started + UserCache.trustWindow)
                } catch {
                    logger.warning("configuration follower could not read the log; caches bypassed", metadata: ["error": "\(error)"])
                    cache.invalidateAll()
                    users.invalidateAll()
                    cursor = nil
                }
            }
        } onGracefulShutdown: {
            listener.cancel()
            ticker.cancel()
        }
        listener.cancel()
        ticker.cancel()
    }
}
