import Foundation
import PosternCore
import PosternCrypto
import PosternStore

/// One-time codes (sign-up, password reset, attribute verification, the MFA and passwordless codes):
/// issued with their message, limited per user and per address, and proved against their keyed hash.
/// The rules of proving are `OneTimeCodeCheck` in Core.
extension OneTimeCodeService {
    /// Events that send a one-time code to the user's contact attribute and record its keyed hash, and
    /// the masked delivery details. `purpose` names the code, `kind` the message (as CustomMessage's trigger
    /// sources do: SignUp, ResendCode, AdminCreateUser, ForgotPassword …).
    func codeEvents(
        for user: (sub: Sub, username: String, attributes: [String: String]), pool: PoolRecord, purpose: String, kind: String? = nil,
        template: String? = nil, now: Date, preferred: [String]? = nil, validity: TimeInterval = 86_400,
        context: MessageContext = MessageContext()
    ) async throws -> ([NewEvent], CodeDeliveryDetails?) {
        let code = Random.code()
        guard
            let message = try await messageEvent(
                for: user, pool: pool, template: template ?? purpose, kind: kind ?? purpose, preferred: preferred, code: code, context: context)
        else { return ([], nil) }
        let attribute = message.delivery.AttributeName
        let issued = ConfirmationCodeIssued(
            purpose: purpose, codeHash: codeHash(code, sub: user.sub, purpose: purpose, boundTo: (attribute, user.attributes[attribute] ?? "")),
            expiresAt: now.addingTimeInterval(validity), messageId: message.messageId, attribute: attribute)
        return ([NewEvent(streamID: Stream.user(user.sub), issued), message.event], message.delivery)
    }

    /// Counts a request for a code against its source address (`ThrottlePolicy.codeRequestsPerAddress`).
    func countCodeRequest(call: Call) async throws {
        if await throttle.count(throttle.codeRequestLimits(sourceIp: call.sourceIp), now: call.now) { throw DomainError.rateExceeded }
    }

    /// Refuses to send another code of `purpose` once the user had `CodeLimits.maximumIssues` this hour.
    func requireCodeIssueAllowed(user: UserRecord, purpose: String, now: Date) async throws {
        let pending = try await directory.confirmationCode(sub: user.sub, purpose: purpose)
        if !CodeLimits.mayIssue(pending?.counters, now: now) { throw CodeLimits.exceeded }
    }

    /// Checks a one-time code of `purpose` (SignUp, ForgotPassword …) against the value the code was sent
    /// to (`OneTimeCodeCheck`: the rules; here, the constant-time comparison of keyed hashes) and returns
    /// the contact attribute it proves. A wrong code is recorded and counts toward
    /// `CodeLimits.maximumFailures`, across re-issues, and toward the per-address limit.
    @discardableResult
    func checkCode(_ given: String, user: UserRecord, purpose: String, clientId: ClientID?, call: Call) async throws -> String? {
        let limits = throttle.wrongCodeLimits(sourceIp: call.sourceIp)
        try await throttle.requireOpen(limits.map(\.key), now: call.now)
        let pending = try await directory.confirmationCode(sub: user.sub, purpose: purpose)
        let outcome = OneTimeCodeCheck.decide(
            pending: pending,
            matches: { code in
                let boundTo = code.attribute.map { ($0, user.attributes[$0] ?? "") }
                return constantTimeEquals(codeHash(given, sub: user.sub, purpose: purpose, boundTo: boundTo), code.codeHash)
            }, now: call.now)
        switch outcome {
        case .proved(let attribute):
            return attribute
        case .refused(let error, let recordsRejection):
            if recordsRejection {
                try await appendToUser(
                    user, [OneTimeCodeCheck.rejection(purpose: purpose)], call: call, actor: user.sub.rawValue, clientId: clientId)
                await throttle.count(limits, now: call.now)
            }
            throw error
        }
    }

    /// The keyed hash of a code; a code sent to a contact covers that attribute's value, so it proves
    /// nothing once the value changed.
    func codeHash(_ code: String, sub: Sub, purpose: String, boundTo contact: (attribute: String, value: String)?) -> String {
        guard let contact else { return master.codeHasher.hash(code, context: "\(sub.rawValue)|\(purpose)") }
        return master.codeHasher.hash(code, context: "\(sub.rawValue)|\(purpose)|\(contact.attribute)=\(contact.value)")
    }
}
