import Foundation
import PosternCore
import PosternCrypto
import PosternStore

extension IdentityAPI {
    static let invalidConfiguration = "Invalid identity pool configuration. Check assigned IAM roles for this pool."

    /// GetCredentialsForIdentity (the enhanced flow): the identity's logins are checked and linked as
    /// GetOpenIdToken does, a role is chosen (the pool's default roles, or the provider's role mapping),
    /// and credentials for it are issued as STS would for the identity-pool token, valid one hour.
    enum GetCredentialsForIdentity: AWSOperation {
        static let name = "GetCredentialsForIdentity"
        typealias Services = any IdentityService
        static func services(_ postern: Postern) -> Services { postern }

        struct Credentials: Encodable, Sendable {
            var AccessKeyId: String
            var SecretKey: String
            var SessionToken: String
            var Expiration: Date
        }

        struct Response: Encodable, Sendable {
            var IdentityId: String
            var Credentials: Credentials
        }

        static func handle(_ request: JSONObject, call: Call, services: Services) async throws -> Response {
            var validation = ModelValidation()
            validateIdentityId(request.string("IdentityId"), "identityId", in: &validation)
            validateLogins(request.members["Logins"], "logins", in: &validation)
            validation.string(request.string("CustomRoleArn"), "customRoleArn", length: 20...2048)
            try validation.check()
            let identity = try await services.existingIdentity(try request.requiredMember("IdentityId"))
            let pool = try await services.identityPoolInUse(identity.poolId.rawValue)
            let presented = IdentityAPI.logins(request.members["Logins"])
            do {
                return try await issue(request, identity: identity, pool: pool, presented: presented, call: call, services: services)
            } catch let refusal as DomainError where Self.recordedRefusals.contains(AWSError.from(domain: refusal).type) {
                // Every refused exchange for a known identity is an event; one that cannot be written
                // must not turn the refusal into a 500.
                let answer = AWSError.from(domain: refusal)
                let refused = IdentityCredentialsRefused(
                    identityId: identity.id, identityPoolId: pool.id, operation: name, reason: answer.type, message: answer.message,
                    providers: presented.map(\.0).sorted())
                let stream = Stream.identity(identity.id)
                try? await services.commit(
                    AppendBatch(stream: stream, expected: .any, events: [NewEvent(streamID: stream, refused)]), metadata: call.metadata())
                throw refusal
            }
        }

        /// The refusals recorded as `IdentityCredentialsRefused`: the caller's logins or the pool's roles said
        /// no. Throttling and malformed requests are not (they are not exchanges, and would let a caller fill
        /// the log).
        static let recordedRefusals: Set<String> = [
            "NotAuthorizedException", "InvalidIdentityPoolConfigurationException", "ResourceConflictException",
        ]

        static func issue(
            _ request: JSONObject, identity: IdentityRecord, pool: IdentityPoolConfiguration, presented: [(String, String)], call: Call,
            services: Services
        ) async throws -> Response {
            let logins = try await services.verifyLogins(presented, pool: pool, now: call.now, call: call)
            var unread: IdentityRecord? = identity
            return try await services.resolvingRaces {
                // The identity was read a moment ago: the first attempt decides on that read (the append is
                // at its version, so a change since is a conflict and the pipeline runs again); a retry
                // after a login race reads it again.
                let current: IdentityRecord
                if let fresh = unread {
                    current = fresh
                    unread = nil
                } else {
                    current = try await services.existingIdentity(identity.id.rawValue)
                }
                let owners = try await services.directory.identityOwners(pool: pool.id, keys: logins.verified.map(\.key))
                let resolution = try IdentityLinking.use(
                    current.decisionState, pool: pool, logins: logins.verified, provenBy: logins.provenBy,
                    owners: owners.mapValues(\.decisionState))
                let roleArn = try RoleChoice(pool: pool, sameProvider: services.sameProvider).role(
                    authenticated: resolution.authenticated, tokens: logins.loginTokens, customRoleArn: request.string("CustomRoleArn"))
                let amr = resolution.authenticated ? ["authenticated"] + logins.amr : ["unauthenticated"]
                let tags =
                    resolution.authenticated
                    ? PrincipalTags(pool: pool, sameProvider: services.sameProvider).tags(for: logins.loginTokens) : [:]
                let credentials: Credentials
                var extra: [any EventPayload] = []
                if let upstream = services.upstreamSTS {
                    // Delegated: the identity's OpenID token is exchanged at the upstream STS, which holds the role.
                    let (token, tokenIssued) = try await services.openIdToken(
                        for: resolution.identity, pool: pool, amr: amr, lifetime: IdentityAPI.openIdTokenLifetime, operation: name,
                        providers: logins.providers, call: call)
                    extra.append(tokenIssued)
                    credentials = try await delegated(upstream, roleArn: roleArn, token: token)
                } else {
                    let assumed: (credentials: SessionCredentials, role: IAMRole)
                    do {
                        assumed = try await services.assumeRole(
                            roleArn: roleArn, subject: resolution.identity.rawValue, audience: pool.id.rawValue, amr: amr, tags: tags, now: call.now)
                    } catch is RoleAssumptionError {
                        throw DomainError.invalidIdentityPoolConfiguration(invalidConfiguration)
                    }
                    credentials = Credentials(
                        AccessKeyId: assumed.credentials.accessKeyId, SecretKey: assumed.credentials.secretAccessKey,
                        SessionToken: assumed.credentials.sessionToken, Expiration: assumed.credentials.expiration)
                }
                extra.append(
                    IdentityCredentialsIssued(
                        identityId: resolution.identity, identityPoolId: pool.id, operation: name, roleArn: roleArn,
                        sessionName: "CognitoIdentityCredentials", accessKeyId: credentials.AccessKeyId, providers: logins.providers,
                        expiresAt: Int(credentials.Expiration.timeIntervalSince1970)))
                try await services.commit(resolution, extra: extra, call: call)
                return Response(IdentityId: resolution.identity.rawValue, Credentials: credentials)
            }
        }
    }
}

extension IdentityAPI.GetCredentialsForIdentity {
    /// Credentials from the upstream STS: its refusal (the role does not trust this issuer, or does not
    /// exist there) is the pool's invalid configuration, as Cognito answers it; an upstream that does not
    /// answer is ExternalServiceException.
    static func delegated(_ upstream: UpstreamSTS, roleArn: String, token: String) async throws -> Credentials {
        do {
            let answer = try await upstream.assumeRoleWithWebIdentity(
                roleArn: roleArn, token: token, sessionName: "CognitoIdentityCredentials", duration: 3600)
            return Credentials(
                AccessKeyId: answer.accessKeyId, SecretKey: answer.secretAccessKey, SessionToken: answer.sessionToken, Expiration: answer.expiration)
        } catch .refused {
            throw DomainError.invalidIdentityPoolConfiguration(IdentityAPI.invalidConfiguration)
        } catch .unavailable {
            throw DomainError.externalService("The security token service did not answer; try again.")
        }
    }
}

/// Which role an identity gets (identity-pools.md §5): the unauthenticated role for a guest; for an
/// authenticated identity the role mapping of the provider it signed in with (`Token`: the ID token's
/// `cognito:preferred_role`, or `CustomRoleArn` among its `cognito:roles`; `Rules`: the first rule whose
/// claim matches), and `AmbiguousRoleResolution` or the default authenticated role otherwise.
struct RoleChoice {
    let pool: IdentityPoolConfiguration
    let sameProvider: (String, String) -> Bool

    func role(authenticated: Bool, tokens: [(name: String, claims: TokenClaims)], customRoleArn: String?) throws -> String {
        guard authenticated else {
            guard let role = pool.roles["unauthenticated"] else {
                throw DomainError.invalidIdentityPoolConfiguration(IdentityAPI.invalidConfiguration)
            }
            return role
        }
        let fallback = pool.roles["authenticated"]
        func defaultRole() throws -> String {
            guard let fallback else { throw DomainError.invalidIdentityPoolConfiguration(IdentityAPI.invalidConfiguration) }
            return fallback
        }
        if let customRoleArn {
            // A custom role is one the token names; no other is granted on the caller's say-so.
            let named = tokens.flatMap { ($0.claims["cognito:roles"]?.arrayValue ?? []).compactMap(\.stringValue) }
            guard named.contains(customRoleArn) else {
                throw DomainError.notAuthorized("The custom role is not among the roles of the login's token.")
            }
            return customRoleArn
        }
        let mappings = pool.roleMappings.objectValue ?? [:]
        for token in tokens {
            let client = token.claims.string("aud") ?? ""
            // A user pool's mapping is keyed `{provider}:{client id}`, an OpenID Connect or social provider's by its name.
            guard let (_, mapping) = mappings.first(where: { sameProvider($0.key, "\(token.name):\(client)") || $0.key == token.name }) else {
                continue
            }
            if let role = try mapped(mapping, claims: token.claims) { return role }
            if mapping["AmbiguousRoleResolution"]?.stringValue == "Deny" {
                throw DomainError.notAuthorized("No role could be resolved for the login, and the role mapping denies ambiguous logins.")
            }
            return try defaultRole()
        }
        return try defaultRole()
    }

    /// The role a mapping resolves to for these claims; nil when it resolves to none.
    func mapped(_ mapping: JSONValue, claims: TokenClaims) throws -> String? {
        switch mapping["Type"]?.stringValue {
        case "Token":
            return claims.string("cognito:preferred_role")
        case "Rules":
            for rule in mapping["RulesConfiguration"]?["Rules"]?.arrayValue ?? [] {
                guard let claim = rule["Claim"]?.stringValue, let expected = rule["Value"]?.stringValue, let role = rule["RoleARN"]?.stringValue,
                    let match = rule["MatchType"]?.stringValue
                else { continue }
                let values: [String] =
                    claims[claim].map { value in value.arrayValue.map { $0.compactMap(\.stringValue) } ?? [value.stringValue ?? "\(value)"] } ?? []
                let matches: Bool
                switch match {
                case "Equals": matches = values.contains(expected)
                case "Contains": matches = values.contains { $0.contains(expected) }
                case "StartsWith": matches = values.contains { $0.hasPrefix(expected) }
                // A claim the token lacks is skipped, never "not equal".
                case "NotEqual": matches = !values.isEmpty && !values.contains(expected)
                default: matches = false
                }
                if matches { return role }
            }
            return nil
        default:
            return nil
        }
    }
}

/// The session tags an identity pool makes of a login's claims (attributes for access control): each
/// provider's principal-tag map names, per tag, the claim whose value it takes; `UseDefaults` maps
/// `username` to `sub` and `client` to `aud`, as Cognito's defaults for user pools do. Claims that are
/// missing or not strings give no tag.
struct PrincipalTags {
    let pool: IdentityPoolConfiguration
    let sameProvider: (String, String) -> Bool

    static let defaults = ["username": "sub", "client": "aud"]

    func tags(for tokens: [(name: String, claims: TokenClaims)]) -> [String: String] {
        var tags: [String: String] = [:]
        for token in tokens {
            let client = token.claims.string("aud") ?? ""
            guard
                let map = pool.principalTags.first(where: { sameProvider($0.key, token.name) || sameProvider($0.key, "\(token.name):\(client)") })?
                    .value
            else { continue }
            let claimsByTag = map.useDefaults ? Self.defaults.merging(map.tags) { _, custom in custom } : map.tags
            for (tag, claim) in claimsByTag {
                guard let value = token.claims.string(claim), !value.isEmpty, value.count <= 256 else { continue }
                tags[tag] = value
            }
        }
        return tags
    }
}

extension IdentityService {
    /// The role assumed for an identity, as STS AssumeRoleWithWebIdentity would for its identity-pool token.
    func assumeRole(roleArn: String, subject: String, audience: String, amr: [String], tags: [String: String], now: Date) async throws -> (
        credentials: SessionCredentials, role: IAMRole
    ) {
        guard let postern = self as? Postern else { throw DomainError.invalidIdentityPoolConfiguration(IdentityAPI.invalidConfiguration) }
        return try await postern.assumeRoleWithWebIdentity(
            roleArn: roleArn, provider: IdentityAPI.identityPoolTokenProvider, subject: subject, audience: audience, amr: amr,
            tags: tags, sessionName: "CognitoIdentityCredentials", duration: 3600, now: now)
    }
}
