import Foundation
import PosternCore
import PosternCrypto
import PosternStore

/// Attribute changes after sign-up (UpdateUserAttributes, AdminUpdateUserAttributes) and the
/// verification of contact attributes (GetUserAttributeVerificationCode, VerifyUserAttribute).
///
/// A blank value deletes an attribute. A changed email or phone number is no longer verified and, when
/// the pool auto-verifies it, gets a code (`CustomMessage_UpdateUserAttribute`) unless an administrator
/// marks it verified in the same call. Pending-until-verified updates
/// (`AttributesRequireVerificationBeforeUpdate`) are not supported: the new value applies at once.
extension Postern {
    static let contactAttributes = ["email", "phone_number"]

    func updateAttributes(
        user: UserRecord, pool: PoolRecord, changes: [AttributeType], deletions: [String] = [], writer: AttributeValidator.Writer,
        clientId: ClientID?, clientMetadata: [String: String]?, call: Call
    ) async throws -> [CodeDeliveryDetails] {
        let schema = Dictionary(pool.settings.schema.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var given = try AttributeValidator(pool: pool).validate(changes, writer: writer, requireAll: false)
        for name in deletions {
            try AttributeValidator(pool: pool).checkDeletable(name, writer: writer)
            given[name] = ""
        }
        var attributes = user.attributes
        var changedContacts: [String] = []
        for (name, value) in given.sorted(by: { $0.key < $1.key }) {
            if schema[name]?.mutable == false, user.attributes[name] != nil, user.attributes[name] != value {
                throw DomainError.notAuthorized("Cannot modify an already provided immutable attribute \(name)")
            }
            if value.isEmpty {
                if schema[name]?.required == true {
                    throw DomainError.invalidParameter("Attributes did not conform to the schema: \(name): The attribute \(name) is required")
                }
                attributes[name] = nil
                if Self.contactAttributes.contains(name) { attributes["\(name)_verified"] = nil }
                continue
            }
            if Self.contactAttributes.contains(name), attributes[name] != value {
                changedContacts.append(name)
                attributes["\(name)_verified"] = "false"
            }
            attributes[name] = value
        }
        // An administrator may verify a contact in the same call (email_verified=true).
        for name in Self.contactAttributes where given["\(name)_verified"] != nil {
            attributes["\(name)_verified"] = given["\(name)_verified"]
        }
        guard user.wrappedDataKey != nil else { throw DomainError.userNotFound }
        try await requireFreeUsernameKey(pool: pool, user: user, attributes: attributes)
        let transfers = try await aliasTransfers(pool: pool, sub: user.sub, attributes: attributes, force: false)
        let stream = Stream.user(user.sub)
        let changedNames = Set(attributes.keys).union(user.attributes.keys).filter { attributes[$0] != user.attributes[$0] }.sorted()
        guard !changedNames.isEmpty else { return [] }
        var events = [
            NewEvent(
                streamID: stream,
                UserProfileChanged(
                    sealedProfile: .plaintext(UserProfile(username: user.username, attributes: attributes)), changedAttributes: changedNames))
        ]
        var deliveries: [CodeDeliveryDetails] = []
        for name in changedContacts where pool.settings.autoVerifiedAttributes.contains(name) && attributes["\(name)_verified"] != "true" {
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
        guard Self.contactAttributes.contains(attribute) else {
            throw DomainError.invalidParameter("Invalid attribute name: only email and phone_number can be verified.")
        }
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
        guard Self.contactAttributes.contains(attribute) else {
            throw DomainError.invalidParameter("Invalid attribute name: only email and phone_number can be verified.")
        }
        try await checkCode(code, user: user, purpose: "Verify:\(attribute)", clientId: clientId, call: call)
        var proved = user.attributes
        proved["\(attribute)_verified"] = "true"
        _ = try await aliasTransfers(pool: pool, sub: user.sub, attributes: proved, force: false)
        try await appendToUser(user, [AttributeVerified(attribute: attribute)], call: call, actor: user.sub.rawValue, clientId: clientId)
    }
}
