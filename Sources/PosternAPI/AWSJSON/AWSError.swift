import Foundation
import Logging
import PosternCore
import PosternCrypto
import PosternHooks
import PosternStore

/// An error as the awsJson1_1 wire shows it: `__type`, message and HTTP status.
struct AWSError: Error, Sendable {
    var type: String
    var message: String
    var status: Int
    var logLevel: Logger.Level = .info

    /// Turns any error into Cognito's shape. The one place that does so.
    ///
    /// Unexpected errors become `InternalErrorException` with a fixed message; their detail goes to the log
    /// with the request id, never to the client.
    static func from(_ error: any Error) -> AWSError {
        switch error {
        case let error as AWSError:
            return error
        case let error as DomainError:
            return from(domain: error)
        case let error as SigV4Error:
            return from(signature: error)
        case StoreError.uniqueValueTaken(let constraint) where constraint == "users_username_unique":
            // In pools that sign in by email or phone, the taken value is that attribute (see `signInKey`).
            return AWSError(type: "UsernameExistsException", message: "User already exists", status: 400)
        case StoreError.uniqueValueTaken(let constraint) where constraint == "sign_in_aliases_pkey":
            // A race the command's own check (`aliasTransfers`) could not see: another user took the name first.
            return AWSError(type: "AliasExistsException", message: "An account with the given alias already exists.", status: 400)
        case StoreError.wrongExpectedVersion:
            // A conflict the command did not retry is still the caller's to retry, never a server error.
            return from(domain: .concurrentModification("The resource was modified concurrently; try again."))
        case StoreError.uniqueValueTaken(let constraint) where constraint == "used_sessions_pkey":
            return AWSError(type: "NotAuthorizedException", message: "Invalid session for the user, session can only be used once.", status: 400)
        case let error as DecodingError:
            return from(decoding: error)
        default:
            return AWSError(type: "InternalErrorException", message: "An internal error occurred.", status: 500, logLevel: .error)
        }
    }

    static func from(domain error: DomainError) -> AWSError {
        switch error {
        case .invalidParameter(let message): AWSError(type: "InvalidParameterException", message: message, status: 400)
        case .resourceNotFound(let message): AWSError(type: "ResourceNotFoundException", message: message, status: 400)
        case .userNotFound: AWSError(type: "UserNotFoundException", message: "User does not exist.", status: 400)
        case .usernameExists(let message): AWSError(type: "UsernameExistsException", message: message, status: 400)
        case .groupExists(let message): AWSError(type: "GroupExistsException", message: message, status: 400)
        case .aliasExists(let message): AWSError(type: "AliasExistsException", message: message, status: 400)
        case .invalidPassword(let message): AWSError(type: "InvalidPasswordException", message: message, status: 400)
        case .notAuthorized(let message): AWSError(type: "NotAuthorizedException", message: message, status: 400)
        case .userNotConfirmed: AWSError(type: "UserNotConfirmedException", message: "User is not confirmed.", status: 400)
        case .passwordHistoryPolicyViolation:
            AWSError(
                type: "PasswordHistoryPolicyViolationException", message: "The password does not satisfy the password history policy.", status: 400)
        case .passwordResetRequired:
            AWSError(type: "PasswordResetRequiredException", message: "Password reset required for the user", status: 400)
        case .codeMismatch:
            AWSError(type: "CodeMismatchException", message: "Invalid verification code provided, please try again.", status: 400)
        case .expiredCode:
            AWSError(type: "ExpiredCodeException", message: "Invalid code provided, please request a code again.", status: 400)
        case .tooManyFailedAttempts(let message): AWSError(type: "TooManyFailedAttemptsException", message: message, status: 400)
        case .limitExceeded(let message): AWSError(type: "LimitExceededException", message: message, status: 400)
        case .unsupportedOperation(let message): AWSError(type: "UnsupportedOperationException", message: message, status: 400)
        case .unsupportedTokenType(let message): AWSError(type: "UnsupportedTokenTypeException", message: message, status: 400)
        case .unauthorized(let message): AWSError(type: "UnauthorizedException", message: message, status: 400)
        case .concurrentModification(let message): AWSError(type: "ConcurrentModificationException", message: message, status: 400)
        case .tooManyRequests(let message): AWSError(type: "TooManyRequestsException", message: message, status: 400)
        case .featureUnavailableInTier(let message): AWSError(type: "FeatureUnavailableInTierException", message: message, status: 400)
        case .modelValidation(let message): AWSError(type: "ValidationException", message: message, status: 400)
        case .resourceConflict(let message): AWSError(type: "ResourceConflictException", message: message, status: 400)
        case .developerUserAlreadyRegistered(let message):
            AWSError(type: "DeveloperUserAlreadyRegisteredException", message: message, status: 400)
        case .invalidIdentityPoolConfiguration(let message):
            AWSError(type: "InvalidIdentityPoolConfigurationException", message: message, status: 400)
        case .externalService(let message): AWSError(type: "ExternalServiceException", message: message, status: 400)
        }
    }

    /// AWS-wide authentication errors (not in the Cognito model) for signed operations.
    static func from(signature error: SigV4Error) -> AWSError {
        switch error {
        case .missingAuthentication:
            AWSError(type: "MissingAuthenticationTokenException", message: "Missing Authentication Token", status: 403)
        case .malformedAuthorization(let part):
            AWSError(type: "IncompleteSignatureException", message: "Authorization header is malformed: \(part)", status: 400)
        case .unknownAccessKey:
            AWSError(type: "UnrecognizedClientException", message: "The security token included in the request is invalid.", status: 400)
        case .signatureMismatch:
            AWSError(
                type: "InvalidSignatureException",
                message: "The request signature we calculated does not match the signature you provided. "
                    + "Check your AWS Secret Access Key and signing method.", status: 400)
        case .requestExpired:
            AWSError(
                type: "InvalidSignatureException", message: "Signature expired: the request time is outside the allowed clock skew.", status: 400)
        case .wrongService:
            AWSError(type: "InvalidSignatureException", message: "Credential should be scoped to correct service: 'cognito-idp'.", status: 400)
        case .wrongRegion:
            AWSError(type: "InvalidSignatureException", message: "Credential should be scoped to a valid region.", status: 400)
        case .invalidSecurityToken:
            // What AWS answers for a token it does not know; no session credentials exist yet.
            AWSError(type: "UnrecognizedClientException", message: "The security token included in the request is invalid.", status: 400)
        case .keyLookupFailed:
            AWSError(type: "InternalErrorException", message: "An internal error occurred.", status: 500, logLevel: .error)
        }
    }

    /// A hook's answer Cognito cannot use: unparseable, ill-typed, or breaking a trigger's rule.
    static func invalidLambdaResponse(_ message: String = "Unrecognizable lambda output") -> AWSError {
        AWSError(type: "InvalidLambdaResponseException", message: message, status: 400)
    }

    /// What the caller sees when a trigger's hook fails (spec/triggers.md §2).
    static func from(hook error: HookError, trigger: String) -> AWSError {
        switch error {
        case .rejected(let message):
            AWSError(type: "UserLambdaValidationException", message: "\(trigger) failed with error \(message).", status: 400)
        case .invalidOutput:
            invalidLambdaResponse()
        case .timedOut:
            AWSError(type: "UnexpectedLambdaException", message: "\(trigger) invocation failed due to error TimeoutError.", status: 400)
        case .notFound:
            AWSError(type: "UnexpectedLambdaException", message: "\(trigger) invocation failed due to error ResourceNotFoundException.", status: 400)
        case .crashed, .launchFailed:
            AWSError(type: "UnexpectedLambdaException", message: "\(trigger) invocation failed due to error Unhandled.", status: 400)
        }
    }

    static func from(decoding error: DecodingError) -> AWSError {
        switch error {
        case .keyNotFound(let key, let context):
            let path = (context.codingPath + [key]).map { lowerFirst($0.stringValue) }.joined(separator: ".")
            return AWSError(
                type: "InvalidParameterException",
                message: "1 validation error detected: Value null at '\(path)' failed to satisfy constraint: Member must not be null",
                status: 400)
        case .valueNotFound(_, let context):
            let path = context.codingPath.map { lowerFirst($0.stringValue) }.joined(separator: ".")
            return AWSError(
                type: "InvalidParameterException",
                message: "1 validation error detected: Value null at '\(path)' failed to satisfy constraint: Member must not be null",
                status: 400)
        case .typeMismatch(_, let context), .dataCorrupted(let context):
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return AWSError(type: "SerializationException", message: "Unexpected value type at '\(path)'.", status: 400)
        @unknown default:
            return AWSError(type: "SerializationException", message: "The request body could not be read.", status: 400)
        }
    }

    static func lowerFirst(_ name: String) -> String { name.prefix(1).lowercased() + name.dropFirst() }
}
