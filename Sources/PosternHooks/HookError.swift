/// Why a hook did not produce a usable answer. The API maps these to Cognito's errors:
/// `.rejected` → UserLambdaValidationException, `.invalidOutput` → InvalidLambdaResponseException,
/// everything else → UnexpectedLambdaException.
public enum HookError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The function name resolves to no executable.
    case notFound(String)
    /// The hook ran longer than its timeout; its whole process group was killed.
    case timedOut(String)
    /// The hook exited non-zero with a message (Lambda's `errorMessage`, or its last stderr line).
    case rejected(String)
    /// The hook exited non-zero (or was killed by a signal) without a message.
    case crashed(String)
    /// The hook's stdout is not the event JSON with a `response` object, or is larger than allowed.
    case invalidOutput(String)
    /// The process could not be started.
    case launchFailed(String)

    public var description: String {
        switch self {
        case .notFound(let name): "hook \(name) not found"
        case .timedOut(let name): "hook \(name) timed out"
        case .rejected: "hook rejected the request"
        case .crashed(let detail): "hook crashed (\(detail))"
        case .invalidOutput(let detail): "hook output invalid (\(detail))"
        case .launchFailed(let detail): "hook could not start (\(detail))"
        }
    }
}
