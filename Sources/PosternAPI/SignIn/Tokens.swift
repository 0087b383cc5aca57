import Foundation
import PosternCore
import PosternCrypto
import PosternStore

/// The tracked device of a sign-in: the key its tokens carry, and whether it proved itself (device SRP).
struct SignInDevice: Sendable {
    var key: String
    var authenticated: Bool
}

/// An authenticated access token: its pool, app client, user and claims.
struct AccessTokenIdentity: Sendable {
    var pool: PoolRecord
    var client: ClientRecord
    var user: UserRecord
    var claims: TokenClaims

    /// The attributes the token's app client may read (`ReadAttributes`), with `sub`.
    var readableAttributes: [AttributeType] {
        var attributes = client.settings.attributePermissions.readable(user.attributes)
        attributes["sub"] = user.sub.rawValue
        return attributes.wireAttributes
    }
}

extension TokenService {
    /// Signs an ID and an access token with Cognito's claims (spec/tokens.md §3–4), the user's groups as they
    /// are now (a refresh sees the current ones), as the pool's PreTokenGeneration hook (run with `source`)
    /// customizes them: the hook is told the groups (`groupConfiguration`) and its `groupOverrideDetails`
    /// replaces them. Returns the hook's run for the
    /// caller's event, its decision's values `Sealed` (the store seals them with the user's data key).
    func mintTokens(
        pool: PoolRecord, client: ClientRecord, user: UserRecord, authTime: Date, originJti: String, now: Date, source: String,
        clientMetadata: [String: String]? = nil, deviceKey: String? = nil
    ) async throws -> (access: String, id: String, expiresIn: Int, hook: HookInvocation?) {
        let keys = try await signingKeys.keys(for: pool)
        let claims = SignInTokenClaims(
            sub: user.sub, username: user.username, attributes: user.attributes, issuer: issuer(pool.id), client: client.id,
            settings: client.settings, authTime: authTime, originJti: originJti, deviceKey: deviceKey, now: now,
            identifiers: .init(
                eventId: UUID().uuidString.lowercased(), idTokenJti: UUID().uuidString.lowercased(), accessTokenJti: UUID().uuidString.lowercased()))
        var id = claims.id
        var access = claims.access
        let groups = GroupClaims(memberOf: try await directory.groups(of: user.sub).map(\.group).filter { $0.poolId == pool.id })
        groups.apply(id: &id, access: &access)
        var hook: HookInvocation?
        if let (customization, record) = try await triggers.preTokenGeneration(
            source: source, pool: pool, user: user, clientId: client.id, groups: groups, scopes: [SignInTokenClaims.userPoolAPIScope],
            clientMetadata: clientMetadata)
        {
            customization.apply(id: &id, access: &access)
            hook = record
            if !customization.isEmpty, user.wrappedDataKey != nil { hook?.sealedDecision = .plaintext(customization.detail) }
        }
        return (
            try await keys.sign(TokenClaims(access), use: "access"), try await keys.sign(TokenClaims(id), use: "id"),
            Int(client.settings.accessTokenValidity), hook
        )
    }

    /// Completes a sign-in: records `SignInSucceeded` with the new refresh token's hash, returns the tokens.
    /// In a pool that tracks devices, a sign-in from no known device registers one (`NewDeviceMetadata`);
    /// the access token names the device (`device_key`).
    func completeSignIn(
        pool: PoolRecord, client: ClientRecord, user: UserRecord, flow: String, call: Call, extra: [any EventPayload] = [],
        hooks: [HookInvocation] = [], clientMetadata: [String: String]? = nil, device: SignInDevice? = nil
    ) async throws -> AuthenticationResult {
        let refreshToken = Random.token() + "." + Random.token()
        let originJti = UUID().uuidString.lowercased()
        var random = SystemRandomNumberGenerator()
        let completion = SignInCompletion(flow: flow, client: client.id, deviceKey: device?.key, deviceAuthenticated: device?.authenticated == true)
        var events = extra
        var newDevice: NewDeviceMetadataType?
        if let registered = completion.newDevice(
            poolTracksDevices: DeviceTrackingPolicy(settings: pool.settings) != nil,
            keys: (TrackedDevice.newKey(region: pool.id.region, id: UUID()), TrackedDevice.newGroupKey(using: &random)))
        {
            events.append(registered)
            newDevice = NewDeviceMetadataType(DeviceKey: registered.deviceKey, DeviceGroupKey: registered.groupKey)
        }
        let deviceKey = device?.key ?? newDevice?.DeviceKey
        let tokens = try await mintTokens(
            pool: pool, client: client, user: user, authTime: call.now, originJti: originJti, now: call.now, source: completion.tokenSource,
            clientMetadata: clientMetadata, deviceKey: deviceKey)
        let succeeded = completion.succeeded(
            originJti: originJti, refreshTokenHash: master.codeHasher.hash(refreshToken, context: "refresh"),
            refreshValidity: client.settings.refreshTokenValidity, hooks: hooks + (tokens.hook.map { [$0] } ?? []), deviceKey: deviceKey,
            now: call.now)
        try await appendToUser(user, events + [succeeded], call: call, actor: user.sub.rawValue, clientId: client.id)
        return AuthenticationResult(
            AccessToken: tokens.access, ExpiresIn: tokens.expiresIn, RefreshToken: refreshToken, IdToken: tokens.id, NewDeviceMetadata: newDevice)
    }

    /// Authenticates an `AccessToken` body member: signature by the pool's key, issuer, use, expiry,
    /// scope, and that neither the user nor the sign-in it came from has been signed out or revoked.
    /// `parsed` is `token` as the caller already parsed it (unverified), if it did.
    func authenticate(accessToken token: String, parsed: CompactJWT? = nil, now: Date) async throws -> AccessTokenIdentity {
        let invalid = DomainError.notAuthorized("Invalid Access Token")
        guard let jwt = parsed ?? CompactJWT(token), let poolId = jwt.issuerPoolId, let iss = jwt.claims["iss"]?.stringValue,
            iss == issuer(UserPoolID(poolId))
        else { throw invalid }
        // A database outage is an outage (InternalErrorException), never "not authorized".
        guard let pool = try await directory.poolIfExists(poolId) else { throw invalid }
        let claims: TokenClaims
        do {
            claims = try await signingKeys.keys(for: pool).verifySignature(jwt)
        } catch {
            throw invalid
        }
        guard claims.string("iss") == iss, claims.string("token_use") == "access", let sub = claims.string("sub"),
            let exp = claims.int("exp"), let iat = claims.int("iat")
        else { throw invalid }
        if Double(exp) <= now.timeIntervalSince1970 { throw DomainError.notAuthorized("Access Token has expired") }
        guard (claims.string("scope") ?? "").split(separator: " ").contains("aws.cognito.signin.user.admin") else {
            throw DomainError.notAuthorized("Access Token does not have required scopes")
        }
        // A deleted app client takes its tokens with it.
        guard let clientId = claims.string("client_id"), let client = try await directory.clientIfExists(clientId), client.poolId == pool.id
        else { throw DomainError.notAuthorized("Access Token has been revoked") }
        // Tokens carry the sign-in they came from; revoking it (RevokeToken, GlobalSignOut) revokes them.
        // Clients without token revocation issue no origin_jti: then only the sign-out instant counts.
        let origin = claims.string("origin_jti")
        // From `UserCache`: a command that appends on this row and finds it stale drops it and reads again.
        let found: UserRecord?
        if let origin {
            found = try await directory.cachedUser(sub: sub, unlessOriginRevoked: origin)
        } else {
            found = try await directory.cachedUser(sub: sub)
        }
        guard let user = found, user.poolId == pool.id else {
            if let origin, try await directory.isOriginRevoked(origin), try await directory.user(sub: sub)?.poolId == pool.id {
                throw DomainError.notAuthorized("Access Token has been revoked")
            }
            throw DomainError.notAuthorized("User does not exist.")
        }
        if !user.enabled { throw DomainError.notAuthorized("User is disabled.") }
        // With an origin_jti, revocation was checked with the user row above.
        if origin == nil, let validAfter = user.tokensValidAfter, Double(iat) <= validAfter.timeIntervalSince1970 {
            throw DomainError.notAuthorized("Access Token has been revoked")
        }
        return AccessTokenIdentity(pool: pool, client: client, user: user, claims: claims)
    }
}
