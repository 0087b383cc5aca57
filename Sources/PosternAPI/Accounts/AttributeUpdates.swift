import Foundation
import PosternCore
import PosternCrypto
import PosternStore

/// Attribute changes after sign-up (UpdateUserAttributes, AdminUpdateUserAttributes) and the
/// verification of contact attributes (GetUserAttributeVerificationCode, VerifyUserAttribute). The rules
/// are `ProfileUpdate` and `UserAccount.decide(.verifyAttribute)` in Core; here they meet the directory
/// (alias holders), the CustomMessage hook and the log.
extension AttributeService {
    func updateAttributes(
        user: UserRecord, pool: PoolRecord, changes: [AttributeType], deletions: [String] = [], writer: AttributeValidator.Writer,
        clientId: ClientID?, clientMetadata: [String: String]?, call: Call
    ) async throws -> [CodeDeliveryDetails] {
        let update = try ProfileUpdate(
            current: user.attributes, changes: changes.map(UserAttribute.init), deletions: deletions, writer: writer, settings: pool.settings)
        let attributes = update.attributes
        guard user.wrappedDataKey != nil else { throw DomainError.userNotFound }
        try await requireFreeUsernameKey(pool: pool, user: user, attributes: attributes)
        let transfers = try await aliasTransfers(pool: pool, sub: user.sub, attributes: attributes, force: false)
        let stream = Stream.user(user.sub)
        guard !update.isEmpty else { return [] }
        var events = [NewEvent(streamID: stream, update.event(username: user.username))]
        var deliveries: [CodeDeliveryDetails] = []
        for name in update.contactsToVerify {
            let (codeEvents, delivery) = try await codeEvents(
                for: (user.sub, user.username, attributes), pool: pool, purpose: "Verify:\(name)", kind: "UpdateUserAttribute",
                now: call.now, preferred: [name], context: MessageContext(clientId: clientId, clientMetadata: clientMetadata, userStatus: user.status)
            )
            events += codeEvents
            if let delivery { deliveries.append(delivery) }
        }
        var batch = AppendBatch()
        batch.appends = transfers
        batch.append(stream: stream, expected: .exact(user.version), events: events, sealingKey: user.sealingKey)
        try await commit(batch, metadata: call.metadata(actor: writer.isClient ? user.sub.rawValue : nil, clientId: clientId))
        return deliveries
    }

    /// Sends a code to verify the user's email or phone number (`CustomMessage_VerifyUserAttribute`).
    func sendAttributeCode(user: UserRecord, pool: PoolRecord, attribute: String, clientId: ClientID, clientMetadata: [String: String]?, call: Call)
        async throws -> CodeDeliveryDetails
    {
        guard UserAccount.contactAttributes.contains(attribute) else { throw UserAccount.notVerifiable }
        guard !(user.attributes[attribute] ?? "").isEmpty else {
            throw DomainError.invalidParameter("The user has no \(attribute) to verify.")
        }
        try await countCodeRequest(call: call)
        try await requireCodeIssueAllowed(user: user, purpose: "Verify:\(attribute)", now: call.now)
        guard user.wrappedDataKey != nil else { throw DomainError.userNotFound }
        let (events, delivery) = try await codeEvents(
            for: (user.sub, user.username, user.attributes), pool: pool, purpose: "Verify:\(attribute)", kind: "VerifyUserAttribute",
            now: call.now, preferred: [attribute],
            context: MessageContext(clientId: clientId, clientMetadata: clientMetadata, userStatus: user.status))
        guard let delivery else { throw DomainError.invalidParameter("The user has no \(attribute) to verify.") }
        try await commit(
            .init(stream: Stream.user(user.sub), expected: .exact(user.version), events: events, sealingKey: user.sealingKey),
            metadata: call.metadata(actor: user.sub.rawValue, clientId: clientId))
        return delivery
    }

    /// Checks the code and marks the attribute verified.
    func verifyAttribute(user: UserRecord, pool: PoolRecord, attribute: String, code: String, clientId: ClientID, call: Call) async throws {
        guard UserAccount.contactAttributes.contains(attribute) else { throw UserAccount.notVerifiable }
        try await checkCode(code, user: user, purpose: "Verify:\(attribute)", clientId: clientId, call: call)
        var proved = user.attributes
        proved["\(attribute)_verified"] = "true"
        _ = try await aliasTransfers(pool: pool, sub: user.sub, attributes: proved, force: false)
        try await apply(
            .verifyAttribute(attribute), to: user, context: AccountCommandContext(now: call.now), call: call, actor: user.sub.rawValue,
            clientId: clientId)
    }
}
