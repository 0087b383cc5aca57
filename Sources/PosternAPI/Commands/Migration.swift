import Foundation
import Logging
import PosternCore
import PosternCrypto
import PosternStore

/// UserMigration (spec/triggers.md): a user unknown to the pool is looked up in a legacy directory by
/// the hook, and created from its answer — at a password sign-in (`UserMigration_Authentication`, with
/// the password the user typed, which becomes their password whatever the pool's policy) or at
/// ForgotPassword (`UserMigration_ForgotPassword`, without a password: the user must reset it).
extension Postern {
    /// The migrated user, or nil when the pool has no UserMigration function or the hook did not know
    /// the user (an answer without `userAttributes`).
    func migrateUser(
        pool: PoolRecord, client: ClientRecord, login: String, password: String?, validationData: [String: String]?,
        clientMetadata: [String: String]?, call: Call
    ) async throws -> UserRecord? {
        guard let arn = Triggers.arn("UserMigration", pool: pool) else { return nil }
        let source = password == nil ? "UserMigration_ForgotPassword" : "UserMigration_Authentication"
        var request: [String: JSONValue] = ["validationData": Triggers.json(validationData), "clientMetadata": Triggers.json(clientMetadata)]
        if let password { request["password"] = .string(password) }
        let record: HookInvocation, decision: MigrationDecision
        do {
            let (answer, ran) = try await triggers.invoke(
                "UserMigration", arn: arn, source: source, pool: pool, userName: login, clientId: client.id, request: .object(request),
                response: .object([
                    "userAttributes": .null, "finalUserStatus": .null, "messageAction": .null, "desiredDeliveryMediums": .null,
                    "forceAliasCreation": .null, "enableSMSMFA": .null,
                ]))
            record = ran
            decision = try MigrationDecision(answer["response"], forgotPassword: password == nil)
        } catch let error as AWSError where client.settings.preventUserExistenceErrors {
            // The hook's error text would tell a legacy lookup apart from a real user: the caller sees
            // what an unknown user sees, the log keeps the reason.
            logger.warning("UserMigration failed; answered as for an unknown user", metadata: ["error_type": "\(error.type)"])
            return nil
        }
        guard !decision.attributes.isEmpty else { return nil }

        let registration = try Registration(
            pool: pool, requestedUsername: login, attributes: decision.attributes.map { AttributeType(Name: $0.key, Value: $0.value) },
            writer: .admin)
        let key = try master.newDataKey()
        let sub = registration.sub
        let stream = Stream.user(sub)
        var migrated = record
        migrated.decision = [
            "finalUserStatus": .string(decision.status.rawValue), "messageAction": decision.messageAction.map(JSONValue.string) ?? .null,
            "userAttributes": .array(registration.attributes.keys.sorted().map(JSONValue.string)),
        ]
        let registered = UserRegistered(
            poolId: pool.id, sub: sub, origin: "UserMigration",
            sealedProfile: try key.key.seal(json: UserProfile(username: registration.username, attributes: registration.attributes)),
            sealedVerifier: try password.map { try sealedVerifier(password: $0, pool: pool, username: registration.username, key: key.key) },
            status: decision.status, clientId: client.id, migration: migrated)
        var batch = AppendBatch(stream: stream, expected: .noStream, events: [try NewEvent(streamID: stream, registered)])
        batch.dataKeysToCreate = [(sub.rawValue, key.wrapped)]
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

/// A UserMigration answer, checked as Cognito checks it: string attributes, a known final status,
/// message action and delivery media.
struct MigrationDecision {
    var attributes: [String: String] = [:]
    var status: UserStatus = .resetRequired
    var messageAction: String?

    init(_ response: JSONValue?, forgotPassword: Bool) throws {
        let invalid = AWSError.invalidLambdaResponse()
        switch response?["userAttributes"] {
        case nil, .null?: return
        case .object(let members)?:
            attributes = try members.mapValues {
                guard let value = $0.stringValue else { throw invalid }; return value
            }
        default: throw invalid
        }
        switch response?["finalUserStatus"] {
        case nil, .null?: status = .resetRequired
        case .string("CONFIRMED")?: status = .confirmed
        case .string("RESET_REQUIRED")?: status = .resetRequired
        default: throw invalid
        }
        // A user found at ForgotPassword has no password yet: they reset it whatever the hook says.
        if forgotPassword { status = .resetRequired }
        switch response?["messageAction"] {
        case nil, .null?: messageAction = nil
        case .string(let action)? where ["SUPPRESS", "RESEND"].contains(action): messageAction = action
        default: throw invalid
        }
        switch response?["desiredDeliveryMediums"] {
        case nil, .null?: break
        case .array(let media)? where media.allSatisfy({ ["EMAIL", "SMS"].contains($0.stringValue ?? "") }): break
        default: throw invalid
        }
    }
}
