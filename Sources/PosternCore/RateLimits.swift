import Foundation

/// Cognito's request-rate quota categories: each operation counts against its category's per-pool
/// requests-per-second quota (the AWS "Quotas in Amazon Cognito" table, by the same names).
public enum RequestCategory: String, CaseIterable, Sendable {
    case userAuthentication = "UserAuthentication"
    case userCreation = "UserCreation"
    case userAccountRecovery = "UserAccountRecovery"
    case userRead = "UserRead"
    case userUpdate = "UserUpdate"
    case userToken = "UserToken"
    case userList = "UserList"
    case userPoolRead = "UserPoolRead"
    case userPoolUpdate = "UserPoolUpdate"
    case userPoolClientRead = "UserPoolClientRead"
    case userPoolClientUpdate = "UserPoolClientUpdate"
    /// Reads of what hangs off a user (AdminListGroupsForUser).
    case userResourceRead = "UserResourceRead"
    /// Changes to what hangs off a user (AdminAddUserToGroup, AdminRemoveUserFromGroup).
    case userResourceUpdate = "UserResourceUpdate"
    /// Reads of a pool's resources (GetGroup, ListGroups).
    case userPoolResourceRead = "UserPoolResourceRead"
    /// Changes to a pool's resources (CreateGroup, UpdateGroup, DeleteGroup).
    case userPoolResourceUpdate = "UserPoolResourceUpdate"
    // Identity pools: AWS sets their quotas per operation, so each unsigned operation is its own category,
    // counted per identity pool.
    case getId = "GetId"
    case getOpenIdToken = "GetOpenIdToken"
    case getCredentialsForIdentity = "GetCredentialsForIdentity"
    case unlinkIdentity = "UnlinkIdentity"
}

/// The limits Postern enforces on top of the per-user rules (lockout, `CodeLimits`).
///
/// Request quotas are per pool and category, per second; a pool lowers (or raises) one with the tag
/// `postern:quota:<Category>` = requests per second, so every server on the database sees the same
/// quota. Failure limits count failed sign-ins and wrong codes per source address and per sign-in name
/// in fixed windows; successful requests are never counted against them.
public struct ThrottlePolicy: Equatable, Sendable {
    /// Requests per second per pool and category, unless the pool's tag says otherwise.
    public var defaultQuota: Int = 10_000
    public var failureWindow: TimeInterval = 300
    /// Failed sign-ins from one source address per window.
    public var failedSignInsPerAddress: Int = 300
    /// Failed sign-ins for one sign-in name per window (known or not, so the limit tells no one apart).
    public var failedSignInsPerName: Int = 100
    /// Wrong one-time codes from one source address per window.
    public var wrongCodesPerAddress: Int = 100
    /// Codes requested from one source address per window (ForgotPassword, ResendConfirmationCode, …).
    public var codeRequestsPerAddress: Int = 300
    /// New guest identities (GetId without logins) from one source address per window: unsigned callers
    /// could otherwise fill the log and the directory with identities no one will use.
    public var guestIdentitiesPerAddress: Int = 300

    public init() {}

    public static let quotaTagPrefix = "postern:quota:"

    /// The quota of `category` in a pool with these settings.
    public func quota(_ category: RequestCategory, pool: UserPoolSettings) -> Int {
        guard let tag = pool.json["UserPoolTags"]?["\(Self.quotaTagPrefix)\(category.rawValue)"]?.stringValue, let value = Int(tag), value >= 0
        else { return defaultQuota }
        return value
    }

    /// The quota of `category` in an identity pool with these tags (`postern:quota:<Operation>`).
    public func quota(_ category: RequestCategory, identityPoolTags tags: [String: String]) -> Int {
        guard let tag = tags["\(Self.quotaTagPrefix)\(category.rawValue)"], let value = Int(tag), value >= 0 else { return defaultQuota }
        return value
    }

    /// The start of the fixed window holding `now`.
    public func failureWindowStart(_ now: Date) -> Date {
        Date(timeIntervalSince1970: (now.timeIntervalSince1970 / failureWindow).rounded(.down) * failureWindow)
    }
}

/// Cognito's answer to a throttled request; nothing of the request is carried out.
extension DomainError {
    public static let rateExceeded = DomainError.tooManyRequests("Rate exceeded")
}
