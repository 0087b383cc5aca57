/// The principal types a `Principal` element can name.
public enum PrincipalKind: String, Sendable, Hashable, CaseIterable {
    case aws = "AWS"
    case federated = "Federated"
    case service = "Service"
    case canonicalUser = "CanonicalUser"
}

/// Who is making a request, for evaluating `Principal` and `NotPrincipal`.
///
/// `identifiers` lists every name the principal is known by, most specific first: for a role session
/// its session ARN, its role ARN and its account's root ARN. IAM checks `NotPrincipal` layer by layer
/// ("AWS JSON policy elements: NotPrincipal"), so a `Deny` with `NotPrincipal` spares the principal only
/// when every one of its identifiers is listed.
public struct RequestPrincipal: Sendable, Hashable {
    public var kind: PrincipalKind
    public var identifiers: [String]

    public init(kind: PrincipalKind, identifiers: [String]) {
        self.kind = kind
        self.identifiers = identifiers
    }

    public static func aws(_ identifiers: String...) -> RequestPrincipal { RequestPrincipal(kind: .aws, identifiers: identifiers) }
    /// A web identity or SAML provider, e.g. `cognito-identity.amazonaws.com` for an identity pool.
    public static func federated(_ provider: String) -> RequestPrincipal { RequestPrincipal(kind: .federated, identifiers: [provider]) }
    public static func service(_ name: String) -> RequestPrincipal { RequestPrincipal(kind: .service, identifiers: [name]) }
}

/// The principals named by a `Principal` or `NotPrincipal` element.
struct PrincipalSet: Sendable, Hashable {
    /// `"Principal": "*"`.
    var everyone = false
    var entries: [PrincipalKind: [String]] = [:]

    /// Whether a `Principal` element with these entries covers `principal` (nil: an anonymous caller).
    /// An account (`123456789012` or its root ARN) covers every principal of that account, as it
    /// delegates to the account ("AWS JSON policy elements: Principal", AWS account principals).
    func includes(_ principal: RequestPrincipal?) -> Bool {
        if everyone { return true }
        guard let principal else { return entries[.aws]?.contains("*") ?? false }
        guard let names = entries[principal.kind] else { return false }
        if names.contains("*") { return true }
        guard principal.kind == .aws else { return names.contains { principal.identifiers.contains($0) } }
        return names.contains { name in
            if let account = Self.delegatedAccount(name) {
                return principal.identifiers.contains { Self.account(of: $0) == account }
            }
            return principal.identifiers.contains(name)
        }
    }

    /// Whether a `NotPrincipal` element with these entries excludes `principal` from its statement:
    /// each identifier must be listed exactly (an account entry names only the account itself here).
    func excludes(_ principal: RequestPrincipal?) -> Bool {
        if everyone { return true }
        guard let principal, !principal.identifiers.isEmpty else { return entries[.aws]?.contains("*") ?? false }
        guard let names = entries[principal.kind] else { return false }
        if names.contains("*") { return true }
        let listed = Set(names.map { principal.kind == .aws ? Self.normalizedAWS($0) : $0 })
        return principal.identifiers.allSatisfy { listed.contains(principal.kind == .aws ? Self.normalizedAWS($0) : $0) }
    }

    /// The account an `AWS` entry delegates to when it names an account rather than an identity.
    static func delegatedAccount(_ name: String) -> String? {
        if isAccountID(name) { return name }
        let fields = name.split(separator: ":", omittingEmptySubsequences: false)
        guard fields.count == 6, fields[0] == "arn", fields[2] == "iam", fields[5] == "root", isAccountID(fields[4]) else { return nil }
        return String(fields[4])
    }

    /// The account of an ARN (its fifth field) or of a bare account ID.
    static func account(of identifier: String) -> String? {
        if isAccountID(identifier) { return identifier }
        let fields = identifier.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard fields.count == 6, fields[0] == "arn", isAccountID(fields[4]) else { return nil }
        return String(fields[4])
    }

    static func isAccountID(_ text: some StringProtocol) -> Bool {
        text.utf8.count == 12 && text.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }

    private static func normalizedAWS(_ name: String) -> String {
        isAccountID(name) ? "arn:aws:iam::\(name):root" : name
    }
}

extension PrincipalElement {
    func matches(_ principal: RequestPrincipal?) -> Bool {
        switch self {
        case .principal(let set): set.includes(principal)
        case .notPrincipal(let set): !set.excludes(principal)
        }
    }
}
