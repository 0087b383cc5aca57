import Foundation

/// The group claims of a user's tokens (spec/tokens.md §3–4): `cognito:groups` in both tokens,
/// `cognito:roles` and `cognito:preferred_role` in the ID token; the same values are the
/// PreTokenGeneration trigger's `groupConfiguration`.
///
/// Groups are ordered by `Precedence` (lowest first; a group without one after every group with one), then
/// by name. The preferred role is the role of the highest-priority groups that have a role (CreateGroup's
/// `Precedence`): when several groups tie at that precedence it is their role only if they all name the same
/// one, and none otherwise ("neither group takes precedence").
public struct GroupClaims: Equatable, Sendable {
    public var groups: [String]
    /// Every distinct role of the user's groups, in the groups' order.
    public var roles: [String]
    public var preferredRole: String?

    public init(groups: [String], roles: [String], preferredRole: String?) {
        self.groups = groups
        self.roles = roles
        self.preferredRole = preferredRole
    }

    /// The claims of a member of `groups`.
    public init(memberOf groups: [UserPoolGroup]) {
        let ordered = Self.ordered(groups)
        self.groups = ordered.map(\.name)
        var roles: [String] = []
        for role in ordered.compactMap(\.settings.roleArn) where !roles.contains(role) { roles.append(role) }
        self.roles = roles
        let withRoles = ordered.filter { $0.settings.roleArn != nil }
        let top = withRoles.first?.settings.precedence
        let candidates = Set(withRoles.filter { $0.settings.precedence == top }.compactMap(\.settings.roleArn))
        preferredRole = candidates.count == 1 ? candidates.first : nil
    }

    /// Groups in token order: precedence (none last), then name.
    public static func ordered(_ groups: [UserPoolGroup]) -> [UserPoolGroup] {
        groups.sorted { left, right in
            switch (left.settings.precedence, right.settings.precedence) {
            case (let l?, let r?) where l != r: return l < r
            case (.some, nil): return true
            case (nil, .some): return false
            default: return left.name < right.name
            }
        }
    }

    public var isEmpty: Bool { groups.isEmpty && roles.isEmpty && preferredRole == nil }

    /// Sets the claims in a token pair: absent claims for empty values, as Cognito leaves them out.
    public func apply(id: inout [String: JSONValue], access: inout [String: JSONValue]) {
        let names: JSONValue? = groups.isEmpty ? nil : .array(groups.map(JSONValue.string))
        id["cognito:groups"] = names
        access["cognito:groups"] = names
        id["cognito:roles"] = roles.isEmpty ? nil : .array(roles.map(JSONValue.string))
        id["cognito:preferred_role"] = preferredRole.map(JSONValue.string)
    }
}
