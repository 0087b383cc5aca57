import Foundation
import PosternCore
import PosternCrypto
import PosternStore

/// The messages Postern sends (codes, temporary passwords): their text, the CustomMessage hook, and the
/// outbox event that carries them, sealed, to the delivery worker.
extension MessageService {
    /// The outbox event of a message carrying `code` (a one-time code or a temporary password; the store
    /// seals it with the user's data key), or nil when the user has no contact for any of the `preferred` attributes
    /// (default: the pool's auto-verified ones). When both contacts qualify, Cognito sends to the phone.
    /// The pool's CustomMessage hook, if any, writes the text (`CustomMessage_<kind>`).
    func messageEvent(
        for user: (sub: Sub, username: String, attributes: [String: String]), pool: PoolRecord, template: String, kind: String,
        preferred: [String]?, code: String, context: MessageContext = MessageContext()
    ) async throws -> (event: NewEvent, messageId: String, delivery: CodeDeliveryDetails)? {
        let candidates = preferred ?? pool.settings.autoVerifiedAttributes
        let order = ["phone_number", "email"].filter { candidates.contains($0) }
        guard let attribute = order.first(where: { !(user.attributes[$0] ?? "").isEmpty }), let destination = user.attributes[attribute]
        else { return nil }
        let medium = attribute == "email" ? "EMAIL" : "SMS"
        var text = MessageTemplates.template(purpose: template, pool: pool, medium: medium)
        var hooks: [HookInvocation]?
        if let custom = try await triggers.customMessage(
            source: "CustomMessage_\(kind)", pool: pool, user: user, medium: medium, withUsername: template == "AdminCreateUser", context: context)
        {
            text = (custom.subject ?? text.subject, custom.body ?? text.body)
            hooks = [custom.record]
        }
        let message = OutboundMessage(
            username: user.username, destination: destination, subject: text.subject,
            message: MessageTemplates.render(text.body, username: user.username, code: code), code: code,
            clientMetadata: context.clientMetadata)
        let messageId = UUID().uuidString.lowercased()
        let queued = MessageQueued(
            messageId: messageId, poolId: pool.id, kind: kind, deliveryMedium: medium, sealedMessage: .plaintext(message), hooks: hooks)
        return (
            NewEvent(streamID: Stream.user(user.sub), queued), messageId,
            CodeDeliveryDetails(medium: medium, attribute: attribute, destination: destination)
        )
    }
}

/// Who asked for a message and what they passed along, for the CustomMessage hook.
struct MessageContext: Sendable {
    var clientId: ClientID?
    var clientMetadata: [String: String]?
    var userStatus: UserStatus?
}

/// Default message texts (the pool's templates when set), with `{####}` for the code and `{username}`.
enum MessageTemplates {
    static func template(purpose: String, pool: PoolRecord, medium: String) -> (subject: String?, body: String) {
        let settings = pool.settings.json
        switch purpose {
        case "Authentication":
            // MFA codes: SetUserPoolMfaConfig's SMS and email messages, else Cognito's defaults.
            if medium == "EMAIL" {
                let email = settings[UserPoolSettings.emailMFAMember]
                return (
                    email?["Subject"]?.stringValue ?? "Your authentication code",
                    email?["Message"]?.stringValue ?? "Your authentication code is {####}."
                )
            }
            return (nil, settings["SmsAuthenticationMessage"]?.stringValue ?? "Your authentication code is {####}.")
        case "AdminCreateUser":
            let invite = settings["AdminCreateUserConfig"]?["InviteMessageTemplate"]
            let body =
                (medium == "EMAIL" ? invite?["EmailMessage"] : invite?["SMSMessage"])?.stringValue
                ?? "Your username is {username} and temporary password is {####}."
            return (medium == "EMAIL" ? invite?["EmailSubject"]?.stringValue ?? "Your temporary password" : nil, body)
        default:
            let verification = settings["VerificationMessageTemplate"]
            guard medium == "EMAIL" else {
                return (
                    nil,
                    verification?["SmsMessage"]?.stringValue ?? settings["SmsVerificationMessage"]?.stringValue
                        ?? "Your verification code is {####}."
                )
            }
            let body =
                verification?["EmailMessage"]?.stringValue ?? settings["EmailVerificationMessage"]?.stringValue
                ?? "Your verification code is {####}."
            let subject =
                verification?["EmailSubject"]?.stringValue ?? settings["EmailVerificationSubject"]?.stringValue
                ?? "Your verification code"
            return (subject, body)
        }
    }

    static func render(_ template: String, username: String, code: String) -> String {
        template.replacingOccurrences(of: "{####}", with: code).replacingOccurrences(of: "{username}", with: username)
    }
}
