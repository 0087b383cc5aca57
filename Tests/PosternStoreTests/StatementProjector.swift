import Foundation
import Logging
import PosternCore
import PosternStore
import PostgresNIO
import Synchronization

/// The directory projector of the previous release (be47070), kept verbatim as a test oracle: it runs one
/// statement at a time, and `DirectoryReducerEquivalenceTests` checks that the reducers write exactly the
/// rows it writes. Only its name, its memo and its visibility changed.
struct StatementProjector: InlineProjector {
    let opener: any SubjectDataOpener
    /// The sign-in name settings of each pool (fixed when the pool is created, as in Cognito).
    let signInSettingsByPool = StatementProjectorMemo()

    init(opener: any SubjectDataOpener) { self.opener = opener }

    /// Applies a batch. A user row's `version` is the version of its stream's last event in the batch:
    /// each statement that writes the row sets it, and a stream whose events wrote no row of their own
    /// gets one UPDATE at the end, so a command's several events cost one version write, not one each.
    func apply(_ events: [RecordedEvent], context: ProjectionContext, on connection: PostgresConnection, logger: Logger) async throws {
        var finalVersion: [String: Int] = [:]
        for event in events where event.streamID.hasPrefix("user-") { finalVersion[event.streamEntityID] = event.streamVersion }
        var versionWritten: Set<String> = []
        for event in events {
            let sub = event.streamEntityID
            let wrote = try await apply(
                event, version: finalVersion[sub] ?? event.streamVersion, context: context, on: connection, logger: logger)
            if wrote { versionWritten.insert(sub) }
        }
        for (sub, version) in finalVersion where !versionWritten.contains(sub) {
            _ = try await connection.query("UPDATE users SET version = \(version) WHERE sub = \(sub)", logger: logger)
        }
    }

    /// Applies one event; true when it wrote the user row unconditionally, `version` included.
    func apply(_ event: RecordedEvent, version: Int, context: ProjectionContext, on connection: PostgresConnection, logger: Logger)
        async throws -> Bool
    {
        let at = event.recordedAt
        func run(_ query: PostgresQuery) async throws { _ = try await connection.query(query, logger: logger) }
        let sub = event.streamEntityID
        let isUserStream = event.streamID.hasPrefix("user-")

        switch event.type {
        case UserPoolCreated.eventType:
            let created = try event.payload(as: UserPoolCreated.self)
            try await run(
                """
                INSERT INTO user_pools (pool_id, name, config, signing_keys, created_at, updated_at)
                VALUES (\(created.poolId.rawValue), \(created.name), \(try jsonText(created.settings))::jsonb,
                        \(try jsonText(JSONValue.encode(created.signingKeys)))::jsonb, \(at), \(at))
                """)
        case UserPoolUpdated.eventType:
            let updated = try event.payload(as: UserPoolUpdated.self)
            try await run(
                "UPDATE user_pools SET config = \(try jsonText(updated.settings))::jsonb, updated_at = \(at) WHERE pool_id = \(updated.poolId.rawValue)"
            )
        case UserPoolDeleted.eventType:
            let pool = try event.payload(as: UserPoolDeleted.self).poolId.rawValue
            try await run("DELETE FROM confirmation_codes WHERE sub IN (SELECT sub FROM users WHERE pool_id = \(pool))")
            try await run("DELETE FROM refresh_tokens WHERE pool_id = \(pool)")
            try await run("DELETE FROM sign_in_aliases WHERE pool_id = \(pool)")
            try await run("DELETE FROM users WHERE pool_id = \(pool)")
            try await run("DELETE FROM user_pool_clients WHERE pool_id = \(pool)")
            try await run("DELETE FROM user_pools WHERE pool_id = \(pool)")
        case UserPoolClientCreated.eventType:
            let created = try event.payload(as: UserPoolClientCreated.self)
            try await run(
                """
                INSERT INTO user_pool_clients (client_id, pool_id, name, config, sealed_secret, created_at, updated_at)
                VALUES (\(created.clientId.rawValue), \(created.poolId.rawValue), \(ClientSettings(json: created.settings).name),
                        \(try jsonText(created.settings))::jsonb, \(created.sealedSecret), \(at), \(at))
                """)
        case UserPoolClientUpdated.eventType:
            let updated = try event.payload(as: UserPoolClientUpdated.self)
            try await run(
                """
                UPDATE user_pool_clients SET config = \(try jsonText(updated.settings))::jsonb,
                    name = \(ClientSettings(json: updated.settings).name), updated_at = \(at)
                WHERE client_id = \(updated.clientId.rawValue)
                """)
        case UserPoolClientDeleted.eventType:
            let deleted = try event.payload(as: UserPoolClientDeleted.self)
            try await run("DELETE FROM user_pool_clients WHERE client_id = \(deleted.clientId.rawValue)")
        case UserRegistered.eventType:
            let registered = try event.payload(as: UserRegistered.self)
            let profile = try await openProfile(
                registered.sealedProfile.ciphertext ?? "", subject: registered.sub.rawValue, context, connection, logger)
            let settings = try await signInSettings(pool: registered.poolId.rawValue, connection, logger)
            // A shredded user is replayed as an anonymous row; its UserDeleted event removes it again.
            let username = profile?.username ?? ""
            let key = profile.map { settings.signInKey(username: $0.username, attributes: $0.attributes) } ?? "shredded:\(sub)"
            try await run(
                """
                INSERT INTO users (sub, pool_id, username, username_key, attributes, status, enabled, sealed_verifier,
                                   password_set_at, created_at, updated_at, version)
                VALUES (\(sub), \(registered.poolId.rawValue), \(username), \(key),
                        \(try jsonText(JSONValue.encode(profile?.attributes ?? [:])))::jsonb, \(registered.status.rawValue), true,
                        \(registered.sealedVerifier?.ciphertext), \(registered.sealedVerifier == nil ? nil : at), \(at), \(at), \(version))
                """)
            if let profile {
                try await claim(
                    settings.signInAliases(attributes: profile.attributes), sub: sub, pool: registered.poolId.rawValue, connection, logger)
            }
            return true
        case UserProfileChanged.eventType:
            let changed = try event.payload(as: UserProfileChanged.self)
            // A changed contact voids the codes sent to its old value (their counters stay).
            let contacts = changed.changedAttributes.filter { $0 == "email" || $0 == "phone_number" }
            if !contacts.isEmpty {
                try await run("UPDATE confirmation_codes SET code_hash = '' WHERE sub = \(sub) AND attribute = ANY(\(contacts))")
            }
            if let profile = try await openProfile(changed.sealedProfile.ciphertext ?? "", subject: sub, context, connection, logger) {
                try await run(
                    """
                    UPDATE users SET attributes = \(try jsonText(JSONValue.encode(profile.attributes)))::jsonb, updated_at = \(at),
                        version = \(version)
                    WHERE sub = \(sub)
                    """)
                try await refreshSignInNames(sub: sub, connection, logger)
                return true
            }
        case ConfirmationCodeIssued.eventType:
            let issued = try event.payload(as: ConfirmationCodeIssued.self)
            try await run(
                """
                INSERT INTO confirmation_codes (sub, purpose, code_hash, expires_at, attempts, attribute, issued_count,
                                                issue_window_started_at)
                VALUES (\(sub), \(issued.purpose), \(issued.codeHash), \(issued.expiresAt), 0, \(issued.attribute), 1, \(at))
                ON CONFLICT (sub, purpose) DO UPDATE SET code_hash = EXCLUDED.code_hash, expires_at = EXCLUDED.expires_at,
                    attribute = EXCLUDED.attribute,
                    issued_count = CASE WHEN confirmation_codes.issue_window_started_at + interval '1 hour' > \(at)
                                        THEN confirmation_codes.issued_count + 1 ELSE 1 END,
                    issue_window_started_at = CASE WHEN confirmation_codes.issue_window_started_at + interval '1 hour' > \(at)
                                                   THEN confirmation_codes.issue_window_started_at ELSE \(at) END
                """)
        case ConfirmationCodeRejected.eventType:
            let rejected = try event.payload(as: ConfirmationCodeRejected.self)
            // Failures count in a window (CodeLimits) that a re-issue does not reset.
            try await run(
                """
                UPDATE confirmation_codes SET
                    attempts = CASE WHEN failure_window_started_at + interval '1 hour' > \(at) THEN attempts + 1 ELSE 1 END,
                    failure_window_started_at = CASE WHEN failure_window_started_at + interval '1 hour' > \(at)
                                                     THEN failure_window_started_at ELSE \(at) END
                WHERE sub = \(sub) AND purpose = \(rejected.purpose)
                """)
        case UserConfirmed.eventType:
            let confirmed = try event.payload(as: UserConfirmed.self)
            try await run("UPDATE users SET status = 'CONFIRMED', updated_at = \(at), version = \(version) WHERE sub = \(sub)")
            if let attribute = confirmed.verifiedAttribute {
                try await run(
                    """
                    UPDATE users SET attributes = jsonb_set(attributes, ARRAY[\(attribute + "_verified")], '"true"'::jsonb)
                    WHERE sub = \(sub) AND attributes ? \(attribute)
                    """)
            }
            try await run("DELETE FROM confirmation_codes WHERE sub = \(sub) AND purpose = 'SignUp'")
            if confirmed.verifiedAttribute != nil { try await refreshSignInNames(sub: sub, connection, logger) }
            return true
        case PasswordChanged.eventType:
            let changed = try event.payload(as: PasswordChanged.self)
            try await run(
                """
                UPDATE users SET sealed_verifier = \(changed.sealedVerifier.ciphertext), status = \(changed.status.rawValue),
                    password_set_at = \(at), failed_attempts = 0, locked_until = NULL, updated_at = \(at), version = \(version)
                WHERE sub = \(sub)
                """)
            if let session = changed.sessionId {
                try await run("INSERT INTO used_sessions (session_id, used_at) VALUES (\(session), \(at))")
            }
            if let purpose = changed.consumedCode {
                try await run("DELETE FROM confirmation_codes WHERE sub = \(sub) AND purpose = \(purpose)")
            }
            return true
        case AttributeVerified.eventType:
            let attribute = try event.payload(as: AttributeVerified.self).attribute
            try await run(
                """
                UPDATE users SET attributes = jsonb_set(attributes, ARRAY[\(attribute + "_verified")], '"true"'::jsonb), updated_at = \(at)
                WHERE sub = \(sub) AND attributes ? \(attribute)
                """)
            try await run("DELETE FROM confirmation_codes WHERE sub = \(sub) AND purpose = \("Verify:" + attribute)")
            try await refreshSignInNames(sub: sub, connection, logger)
        case AliasReleased.eventType:
            let attribute = try event.payload(as: AliasReleased.self).attribute
            try await run(
                """
                UPDATE users SET attributes = jsonb_set(attributes, ARRAY[\(attribute + "_verified")], '"false"'::jsonb), updated_at = \(at)
                WHERE sub = \(sub) AND attributes ? \(attribute)
                """)
            try await refreshSignInNames(sub: sub, connection, logger)
        case PasswordResetRequired.eventType:
            try await run("UPDATE users SET status = 'RESET_REQUIRED', updated_at = \(at), version = \(version) WHERE sub = \(sub)")
            return true
        case ChallengeAnswered.eventType:
            let answered = try event.payload(as: ChallengeAnswered.self)
            try await run("INSERT INTO used_sessions (session_id, used_at) VALUES (\(answered.sessionId), \(at))")
        case SignInSucceeded.eventType:
            let signedIn = try event.payload(as: SignInSucceeded.self)
            // One statement: the user row (failures reset, version) and the refresh token that hangs off it.
            try await run(
                """
                WITH signed_in AS (
                    UPDATE users SET failed_attempts = 0, locked_until = NULL, version = \(version) WHERE sub = \(sub) RETURNING sub, pool_id)
                INSERT INTO refresh_tokens (token_hash, sub, pool_id, client_id, origin_jti, auth_time, issued_at, expires_at)
                SELECT \(signedIn.refreshTokenHash), sub, pool_id, \(signedIn.clientId.rawValue), \(signedIn.originJti),
                       \(signedIn.authTime), \(at), \(signedIn.refreshExpiresAt)
                FROM signed_in
                """)
            return true
        case SignInFailed.eventType where isUserStream:
            let failed = try event.payload(as: SignInFailed.self)
            if let attempts = failed.failedAttempts {
                try await run(
                    "UPDATE users SET failed_attempts = \(attempts), locked_until = \(failed.lockedUntil), version = \(version) WHERE sub = \(sub)")
                return true
            }
        case RefreshTokenRevoked.eventType:
            let revoked = try event.payload(as: RefreshTokenRevoked.self)
            try await run("UPDATE refresh_tokens SET revoked_at = \(at) WHERE origin_jti = \(revoked.originJti) AND revoked_at IS NULL")
        case UserSignedOutGlobally.eventType:
            let signedOut = try event.payload(as: UserSignedOutGlobally.self)
            try await run("UPDATE users SET tokens_valid_after = \(signedOut.tokensValidAfter), version = \(version) WHERE sub = \(sub)")
            try await run("UPDATE refresh_tokens SET revoked_at = \(at) WHERE sub = \(sub) AND revoked_at IS NULL")
            return true
        case UserDisabled.eventType, UserEnabled.eventType:
            let enabled = event.type == UserEnabled.eventType
            try await run("UPDATE users SET enabled = \(enabled), updated_at = \(at), version = \(version) WHERE sub = \(sub)")
            return true
        case UserDeleted.eventType:
            try await run("DELETE FROM sign_in_aliases WHERE sub = \(sub)")
            try await run("DELETE FROM confirmation_codes WHERE sub = \(sub)")
            try await run("DELETE FROM refresh_tokens WHERE sub = \(sub)")
            try await run("DELETE FROM users WHERE sub = \(sub)")
            return true  // no row left to version
        case AdminKeyCreated.eventType:
            let created = try event.payload(as: AdminKeyCreated.self)
            try await run(
                """
                INSERT INTO admin_keys (access_key_id, sealed_secret, description, created_at)
                VALUES (\(created.accessKeyId), \(created.sealedSecret), \(created.description), \(at))
                """)
        case AdminKeyRevoked.eventType:
            let revoked = try event.payload(as: AdminKeyRevoked.self)
            try await run("UPDATE admin_keys SET revoked_at = \(at) WHERE access_key_id = \(revoked.accessKeyId)")
        default:
            break  // Events without directory state (messages, challenges, refreshes, failed attempts on unknown users).
        }
        return false
    }

    /// The settings that shape sign-in names: the whole configuration is costly to parse.
    func signInSettings(pool: String, _ connection: PostgresConnection, _ logger: Logger) async throws -> UserPoolSettings {
        if let known = signInSettingsByPool.entries.withLock({ $0[pool] }) { return known }
        for try await config in try await connection.query(
            """
            SELECT jsonb_build_object('UsernameAttributes', config->'UsernameAttributes', 'AliasAttributes', config->'AliasAttributes',
                                      'UsernameConfiguration', config->'UsernameConfiguration')::text
            FROM user_pools WHERE pool_id = \(pool)
            """, logger: logger
        ).decode(String.self) {
            let settings = UserPoolSettings(json: try JSONValue.parse(config))
            signInSettingsByPool.entries.withLock { $0[pool] = settings }
            return settings
        }
        return UserPoolSettings(json: .object([:]))
    }

    /// Recomputes a user's username key (it follows the email in pools that sign in by email) and sign-in
    /// aliases from the attributes now in the directory. A name another user holds makes the unique keys
    /// refuse the whole transaction.
    func refreshSignInNames(sub: String, _ connection: PostgresConnection, _ logger: Logger) async throws {
        var found: (pool: String, username: String, attributes: [String: String], key: String)?
        for try await (pool, username, attributes, key) in try await connection.query(
            "SELECT pool_id, username, attributes::text, username_key FROM users WHERE sub = \(sub)", logger: logger
        ).decode((String, String, String, String).self) {
            found = (pool, username, try JSONValue.parse(attributes).decode([String: String].self), key)
        }
        // A shredded user, replayed as an anonymous row until its UserDeleted, has no names to sign in with.
        guard let found, !found.key.hasPrefix("shredded:") else { return }
        let settings = try await signInSettings(pool: found.pool, connection, logger)
        let key = settings.signInKey(username: found.username, attributes: found.attributes)
        if key != found.key {
            _ = try await connection.query("UPDATE users SET username_key = \(key) WHERE sub = \(sub)", logger: logger)
        }
        _ = try await connection.query("DELETE FROM sign_in_aliases WHERE sub = \(sub)", logger: logger)
        try await claim(settings.signInAliases(attributes: found.attributes), sub: sub, pool: found.pool, connection, logger)
    }

    func claim(_ aliases: [SignInAlias], sub: String, pool: String, _ connection: PostgresConnection, _ logger: Logger) async throws {
        guard !aliases.isEmpty else { return }
        _ = try await connection.query(
            """
            INSERT INTO sign_in_aliases (pool_id, alias_key, sub, attribute)
            SELECT \(pool), key, \(sub), attribute FROM unnest(\(aliases.map(\.key))::text[], \(aliases.map(\.attribute))::text[]) AS t(key, attribute)
            """, logger: logger)
    }

    /// Opens a user's sealed profile; nil once the user's data key was destroyed.
    func openProfile(_ sealed: String, subject: String, _ context: ProjectionContext, _ connection: PostgresConnection, _ logger: Logger)
        async throws -> UserProfile?
    {
        if let key = context.newDataKeys[subject] {
            return try JSONDecoder().decode(UserProfile.self, from: Data(try opener.open(sealed, wrappedKey: key)))
        }
        for try await key in try await connection.query(
            "SELECT wrapped_key FROM eventlog.data_keys WHERE subject = \(subject)", logger: logger
        ).decode(Data.self) {
            return try JSONDecoder().decode(UserProfile.self, from: Data(try opener.open(sealed, wrappedKey: [UInt8](key))))
        }
        return nil
    }

    func jsonText(_ value: JSONValue) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}

/// Sign-in name settings by pool id, shared by copies of the projector.
final class StatementProjectorMemo: Sendable {
    let entries = Mutex<[String: UserPoolSettings]>([:])
}
