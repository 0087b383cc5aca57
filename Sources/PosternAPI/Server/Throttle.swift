import Foundation
import Logging
import PosternCore
import PosternStore

/// Enforces `ThrottlePolicy`: per-pool request quotas and limits on failures, counted in PostgreSQL so
/// that every server on the database sees the same totals.
///
/// Request quotas are decided locally and counted in the background: each server adds its requests to
/// the shared per-second window every 50 ms and learns the total of all servers from the same statement,
/// so the busy path never waits for the database; the shared total may lag by one flush.
/// Failure limits are counted when a failure happens (a write the failure path makes anyway), and a name
/// or address over its limit is refused locally from then until its window ends: another server learns
/// it at the next failure it sees, so across N servers at most N extra attempts get through.
/// If the counters cannot be written, requests are let through and the problem is logged: a rate limit
/// never turns a database hiccup into an outage.
actor Throttle {
    let policy: ThrottlePolicy
    let counters: RateLimitCounters
    let logger: Logger

    init(policy: ThrottlePolicy, counters: RateLimitCounters, logger: Logger) {
        self.policy = policy
        self.counters = counters
        self.logger = logger
    }

    // MARK: Request quotas

    private var second: Int64 = 0
    private var pending: [String: Int] = [:]
    private var known: [String: Int] = [:]
    private var flushScheduled = false

    /// Admits one request of `category` to `pool` (a user pool's or an identity pool's id), or throws
    /// TooManyRequestsException.
    func admit(pool: String, category: RequestCategory, quota: Int, now: Date) throws(DomainError) {
        let current = Int64(now.timeIntervalSince1970.rounded(.down))
        if current != second {
            second = current
            pending = [:]
            known = [:]
        }
        let key = "quota|\(pool)|\(category.rawValue)"
        if known[key, default: 0] + pending[key, default: 0] >= quota { throw .rateExceeded }
        pending[key, default: 0] += 1
        if !flushScheduled {
            flushScheduled = true
            Task { [weak self] in
                try? await Task.sleep(for: .milliseconds(50))
                await self?.flush()
            }
        }
    }

    private func flush() async {
        flushScheduled = false
        let batch = pending, window = second
        pending = [:]
        for (key, count) in batch { known[key, default: 0] += count }
        let start = Date(timeIntervalSince1970: TimeInterval(window))
        do {
            let totals = try await counters.add(batch.map { .init(key: $0.key, windowStart: start, amount: $0.value) })
            guard window == second else { return }
            for total in totals { known[total.key] = max(known[total.key] ?? 0, total.amount) }
        } catch {
            logger.warning("request quota counters could not be written", metadata: ["error": "\(error)"])
        }
    }

    // MARK: Failure limits

    /// One limit: at most `maximum` events for `key` per fixed window of `window` seconds.
    struct Limit: Sendable {
        var key: String
        var window: TimeInterval
        var maximum: Int
    }

    private var closedUntil: [String: Date] = [:]

    /// Throws TooManyRequestsException when any of the keys is over its limit.
    func requireOpen(_ keys: [String], now: Date) throws(DomainError) {
        for key in keys {
            guard let until = closedUntil[key] else { continue }
            if until > now { throw .rateExceeded }
            closedUntil[key] = nil
        }
    }

    /// Counts one event against each limit; returns whether any limit is now exceeded (this event
    /// included), and closes those keys until their windows end.
    @discardableResult
    func count(_ limits: [Limit], now: Date) async -> Bool {
        var increments: [RateLimitCounters.Increment] = []
        var byKey: [String: Limit] = [:]
        for limit in limits where byKey[limit.key] == nil {
            let start = Date(timeIntervalSince1970: (now.timeIntervalSince1970 / limit.window).rounded(.down) * limit.window)
            increments.append(.init(key: limit.key, windowStart: start))
            byKey[limit.key] = limit
        }
        do {
            var exceeded = false
            for total in try await counters.add(increments) {
                guard let limit = byKey[total.key], total.amount > limit.maximum else { continue }
                exceeded = true
                closedUntil[total.key] = total.windowStart.addingTimeInterval(limit.window)
            }
            pruneIfDue(now)
            return exceeded
        } catch {
            logger.warning("failure counters could not be written", metadata: ["error": "\(error)"])
            return false
        }
    }

    private var lastPrune = Date.distantPast

    /// Drops windows over a day old, at most once a minute per server.
    private func pruneIfDue(_ now: Date) {
        guard now.timeIntervalSince(lastPrune) > 60 else { return }
        lastPrune = now
        closedUntil = closedUntil.filter { $0.value > now }
        let counters = counters, logger = logger
        Task {
            do { try await counters.prune(before: now.addingTimeInterval(-86_400)) } catch {
                logger.warning("rate limit windows could not be pruned", metadata: ["error": "\(error)"])
            }
        }
    }

    // MARK: The limits Postern applies

    nonisolated func failedSignInLimits(pool: PoolRecord, login: String, sourceIp: String?) -> [Limit] {
        var limits = [
            Limit(
                key: "signin-fail|name|\(pool.id.rawValue)|\(pool.settings.usernameKey(login))", window: policy.failureWindow,
                maximum: policy.failedSignInsPerName)
        ]
        if let sourceIp {
            limits.append(Limit(key: "signin-fail|ip|\(sourceIp)", window: policy.failureWindow, maximum: policy.failedSignInsPerAddress))
        }
        return limits
    }

    nonisolated func wrongCodeLimits(sourceIp: String?) -> [Limit] {
        guard let sourceIp else { return [] }
        return [Limit(key: "code-fail|ip|\(sourceIp)", window: policy.failureWindow, maximum: policy.wrongCodesPerAddress)]
    }

    nonisolated func codeRequestLimits(sourceIp: String?) -> [Limit] {
        guard let sourceIp else { return [] }
        return [Limit(key: "code-request|ip|\(sourceIp)", window: policy.failureWindow, maximum: policy.codeRequestsPerAddress)]
    }

    nonisolated func failedLoginTokenLimits(sourceIp: String?) -> [Limit] {
        guard let sourceIp else { return [] }
        return [Limit(key: "login-fail|ip|\(sourceIp)", window: policy.failureWindow, maximum: policy.failedSignInsPerAddress)]
    }

    nonisolated func guestIdentityLimits(sourceIp: String?) -> [Limit] {
        guard let sourceIp else { return [] }
        return [Limit(key: "guest-identity|ip|\(sourceIp)", window: policy.failureWindow, maximum: policy.guestIdentitiesPerAddress)]
    }

    /// Code requests for a name that leads to no one who can receive a code: counted as the real user's
    /// are (`CodeLimits`), so the limit answers alike for both.
    nonisolated func hiddenCodeRequestLimit(pool: PoolRecord, purpose: String, login: String) -> Limit {
        Limit(
            key: "code-issue|\(pool.id.rawValue)|\(purpose)|\(pool.settings.usernameKey(login))", window: CodeLimits.window,
            maximum: CodeLimits.maximumIssues)
    }
}
