/// A pool's password policy (`Policies.PasswordPolicy`), with Cognito's defaults.
public struct PasswordPolicy: Equatable, Sendable {
    public var minimumLength = 8
    public var requireUppercase = true
    public var requireLowercase = true
    public var requireNumbers = true
    public var requireSymbols = true
    public var temporaryPasswordValidityDays = 7
    /// How many of the user's latest passwords ChangePassword refuses to take again (0: none).
    public var passwordHistorySize = 0

    public init() {}

    /// Cognito's symbol set for `RequireSymbols`.
    public static let symbols = Set("^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- ")

    /// Reads the policy from a pool configuration's `Policies.PasswordPolicy`; absent members take defaults.
    public init(json: JSONValue?) {
        guard let json else { return }
        minimumLength = json["MinimumLength"]?.intValue ?? minimumLength
        requireUppercase = json["RequireUppercase"]?.boolValue ?? requireUppercase
        requireLowercase = json["RequireLowercase"]?.boolValue ?? requireLowercase
        requireNumbers = json["RequireNumbers"]?.boolValue ?? requireNumbers
        requireSymbols = json["RequireSymbols"]?.boolValue ?? requireSymbols
        temporaryPasswordValidityDays = json["TemporaryPasswordValidityDays"]?.intValue ?? temporaryPasswordValidityDays
        passwordHistorySize = json["PasswordHistorySize"]?.intValue ?? passwordHistorySize
    }

    public var json: JSONValue {
        var members: [String: JSONValue] = [
            "MinimumLength": .int(minimumLength),
            "RequireUppercase": .bool(requireUppercase),
            "RequireLowercase": .bool(requireLowercase),
            "RequireNumbers": .bool(requireNumbers),
            "RequireSymbols": .bool(requireSymbols),
            "TemporaryPasswordValidityDays": .int(temporaryPasswordValidityDays),
        ]
        // Only pools that set it show it, as DescribeUserPool did before history was kept.
        if passwordHistorySize > 0 { members["PasswordHistorySize"] = .int(passwordHistorySize) }
        return .object(members)
    }

    /// Checks a password; throws `InvalidPasswordException`'s message naming the first unmet rule.
    public func validate(_ password: String) throws(DomainError) {
        let prefix = "Password did not conform with policy: "
        if password.isEmpty || password.count > 256 || password.allSatisfy(\.isWhitespace) {
            throw .invalidPassword(prefix + "Password must satisfy regular expression pattern: ^[\\S]+.*[\\S]+$")
        }
        if password.count < minimumLength { throw .invalidPassword(prefix + "Password not long enough") }
        if requireLowercase, !password.contains(where: \.isLowercase) {
            throw .invalidPassword(prefix + "Password must have lowercase characters")
        }
        if requireUppercase, !password.contains(where: \.isUppercase) {
            throw .invalidPassword(prefix + "Password must have uppercase characters")
        }
        if requireNumbers, !password.contains(where: { $0.isASCII && $0.isNumber }) {
            throw .invalidPassword(prefix + "Password must have numeric characters")
        }
        if requireSymbols, !password.contains(where: { Self.symbols.contains($0) }) {
            throw .invalidPassword(prefix + "Password must have symbol characters")
        }
    }
}
