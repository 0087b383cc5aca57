import Foundation
import Logging
import PosternCore
import PosternCrypto
import PosternHooks
import PosternStore

/// UserMigration (spec/triggers.md): a user unknown to the pool is looked up in a legacy directory by
/// the hook, and created from its answer — at a password sign-in (`UserMigration_Authentication`, with
/// the password the user typed, which becomes their password whatever the pool's policy) or at
/// ForgotPassword (`UserMigration_ForgotPassword`, without a password: the user must reset it).
extension UserMigrationService {
    /// The migrated user, or nil when the pool has no UserMigration function or the hook did not know
    /// the user (an answer without `userAttributes`).
    func migrateUser(
        pool: PoolRecord, client: ClientRecord, login: String, password: String?, validationData: [String: String]?,
        clientMetadata: [String: String]?, call: Call
    ) async throws -> UserRecord? {
        guard let arn = Triggers.arn("UserMigration", pool: pool) else { return nil }
        let source = UserMigrationTrigger.source(hasPassword: password != nil)
        let request = UserMigrationTrigger.request(password: password, validationData: validationData, clientMetadata: clientMetadata)
        let record: HookInvocation, decision: UserMigrationTrigger.Decision
        do {
            let (answer, ran) = try await triggers.invoke(
                "UserMigration", arn: arn, source: source, pool: pool, userName: login, clientId: client.id, request: request,
                response: UserMigrationTrigger.neutralResponse)
            record = ran
            decision = try Triggers.reading { () throws(InvalidTriggerAnswer) in
                try UserMigrationTrigger.decision(answer, forgotPassword: password == nil)
            }
        } catch let error as AWSError where client.settings.preventUserExistenceErrors {
            // The hook's error text would tell a legacy lookup apart from a real user: the caller sees
            // what an unknown user sees, the log keeps the reason.
            logger.warning("UserMigration failed; answered as for an unknown user", metadata: ["error_type": "\(error.type)"])
            return nil
        }
        guard !decision.attributes.isEmpty else { return nil }

        let registration = try UserRegistration(
            pool: pool, requestedUsername: login, attributes: decision.attributes.map { AttributeType(Name: $0.key, Value: $0.value) },
            writer: .admin)
        let sub = registration.sub
        let stream = Stream.user(sub)
        var migrated = record
        migrated.decision = [
            "finalUserStatus": .string(decision.status.rawValue), "messageAction": decision.messageAction.map(JSONValue.string) ?? .null,
            "userAttributes": .array(registration.attributes.keys.sorted().map(JSONValue.string)),
        ]
        let registered = registration.registered(
            poolId: pool.id, origin: "UserMigration",
            verifier: password.map { newVerifier(password: $0, pool: pool, username: registration.username) },
            status: decision.status, clientId: client.id, migration: migrated)
        let batch = AppendBatch(stream: stream, expected: .noStream, events: [NewEvent(streamID: stream, registered)], sealingKey: .new)
        do {
            try await commit(batch, metadata: call.metadata(actor: sub.rawValue, clientId: client.id))
        } catch {
            // A concurrent sign-in migrated the same user first: use theirs.
            guard error == .uniqueValueTaken(constraint: "users_username_unique") else { throw error }
            return try await directory.user(pool: pool, login: login)
        }
        return try await directory.user(sub: sub.rawValue)
    }
}
