import Foundation
import Logging
import PosternStore
import PostgresNIO
import ServiceLifecycle

/// Follows the log for changes to pools and clients, on every server, and tells `ConfigurationCache`.
struct ConfigurationFollower: Service {
    let store: EventStore
    let cache: ConfigurationCache
    let pollInterval: Duration
    let logger: Logger

    func run() async throws {
        let wakeups = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let listener = Task {
            while !Task.isCancelled {
                do {
                    try await store.client.withConnection { connection in
                        try await connection.listen(on: EventStore.configurationChannel) { notifications in
                            for try await _ in notifications { wakeups.continuation.yield() }
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
                        let (streams, next) = try await store.configurationChanges(after: from)
                        if !streams.isEmpty { cache.invalidate(streams: streams) }
                        cursor = next
                    } else {
                        // Everything committed below the horizon is what a load reads; nothing is cached yet.
                        cursor = try await store.committedHorizon()
                        cache.invalidateAll()
                    }
                    cache.trust(until: started + ConfigurationCache.trustWindow)
                } catch {
                    logger.warning("configuration follower could not read the log; cache bypassed", metadata: ["error": "\(error)"])
                    cache.invalidateAll()
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
