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

    typealias Services = any SignInService
    static func services(_ postern: Postern) -> Services { postern }

    static func handle(_ request: Request, call: Call, services: Services) async throws -> AuthResponse {
        let (client, pool) = try await services.publicClient(request.ClientId)
        return try await AuthChallenges.answer(
            request.ChallengeName, pool: pool, client: client, session: request.Session, responses: request.ChallengeResponses ?? [:],
            clientMetadata: request.ClientMetadata, call: call, services: services)
    }
}

/// Dispatches challenge answers by name.
enum AuthChallenges {
    static func answer(
        _ name: String, pool: PoolRecord, client: ClientRecord, session: String?, responses: [String: String],
        clientMetadata: [String: String]?, call: Call, services: any SignInService
    ) async throws -> AuthResponse {
        switch name {
        case "PASSWORD_VERIFIER":
            return try await services.answerPasswordVerifier(
                pool: pool, client: client, responses: responses, clientMetadata: clientMetadata, call: call)
        case "DEVICE_SRP_AUTH":
            return try await services.answerDeviceSRPAuth(pool: pool, client: client, session: session, responses: responses, call: call)
        case "DEVICE_PASSWORD_VERIFIER":
            return try await services.answerDevicePasswordVerifier(
                pool: pool, client: client, responses: responses, clientMetadata: clientMetadata, call: call)
        case "SOFTWARE_TOKEN_MFA":
            return try await services.answerSoftwareTokenMFA(
                pool: pool, client: client, session: session, responses: responses, clientMetadata: clientMetadata, call: call)
        case "WEB_AUTHN":
            return try await services.answerPasskey(
                pool: pool, client: client, session: session, responses: responses, clientMetadata: clientMetadata, call: call)
        case "SELECT_CHALLENGE":
            return try await services.answerSelectChallenge(
                pool: pool, client: client, session: session, responses: responses, clientMetadata: clientMetadata, call: call)
        case "SMS_OTP":
            return try await services.answerSMSOneTimeCode(
                pool: pool, client: client, session: session, responses: responses, clientMetadata: clientMetadata, call: call)
        case "SMS_MFA", "EMAIL_OTP":
            return try await services.answerCodeMFA(
                name == "SMS_MFA" ? .sms : .email, pool: pool, client: client, session: session, responses: responses,
                clientMetadata: clientMetadata, call: call)
        case "SELECT_MFA_TYPE":
            return try await services.answerSelectMFAType(
                pool: pool, client: client, session: session, responses: responses, clientMetadata: clientMetadata, call: call)
        case "MFA_SETUP":
            return try await services.answerMFASetup(
                pool: pool, client: client, session: session, responses: responses, clientMetadata: clientMetadata, call: call)
        case "NEW_PASSWORD_REQUIRED":
            return try await services.answerNewPassword(
                pool: pool, client: client, session: session, responses: responses, clientMetadata: clientMetadata, call: call)
        case "CUSTOM_CHALLENGE":
            return try await services.answerCustomChallenge(
                pool: pool, client: client, session: session, responses: responses, clientMetadata: clientMetadata, call: call)
        default:
            throw DomainError.invalidParameter("\(name) is not supported by this server yet.")
        }
    }
}
