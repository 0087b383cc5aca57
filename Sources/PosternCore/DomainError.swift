/// What went wrong, in domain terms. The API layer maps each case to Cognito's `__type` and status.
///
/// Messages carried by a case are safe to show to the caller: they never contain passwords, codes,
/// tokens or personal data.
public enum DomainError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalidParameter(String)
    case resourceNotFound(String)
    case userNotFound
    case usernameExists(String)
    /// CreateGroup named a group the pool already has.
    case groupExists(String)
    case aliasExists(String)
    case invalidPassword(String)
    case notAuthorized(String)
    case userNotConfirmed
    case passwordResetRequired
    /// The new password is one of the last `PasswordHistorySize` the user had.
    case passwordHistoryPolicyViolation
    case codeMismatch
    case expiredCode
    case tooManyFailedAttempts(String)
    case limitExceeded(String)
    case unsupportedOperation(String)
    case unsupportedTokenType(String)
    case unauthorized(String)
    case concurrentModification(String)
    case tooManyRequests(String)
    /// The pool's feature plan (`UserPoolTier`) does not include the feature.
    case featureUnavailableInTier(String)
    /// A request that breaks the service model's constraints, in services that answer `ValidationException`
    /// (cognito-identity); the message lists every violation (`ModelValidation`).
    case modelValidation(String)
    /// The request conflicts with what exists (cognito-identity's ResourceConflictException).
    case resourceConflict(String)
    /// A developer user identifier already belongs to another identity.
    case developerUserAlreadyRegistered(String)
    /// An identity pool's roles cannot be assumed for the identity (none set, none in IAM, or a trust
    /// policy that does not allow it).
    case invalidIdentityPoolConfiguration(String)
    /// A service Postern depends on for the answer did not give one (cognito-identity's
    /// ExternalServiceException: the upstream STS was unreachable or failed).
    case externalService(String)

    public var description: String {
        switch self {
        case .invalidParameter(let message): "invalidParameter: \(message)"
        case .resourceNotFound(let message): "resourceNotFound: \(message)"
        case .userNotFound: "userNotFound"
        case .usernameExists: "usernameExists"
        case .groupExists: "groupExists"
        case .aliasExists: "aliasExists"
        case .invalidPassword: "invalidPassword"
        case .notAuthorized(let message): "notAuthorized: \(message)"
        case .userNotConfirmed: "userNotConfirmed"
        case .passwordResetRequired: "passwordResetRequired"
        case .passwordHistoryPolicyViolation: "passwordHistoryPolicyViolation"
        case .codeMismatch: "codeMismatch"
        case .expiredCode: "expiredCode"
        case .tooManyFailedAttempts: "tooManyFailedAttempts"
        case .limitExceeded: "limitExceeded"
        case .unsupportedOperation(let message): "unsupportedOperation: \(message)"
        case .unsupportedTokenType: "unsupportedTokenType"
        case .unauthorized: "unauthorized"
        case .concurrentModification: "concurrentModification"
        case .tooManyRequests: "tooManyRequests"
        case .featureUnavailableInTier: "featureUnavailableInTier"
        case .modelValidation(let message): "modelValidation: \(message)"
        case .resourceConflict(let message): "resourceConflict: \(message)"
        case .developerUserAlreadyRegistered: "developerUserAlreadyRegistered"
        case .invalidIdentityPoolConfiguration(let message): "invalidIdentityPoolConfiguration: \(message)"
        case .externalService(let message): "externalService: \(message)"
        }
    }
}

extension DomainError {
    /// Cognito's "1 validation error detected" wording for a value that breaks a model constraint.
    public static func validation(_ member: String, _ constraint: String) -> DomainError {
        .invalidParameter("1 validation error detected: Value at '\(member)' failed to satisfy constraint: \(constraint)")
    }
}
