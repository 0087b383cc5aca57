import Foundation
import PosternCore
import PosternCrypto
import PosternStore

/// Answers for clients that hide user existence (`PreventUserExistenceErrors = ENABLED`): whatever the
/// user's state, the caller learns nothing it could not learn about a real user who can receive a code.
///
/// A decoy delivery looks like a real one: the masked address of what was typed when it is an email or
/// phone number (a real user signing in with it would show exactly that), otherwise a masked address
/// whose letters come from a keyed hash of the name, so asking twice gives the same answer. The request
/// is recorded (`UserExistenceHidden`), which also gives the decoy the cost of a write, as the real
/// answer has.
extension UserExistenceService {
    /// `medium` (`EMAIL` or `SMS`) fixes the kind of contact, as a code factor the caller chose does;
    /// otherwise the pool's auto-verified attributes decide.
    func decoyDelivery(for login: String, pool: PoolRecord, medium: String? = nil) -> CodeDeliveryDetails {
        if medium != "SMS", AttributeValidator.isEmail(login) { return CodeDeliveryDetails(medium: "EMAIL", attribute: "email", destination: login) }
        if medium != "EMAIL", AttributeValidator.isPhoneNumber(login) {
            return CodeDeliveryDetails(medium: "SMS", attribute: "phone_number", destination: login)
        }
        let digest = Array(master.codeHasher.hash(pool.settings.usernameKey(login), context: "decoy delivery|\(pool.id.rawValue)").utf8)
        let letters = Array("abcdefghijklmnopqrstuvwxyz")
        let texts =
            medium.map { $0 == "SMS" }
            ?? (!pool.settings.autoVerifiedAttributes.contains("email") && pool.settings.autoVerifiedAttributes.contains("phone_number"))
        if texts {
            let digits = digest.prefix(10).map { String($0 % 10) }.joined()
            return CodeDeliveryDetails(medium: "SMS", attribute: "phone_number", destination: "+1" + digits)
        }
        let name = letters[Int(digest[0]) % letters.count], domain = letters[Int(digest[1]) % letters.count]
        return CodeDeliveryDetails(medium: "EMAIL", attribute: "email", destination: "\(name)x@\(domain)x.com")
    }

    /// Records a request whose true answer was hidden from the caller.
    func recordHiddenExistence(pool: PoolRecord, client: ClientRecord, user: UserRecord?, reason: String, call: Call) async throws {
        let stream = Stream.attempt(UUID())
        let event = UserExistenceHidden(poolId: pool.id, clientId: client.id, sub: user?.sub, reason: reason)
        try await commit(
            .init(stream: stream, expected: .noStream, events: [NewEvent(streamID: stream, event)]), metadata: call.metadata(clientId: client.id))
    }

    /// The decoy answer of a code request (ForgotPassword, ResendConfirmationCode), recorded, and limited
    /// per name as a real user's requests are (`CodeLimits`), so the limit tells no one apart either.
    func hiddenCodeDelivery(
        login: String, pool: PoolRecord, client: ClientRecord, user: UserRecord?, purpose: String, reason: String, medium: String? = nil,
        call: Call
    ) async throws -> CodeDeliveryDetails {
        if await throttle.count([throttle.hiddenCodeRequestLimit(pool: pool, purpose: purpose, login: login)], now: call.now) {
            throw CodeLimits.exceeded
        }
        try await recordHiddenExistence(pool: pool, client: client, user: user, reason: reason, call: call)
        return decoyDelivery(for: login, pool: pool, medium: medium)
    }
}
