import Foundation

/// An identity as decisions see it: its pool, the keys of its logins, and the version of its stream.
public struct PoolIdentity: Equatable, Sendable {
    public var id: IdentityID
    public var poolId: IdentityPoolID
    public var logins: Set<LoginKey>
    public var version: Int
    public init(id: IdentityID, poolId: IdentityPoolID, logins: Set<LoginKey>, version: Int) {
        self.id = id
        self.poolId = poolId
        self.logins = logins
        self.version = version
    }

    /// An identity with a login is authenticated; one without is a guest.
    public var isAuthenticated: Bool { !logins.isEmpty }
}

/// A login of a call whose token (or, for a developer provider, whose signed caller) was verified: the
/// provider in its canonical name, the subject, and the keyed hash of the subject the caller computed.
public struct VerifiedLogin: Equatable, Sendable {
    public var provider: String
    public var subject: String
    public var subjectKey: String
    public init(provider: String, subject: String, subjectKey: String) {
        self.provider = provider
        self.subject = subject
        self.subjectKey = subjectKey
    }
    public var key: LoginKey { LoginKey(provider: provider, subjectKey: subjectKey) }
    var linked: IdentityLogin { IdentityLogin(provider: provider, subjectKey: subjectKey, subject: .plaintext(subject)) }
}

/// Which identity a call's logins resolve to, and the events that make it so (a new identity, or
/// logins linked to an existing one).
public struct IdentityResolution: Equatable, Sendable {
    public var identity: IdentityID
    /// The version the identity's stream is at before `event` (0 for a new identity).
    public var version: Int
    /// `IdentityCreated` or `IdentityLoginsLinked`; nil when nothing changes.
    public var created: IdentityCreated?
    public var linked: IdentityLoginsLinked?
    /// Whether the identity is authenticated by the call's logins (false for a guest).
    public var authenticated: Bool

    public var events: [any EventPayload] {
        var events: [any EventPayload] = []
        if let created { events.append(created) }
        if let linked { events.append(linked) }
        return events
    }
}

/// How identity pools link logins to identities (GetId, GetOpenIdToken, GetOpenIdTokenForDeveloperIdentity,
/// UnlinkIdentity, MergeDeveloperIdentities): pure rules over the identities the presented logins already
/// belong to (`owners`), as Cognito documents them:
/// - a login belongs to at most one identity of a pool; the first call that presents it links it;
/// - an identity with logins is used only with one of them (or with its identity-pool token);
/// - a guest identity presenting a login no one has becomes that login's identity; presenting one that
///   another identity has answers with that identity ("the IdentityId returned may not match");
/// - an identity holds one login per provider, except the developer provider, which may hold several
///   user identifiers (after MergeDeveloperIdentities).
public enum IdentityLinking {
    public static let unauthenticatedNotSupported = "Unauthenticated access is not supported for this identity pool."
    public static let loginsDoNotMatch = "Logins don't match. Please include at least one valid login for this identity or identity pool."

    /// GetId: the identity of the logins, a new one for logins no identity has, a new guest for none.
    public static func getId(
        pool: IdentityPoolConfiguration, logins: [VerifiedLogin], owners: [LoginKey: PoolIdentity], newId: IdentityID
    ) throws(DomainError) -> IdentityResolution {
        guard !logins.isEmpty else {
            guard pool.allowsGuests else { throw .notAuthorized(unauthenticatedNotSupported) }
            return create(newId, pool: pool, logins: [])
        }
        let holders = distinctOwners(logins, owners)
        switch holders.count {
        case 0: return create(newId, pool: pool, logins: logins)
        case 1: return try link(logins, to: holders[0], pool: pool, owners: owners)
        default: throw .resourceConflict("The logins belong to different identities.")
        }
    }

    /// An existing identity used with the call's logins (GetOpenIdToken, GetCredentialsForIdentity).
    /// `provenBy` is the identity an identity-pool token among the logins names (already verified).
    public static func use(
        _ identity: PoolIdentity, pool: IdentityPoolConfiguration, logins: [VerifiedLogin], provenBy: IdentityID?,
        owners: [LoginKey: PoolIdentity]
    ) throws(DomainError) -> IdentityResolution {
        if let provenBy, provenBy != identity.id { throw .notAuthorized("Invalid login token. The token does not belong to this identity.") }
        if logins.isEmpty, provenBy == nil {
            guard !identity.isAuthenticated else { throw .notAuthorized(loginsDoNotMatch) }
            guard pool.allowsGuests else { throw .notAuthorized(unauthenticatedNotSupported) }
            return IdentityResolution(identity: identity.id, version: identity.version, authenticated: false)
        }
        let others = distinctOwners(logins, owners).filter { $0.id != identity.id }
        if identity.isAuthenticated || provenBy != nil {
            let matched = provenBy != nil || logins.contains { identity.logins.contains($0.key) }
            guard matched else { throw .notAuthorized(loginsDoNotMatch) }
            guard others.isEmpty else { throw .resourceConflict("A login belongs to another identity.") }
            return try link(logins, to: identity, pool: pool, owners: owners)
        }
        // A guest: it takes logins no one has, or gives way to the identity that has them.
        switch others.count {
        case 0: return try link(logins, to: identity, pool: pool, owners: owners)
        case 1: return try link(logins, to: others[0], pool: pool, owners: owners)
        default: throw .resourceConflict("The logins belong to different identities.")
        }
    }

    /// GetOpenIdTokenForDeveloperIdentity: the backend vouches for `developer` (its signed call); with
    /// `requested`, the logins are linked to that identity, and a developer user of another identity is
    /// DeveloperUserAlreadyRegisteredException.
    public static func developer(
        pool: IdentityPoolConfiguration, developer: VerifiedLogin, others: [VerifiedLogin], requested: PoolIdentity?,
        owners: [LoginKey: PoolIdentity], newId: IdentityID
    ) throws(DomainError) -> IdentityResolution {
        let logins = [developer] + others
        if let requested {
            if let holder = owners[developer.key], holder.id != requested.id {
                throw .developerUserAlreadyRegistered("The developer user is already registered with another identity.")
            }
            guard distinctOwners(others, owners).allSatisfy({ $0.id == requested.id }) else {
                throw .resourceConflict("A login belongs to another identity.")
            }
            return try link(logins, to: requested, pool: pool, owners: owners)
        }
        let holders = distinctOwners(logins, owners)
        switch holders.count {
        case 0: return create(newId, pool: pool, logins: logins)
        case 1: return try link(logins, to: holders[0], pool: pool, owners: owners)
        default: throw .resourceConflict("The logins belong to different identities.")
        }
    }

    /// UnlinkIdentity: the caller proves the identity with one of its logins; the logins of the named
    /// providers leave it (a developer provider's users leave only by UnlinkDeveloperIdentity).
    public static func unlink(
        _ identity: PoolIdentity, pool: IdentityPoolConfiguration, logins: [VerifiedLogin], providers: Set<String>
    ) throws(DomainError) -> IdentityLoginsUnlinked? {
        guard logins.contains(where: { identity.logins.contains($0.key) }) else { throw .notAuthorized(loginsDoNotMatch) }
        let removed = identity.logins.filter { providers.contains($0.provider) && $0.provider != pool.developerProviderName }.sorted()
        guard !removed.isEmpty else { return nil }
        return IdentityLoginsUnlinked(identityId: identity.id, identityPoolId: pool.id, logins: removed)
    }

    /// MergeDeveloperIdentities: the source developer user moves to the destination user's identity.
    /// Nothing changes when both already share one.
    public static func merge(
        source: VerifiedLogin, of sourceIdentity: PoolIdentity, into destination: PoolIdentity, pool: IdentityPoolConfiguration
    ) -> (unlinked: IdentityLoginsUnlinked, linked: IdentityLoginsLinked)? {
        guard sourceIdentity.id != destination.id else { return nil }
        return (
            IdentityLoginsUnlinked(identityId: sourceIdentity.id, identityPoolId: pool.id, logins: [source.key], mergedInto: destination.id),
            IdentityLoginsLinked(identityId: destination.id, identityPoolId: pool.id, logins: [source.linked])
        )
    }

    // MARK: -

    /// The identities that hold any of `logins`, once each, in the order of the logins.
    static func distinctOwners(_ logins: [VerifiedLogin], _ owners: [LoginKey: PoolIdentity]) -> [PoolIdentity] {
        var seen: Set<IdentityID> = []
        return logins.compactMap { owners[$0.key] }.filter { seen.insert($0.id).inserted }
    }

    static func create(_ id: IdentityID, pool: IdentityPoolConfiguration, logins: [VerifiedLogin]) -> IdentityResolution {
        IdentityResolution(
            identity: id, version: 0,
            created: IdentityCreated(identityId: id, identityPoolId: pool.id, logins: unique(logins).map(\.linked)),
            authenticated: !logins.isEmpty)
    }

    /// Links the logins `identity` does not hold yet; a second subject of one provider (other than the
    /// developer provider) is a conflict, as the provider's other user would take over the identity.
    static func link(
        _ logins: [VerifiedLogin], to identity: PoolIdentity, pool: IdentityPoolConfiguration, owners: [LoginKey: PoolIdentity]
    ) throws(DomainError) -> IdentityResolution {
        let new = unique(logins).filter { !identity.logins.contains($0.key) && owners[$0.key] == nil }
        for login in new where login.provider != pool.developerProviderName {
            if identity.logins.contains(where: { $0.provider == login.provider }) {
                throw .resourceConflict("The identity already has a login of \(login.provider).")
            }
        }
        let linked = new.isEmpty ? nil : IdentityLoginsLinked(identityId: identity.id, identityPoolId: pool.id, logins: new.map(\.linked))
        return IdentityResolution(
            identity: identity.id, version: identity.version, linked: linked, authenticated: !logins.isEmpty || identity.isAuthenticated)
    }

    static func unique(_ logins: [VerifiedLogin]) -> [VerifiedLogin] {
        var seen: Set<LoginKey> = []
        return logins.filter { seen.insert($0.key).inserted }
    }
}
