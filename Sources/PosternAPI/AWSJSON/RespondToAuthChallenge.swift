import Foundation
import PosternCore
import PosternCrypto
import PosternStore

/// RespondToAuthChallenge: answers a challenge returned by InitiateAuth (PASSWORD_VERIFIER, NEW_PASSWORD_REQUIRED, CUSTOM_CHALLENGE).
enum RespondToAuthChallenge: AWSOperation {
    static let name = "RespondToAuthChallenge"

    struct Request: Decodable, Sendable {
        var ClientId: String
        var ChallengeName: String
        var Session: String?
        var ChallengeResponses: [String: String]?
        var ClientMetadata: [String: String]?
    }

    static func handle(_ request: Request, call: Call, services: Postern) async throws -> AuthResponse {
        let (client, pool) = try await services.publicClient(request.ClientId)
        return try await AuthChallenges.answer(
            request.ChallengeName, pool: pool, client: client, session: request.Session, responses: request.ChallengeResponses ?? [:],
            clientMetadata: request.ClientMetadata, call: call, postern: services)
    }
}

/// Dispatches challenge answers by name.
enum AuthChallenges {
    static func answer(
        _ name: String, pool: PoolRecord, client: ClientRecord, session: String?, responses: [String: String],
        clientMetadata: [String: String]?, call: Call, postern: Postern
    ) async throws -> AuthResponse {
        switch name {
        case "PASSWORD_VERIFIER":
            return try await postern.answerPasswordVerifier(
                pool: pool, client: client, responses: responses, clientMetadata: clientMetadata, call: call)
        case "DEVICE_SRP_AUTH":
            return try await postern.answerDeviceSRPAuth(pool: pool, client: client, session: session, responses: responses, call: call)
        case "DEVICE_PASSWORD_VERIFIER":
            return try await postern.answerDevicePasswordVerifier(
                pool: pool, client: client, responses: responses, clientMetadata: clientMetadata, call: call)
        case "SOFTWARE_TOKEN_MFA":
            return try await postern.answerSoftwareTokenMFA(
                pool: pool, client: client, session: session, responses: responses, clientMetadata: clientMetadata, call: call)
        case "WEB_AUTHN":
            return try await postern.answerPasskey(
                pool: pool, client: client, session: session, responses: responses, clientMetadata: clientMetadata, call: call)
        case "SELECT_CHALLENGE":
            return try await postern.answerSelectChallenge(
                pool: pool, client: client, session: session, responses: responses, clientMetadata: clientMetadata, call: call)
        case "SMS_OTP":
            return try await postern.answerSMSOneTimeCode(
                pool: pool, client: client, session: session, responses: responses, clientMetadata: clientMetadata, call: call)
        case "SMS_MFA", "EMAIL_OTP":
            return try await postern.answerCodeMFA(
                name == "SMS_MFA" ? .sms : .email, pool: pool, client: client, session: session, responses: responses,
                clientMetadata: clientMetadata, call: call)
        case "SELECT_MFA_TYPE":
            return try await postern.answerSelectMFAType(
                pool: pool, client: client, session: session, responses: responses, clientMetadata: clientMetadata, call: call)
        case "MFA_SETUP":
            return try await postern.answerMFASetup(
                pool: pool, client: client, session: session, responses: responses, clientMetadata: clientMetadata, call: call)
        case "NEW_PASSWORD_REQUIRED":
            return try await postern.answerNewPassword(
                pool: pool, client: client, session: session, responses: responses, clientMetadata: clientMetadata, call: call)
        case "CUSTOM_CHALLENGE":
            return try await postern.answerCustomChallenge(
                pool: pool, client: client, session: session, responses: responses, clientMetadata: clientMetadata, call: call)
        default:
            throw DomainError.invalidParameter("\(name) is not supported by this server yet.")
        }
    }
}
