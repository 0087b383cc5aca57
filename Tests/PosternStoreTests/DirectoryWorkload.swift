import Foundation
import PosternCore
import PosternCrypto
import PosternStore
import PosternTestSupport
import PostgresNIO

/// SplitMix64: a seeded generator, so a failing workload can be replayed.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D4_9BB1_3311_EB32
        return z ^ (z >> 31)
    }
}

/// Drives a store through what a directory lives through, with the real event types: pools and clients
/// created and changed, admin keys, users signing up or created by an administrator, codes issued and
/// guessed wrong, confirmations, attribute changes and verifications, sign-in failures and lockouts,
/// sign-ins, refreshes and revocations, password changes and resets, global sign-outs, aliases moving
/// between users, deletions (shredding) and a pool deleted with its users.
final class DirectoryWorkload {
    /// A user as the workload remembers it, to write plausible next events.
    struct User {
        var sub: Sub
        var pool: Int
        var username: String
        var attributes: [String: String]
        var key: Sealer
        var version = 1
        var confirmed = false
        var failures = 0
        var tokens: [String] = []
        var codes: Set<String> = []
        var challenge: String?

        var stream: String { Stream.user(sub) }
    }

    /// A pool with its app client.
    struct Pool {
        var id: UserPoolID
        var client: ClientID
        var settings: UserPoolSettings
    }

    let store: EventStore
    let master: MasterKey
    var random: SeededGenerator
    var pools: [Pool] = []
    var users: [User] = []
    var counter = 0
    private(set) var events = 0
    private(set) var appends = 0

    init(store: EventStore, master: MasterKey, seed: UInt64) {
        self.store = store
        self.master = master
        random = SeededGenerator(state: seed)
    }

    func next() -> Int {
        counter += 1
        return counter
    }

    /// An instant a little after now with microseconds (and more) in it, as payload dates have.
    func soon(_ seconds: Double) -> Date { Date().addingTimeInterval(seconds + Double.random(in: 0..<1, using: &random)) }

    func append(_ batch: AppendBatch) async throws {
        try await store.append(batch, metadata: .test())
        events += batch.appends.reduce(0) { $0 + $1.events.count }
        appends += 1
    }

    func events(_ stream: String, _ payloads: [any EventPayload]) -> [NewEvent] {
        payloads.map { NewEvent(streamID: stream, $0) }
    }

    /// Pools of every sign-in shape, their clients (one updated, one deleted) and admin keys (one revoked).
    func setUp() async throws {
        let requests: [[String: JSONValue]] = [
            ["AliasAttributes": .array(["email", "phone_number"]), "UsernameConfiguration": .object(["CaseSensitive": .bool(false)])],
            ["UsernameAttributes": .array(["email", "phone_number"])],
            [:],
            ["AliasAttributes": .array(["email"])],
        ]
        for (index, request) in requests.enumerated() {
            let id = UserPoolID("us-east-1_Work\(index)\(next())")
            let client = ClientID("client\(index)x\(next())")
            let settings = try UserPoolSettings.forNewPool(request: request)
            let stream = Stream.userPool(id)
            try await append(
                AppendBatch(
                    stream: stream, expected: .noStream,
                    events: events(
                        stream,
                        [
                            UserPoolCreated(
                                poolId: id, name: "pool \(index)", settings: settings.json,
                                signingKeys: [SealedSigningKey(kid: "kid\(index)", use: "id", sealedPrivateKey: "v1.key\(index)")])
                        ])))
            let updated = try settings.updated(request: ["DeletionProtection": .string("INACTIVE"), "MfaConfiguration": .string("OFF")])
            try await append(
                AppendBatch(stream: stream, expected: .exact(1), events: events(stream, [UserPoolUpdated(poolId: id, settings: updated.json)])))
            let clientStream = Stream.client(client)
            try await append(
                AppendBatch(
                    stream: clientStream, expected: .noStream,
                    events: events(
                        clientStream,
                        [
                            UserPoolClientCreated(
                                poolId: id, clientId: client, settings: .object(["ClientName": .string("app \(index)")]),
                                sealedSecret: index == 0 ? "v1.secret" : nil)
                        ])))
            if index == 0 {
                try await append(
                    AppendBatch(
                        stream: clientStream, expected: .exact(1),
                        events: events(
                            clientStream,
                            [
                                UserPoolClientUpdated(
                                    poolId: id, clientId: client,
                                    settings: .object(["ClientName": .string("renamed"), "RefreshTokenValidity": .int(30)]))
                            ]
                        )))
            }
            pools.append(Pool(id: id, client: client, settings: settings))
        }
        let doomed = ClientID("doomed\(next())")
        let doomedStream = Stream.client(doomed)
        try await append(
            AppendBatch(
                stream: doomedStream, expected: .noStream,
                events: events(
                    doomedStream,
                    [
                        UserPoolClientCreated(
                            poolId: pools[0].id, clientId: doomed, settings: .object(["ClientName": .string("doomed")]), sealedSecret: nil),
                        UserPoolClientDeleted(poolId: pools[0].id, clientId: doomed),
                    ])))
        for index in 0..<3 {
            let id = "AKIAWORK\(next())"
            let stream = Stream.adminKey(id)
            var payloads: [any EventPayload] = [AdminKeyCreated(accessKeyId: id, sealedSecret: "v1.admin\(index)", description: "key \(index)")]
            if index == 1 { payloads.append(AdminKeyRevoked(accessKeyId: id)) }
            try await append(AppendBatch(stream: stream, expected: .noStream, events: events(stream, payloads)))
        }
    }

    /// Registers `count` users, `perBatch` to an append; a fifth of them created by an administrator.
    func register(_ count: Int, perBatch: Int = 1) async throws {
        var batch = AppendBatch()
        for index in 0..<count {
            let n = next()
            let pool = index % pools.count
            let serial = String(n, radix: 16)
            let sub = Sub(
                String(format: "%08x", UInt32.random(in: 0...UInt32.max, using: &random)) + "-0000-4000-8000-"
                    + String(repeating: "0", count: max(0, 12 - serial.count)) + serial)
            let key = try master.newDataKey()
            let byAdmin = Int.random(in: 0..<5, using: &random) == 0
            var attributes = ["email": "User\(n)@Example.com", "phone_number": "+1555\(String(format: "%07d", n))", "name": "Person \(n)"]
            if byAdmin { attributes["email_verified"] = "true" }
            let username = pools[pool].settings.usernameAttributes.isEmpty ? "user\(n)" : sub.rawValue
            var user = User(sub: sub, pool: pool, username: username, attributes: attributes, key: key.key)
            let verifier: Sealed<PasswordVerifier>? = byAdmin && n % 2 == 0 ? nil : .ciphertext(try key.key.seal("verifier"))
            let registered = UserRegistered(
                poolId: pools[pool].id, sub: sub, origin: byAdmin ? "AdminCreateUser" : "SignUp",
                sealedProfile: .ciphertext(try key.key.seal(json: UserProfile(username: username, attributes: attributes))),
                sealedVerifier: verifier, status: byAdmin ? .forceChangePassword : .unconfirmed,
                clientId: byAdmin ? nil : pools[pool].client)
            var payloads: [any EventPayload] = [registered]
            if !byAdmin {
                payloads += try issue("SignUp", attribute: "email", for: &user)
            } else {
                user.confirmed = true
            }
            batch.append(stream: user.stream, expected: .noStream, events: events(user.stream, payloads))
            batch.dataKeysToCreate.append((sub.rawValue, key.wrapped))
            user.version = payloads.count
            users.append(user)
            if batch.appends.count >= perBatch {
                try await append(batch)
                batch = AppendBatch()
            }
        }
        if !batch.appends.isEmpty { try await append(batch) }
    }

    func issue(_ purpose: String, attribute: String?, for user: inout User) throws -> [any EventPayload] {
        user.codes.insert(purpose)
        let message = "m\(next())"
        return [
            ConfirmationCodeIssued(
                purpose: purpose, codeHash: String(format: "%016llx", random.next()), expiresAt: soon(86_400), messageId: message,
                attribute: attribute),
            MessageQueued(
                messageId: message, poolId: pools[user.pool].id, kind: purpose, deliveryMedium: "EMAIL",
                sealedMessage: .ciphertext(try user.key.seal("message"))),
        ]
    }

    /// One random action for every user, `perBatch` users to an append (with an attempt on an unknown user
    /// now and then).
    func step(perBatch: Int = 1) async throws {
        var batch = AppendBatch()
        for index in users.indices {
            var user = users[index]
            let payloads = try action(for: &user)
            var newEvents = events(user.stream, payloads)
            if Int.random(in: 0..<40, using: &random) == 0 {
                // An event type this build does not know: skipped (and logged), yet it moves the version.
                newEvents.append(NewEvent(streamID: user.stream, type: "SomethingFromTheFuture", data: .object(["n": .int(next())])))
            }
            if !newEvents.isEmpty {
                batch.append(stream: user.stream, expected: .exact(user.version), events: newEvents)
                user.version += newEvents.count
            }
            users[index] = user
            if Int.random(in: 0..<25, using: &random) == 0 {
                let attempt = Stream.attempt(UUID())
                let pool = pools[user.pool]
                batch.append(
                    stream: attempt, expected: .noStream,
                    events: events(
                        attempt,
                        [
                            SignInFailed(flow: "USER_PASSWORD_AUTH", clientId: pool.client, poolId: pool.id, reason: "user_not_found"),
                            UserExistenceHidden(poolId: pool.id, clientId: pool.client, sub: nil, reason: "user_not_found"),
                        ]))
            }
            if batch.appends.count >= perBatch {
                try await append(batch)
                batch = AppendBatch()
            }
        }
        if !batch.appends.isEmpty { try await append(batch) }
    }

    func newProfile(_ user: User) throws -> String { try user.key.seal(json: UserProfile(username: user.username, attributes: user.attributes)) }

    func action(for user: inout User) throws -> [any EventPayload] {
        let pool = pools[user.pool]
        let now = Date()
        switch Int.random(in: 0..<19, using: &random) {
        case 0:
            return [ConfirmationCodeRejected(purpose: user.codes.sorted().first ?? "SignUp", reason: "mismatch")]
        case 1 where !user.confirmed:
            return try issue("SignUp", attribute: "email", for: &user)
        case 2 where !user.confirmed:
            user.confirmed = true
            user.codes.remove("SignUp")
            user.attributes["email_verified"] = "true"
            let hook = HookInvocation(
                function: "post-confirmation", triggerSource: "PostConfirmation_ConfirmSignUp", durationMilliseconds: 3, outcome: "ok", decision: [:])
            return [UserConfirmed(by: "code", verifiedAttribute: "email"), HookInvoked(invocation: hook)]
        case 3:
            user.failures += 1
            return [
                SignInFailed(
                    flow: "USER_PASSWORD_AUTH", clientId: pool.client, poolId: pool.id, reason: "incorrect_password", failedAttempts: user.failures,
                    lockedUntil: user.failures >= 3 ? soon(900) : nil)
            ]
        case 4, 5:
            user.failures = 0
            let jti = "jti-\(next())"
            user.tokens.append(jti)
            var payloads: [any EventPayload] = []
            if let session = user.challenge {
                payloads.append(ChallengeAnswered(challengeName: "PASSWORD_VERIFIER", clientId: pool.client, sessionId: session, correct: true))
                user.challenge = nil
            }
            return payloads + [
                SignInSucceeded(
                    flow: "USER_SRP_AUTH", clientId: pool.client, originJti: jti, refreshTokenHash: "rt-\(jti)", authTime: now,
                    refreshExpiresAt: soon(2_592_000))
            ]
        case 6 where !user.tokens.isEmpty:
            return [TokensRefreshed(clientId: pool.client, originJti: user.tokens.randomElement(using: &random)!)]
        case 7 where !user.tokens.isEmpty:
            return [RefreshTokenRevoked(originJti: user.tokens.randomElement(using: &random)!)]
        case 8:
            user.attributes["email"] = "changed\(next())@example.com"
            user.attributes["email_verified"] = "false"
            return [UserProfileChanged(sealedProfile: .ciphertext(try newProfile(user)), changedAttributes: ["email", "email_verified"])]
                + (try issue("Verify:email", attribute: "email", for: &user))
        case 9:
            user.attributes["name"] = "Renamed \(next())"
            return [UserProfileChanged(sealedProfile: .ciphertext(try newProfile(user)), changedAttributes: ["name"])]
        case 10:
            user.attributes["email_verified"] = "true"
            user.codes.remove("Verify:email")
            return [AttributeVerified(attribute: "email")]
        case 11:
            user.attributes["phone_number_verified"] = "true"
            return [AttributeVerified(attribute: "phone_number")]
        case 12 where !user.codes.contains("ForgotPassword"):
            return try issue("ForgotPassword", attribute: "email", for: &user)
        case 12:
            user.codes.remove("ForgotPassword")
            return [
                PasswordChanged(
                    sealedVerifier: .ciphertext(try user.key.seal("new")), status: .confirmed, reason: "ForgotPassword",
                    consumedCode: "ForgotPassword")
            ]
        case 13 where user.challenge == nil:
            let session = "session-\(next())"
            user.challenge = session
            return [ChallengeIssued(challengeName: "PASSWORD_VERIFIER", clientId: pool.client, sessionId: session)]
        case 14:
            return [
                PasswordChanged(
                    sealedVerifier: .ciphertext(try user.key.seal("chosen")), status: .confirmed, reason: "NEW_PASSWORD_REQUIRED",
                    sessionId: "np-\(next())")
            ]
        case 15:
            return [PasswordResetRequired(by: "admin")]
        case 16:
            return [UserSignedOutGlobally(tokensValidAfter: now)]
        default:
            return []
        }
    }

    /// Moves verified emails between users of the first pool (ForceAliasCreation): the new holder takes
    /// the old holder's address, verifies it, and the old holder's copy is released in the same append.
    func transferAliases(_ count: Int) async throws {
        let candidates = users.indices.filter { users[$0].pool == 0 }
        var done = 0
        for (from, to) in zip(candidates, candidates.dropFirst()) where done < count {
            guard users[from].attributes["email_verified"] == "true", let email = users[from].attributes["email"] else { continue }
            var taker = users[to]
            taker.attributes["email"] = email
            taker.attributes["email_verified"] = "false"
            try await append(
                AppendBatch(
                    stream: taker.stream, expected: .exact(taker.version),
                    events: events(
                        taker.stream, [UserProfileChanged(sealedProfile: .ciphertext(try newProfile(taker)), changedAttributes: ["email"])])))
            taker.version += 1
            var holder = users[from]
            var batch = AppendBatch(
                stream: holder.stream, expected: .exact(holder.version),
                events: events(holder.stream, [AliasReleased(attribute: "email", takenBy: taker.sub)]))
            batch.append(
                stream: taker.stream, expected: .exact(taker.version), events: events(taker.stream, [AttributeVerified(attribute: "email")]))
            try await append(batch)
            holder.version += 1
            holder.attributes["email_verified"] = "false"
            taker.version += 1
            taker.attributes["email_verified"] = "true"
            users[from] = holder
            users[to] = taker
            done += 1
        }
    }

    /// Deletes every `nth` user, destroying their data key (crypto-shredding).
    func deleteUsers(every nth: Int) async throws {
        var kept: [User] = []
        for (index, user) in users.enumerated() {
            guard index % nth == 0 else {
                kept.append(user)
                continue
            }
            var batch = AppendBatch(
                stream: user.stream, expected: .exact(user.version),
                events: events(user.stream, [UserDeleted(poolId: pools[user.pool].id, by: "admin")]))
            batch.dataKeysToDestroy = [user.sub.rawValue]
            try await append(batch)
        }
        users = kept
    }

    /// Deletes the last pool with its client and users.
    func deleteLastPool() async throws {
        let pool = pools.removeLast()
        let stream = Stream.userPool(pool.id)
        try await append(AppendBatch(stream: stream, expected: .exact(2), events: events(stream, [UserPoolDeleted(poolId: pool.id)])))
        users.removeAll { $0.pool == pools.count }
    }
}
