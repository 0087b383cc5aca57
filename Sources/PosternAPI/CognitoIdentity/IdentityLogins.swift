import Foundation
import PosternCore
import PosternCrypto
import PosternStore

/// A call's `Logins`, verified: the logins to link or match, the identity an identity-pool token proves,
/// and the `amr` entries they contribute to a token.
struct PresentedLogins: Sendable {
    var verified: [VerifiedLogin] = []
    var provenBy: IdentityID?
    var amr: [String] = []
    /// The canonical names of the providers that authenticated the call, for the exchange's event.
    var providers: [String] = []
    /// The ID tokens (user pools', OpenID Connect and social providers'), with the name each was presented
    /// under: role mappings and principal tags read their claims.
    var loginTokens: [(name: String, claims: TokenClaims)] = []

    var isEmpty: Bool { verified.isEmpty && provenBy == nil }
}

extension IdentityAPI {
    static let notASupportedProvider = "Token is not from a supported provider of this identity pool."

    /// The model's LoginsMap: at most 10 entries, names 1–128 characters, tokens 1–50000 (never repeated).
    static func validateLogins(_ value: JSONValue?, _ member: String, in validation: inout ModelValidation) {
        guard let logins = value?.objectValue else { return }
        validation.count(logins.count, member, 0...10)
        for (name, token) in logins {
            validation.string(name, "\(member).key", length: 1...128)
            validation.string(token.stringValue ?? "", "\(member).value", length: 1...50000, sensitive: true)
        }
    }

    static func logins(_ value: JSONValue?) -> [(String, String)] {
        (value?.objectValue ?? [:]).compactMap { name, token in token.stringValue.map { (name, $0) } }.sorted { $0.0 < $1.0 }
    }
}

extension IdentityService {
    /// The keyed hash a login is found by: per identity pool and provider, so the same subject is not
    /// linkable across pools from the directory alone.
    func loginSubjectKey(pool: IdentityPoolID, provider: String, subject: String) -> String {
        master.codeHasher.hash("\(pool.rawValue)\u{1f}\(provider)\u{1f}\(subject)", context: "identity login")
    }

    /// A login a signed backend vouches for (a developer user identifier).
    func developerLogin(pool: IdentityPoolID, provider: String, user: String) -> VerifiedLogin {
        VerifiedLogin(provider: provider, subject: user, subjectKey: loginSubjectKey(pool: pool, provider: provider, subject: user))
    }

    /// Verifies every login of a call against the pool's providers. User-pool ID tokens are checked as
    /// Cognito checks them (signature, issuer, `aud` one of the pool's app clients, expiry, and with
    /// ServerSideTokenCheck the user's state); the identity-pool token by this issuer's key. `skipping` is
    /// a name the caller vouches for itself (the developer provider of GetOpenIdTokenForDeveloperIdentity).
    func verifyLogins(_ logins: [(String, String)], pool: IdentityPoolConfiguration, now: Date, skipping: String? = nil, call: Call)
        async throws -> PresentedLogins
    {
        // Refused login tokens count against the caller's address (`failedSignInsPerAddress`): an unsigned
        // caller cannot try tokens faster than a password guesser may try passwords. A signed backend
        // (GetOpenIdTokenForDeveloperIdentity) speaks for many users from one address and is not counted.
        let failures = call.adminKeyId == nil ? throttle.failedLoginTokenLimits(sourceIp: call.sourceIp) : []
        try await throttle.requireOpen(failures.map(\.key), now: now)
        do {
            return try await verifyEachLogin(logins, pool: pool, now: now, skipping: skipping, call: call)
        } catch let refusal as DomainError {
            if case .notAuthorized = refusal, await throttle.count(failures, now: now) { throw DomainError.rateExceeded }
            throw refusal
        }
    }

    private func verifyEachLogin(_ logins: [(String, String)], pool: IdentityPoolConfiguration, now: Date, skipping: String?, call: Call)
        async throws -> PresentedLogins
    {
        var presented = PresentedLogins()
        for (name, token) in logins where name != skipping {
            if name == IdentityAPI.identityPoolTokenProvider {
                let (identity, amr) = try await verifyIdentityPoolToken(token, pool: pool, now: now, call: call)
                presented.provenBy = identity
                presented.amr += amr
                presented.providers.append(name)
                continue
            }
            if name == pool.developerProviderName {
                // A developer user id is vouched for by the backend's signed call, never by the app.
                throw DomainError.notAuthorized("Developer provider logins are accepted only from GetOpenIdTokenForDeveloperIdentity.")
            }
            if let external = try await externalLogin(name: name, token: token, pool: pool, now: now) {
                presented.loginTokens.append((name, external.claims))
                presented.verified.append(
                    VerifiedLogin(
                        provider: name, subject: external.subject,
                        subjectKey: loginSubjectKey(pool: pool.id, provider: name, subject: external.subject)))
                // Social logins are `{provider}:{user id}` in amr, as Cognito writes them; OpenID Connect ones `{provider}:OIDC:{user id}`.
                let detail = if case .social = external.issuer { "\(name):\(external.subject)" } else { "\(name):OIDC:\(external.subject)" }
                presented.amr += [name, detail]
                presented.providers.append(name)
                continue
            }
            let candidates = pool.cognitoIdentityProviders.filter { sameProvider($0.providerName, name) }
            guard !candidates.isEmpty else { throw DomainError.notAuthorized(IdentityAPI.notASupportedProvider) }
            let claims = try await verifyUserPoolIdToken(token, providerName: name, candidates: candidates, now: now)
            let sub = claims.string("sub") ?? ""
            presented.loginTokens.append((name, claims))
            let canonical = canonicalProvider(name)
            presented.verified.append(
                VerifiedLogin(provider: canonical, subject: sub, subjectKey: loginSubjectKey(pool: pool.id, provider: canonical, subject: sub)))
            presented.amr += Array(Set([name, canonical])).sorted() + ["\(canonical):CognitoSignIn:\(sub)"]
            presented.providers.append(canonical)
        }
        return presented
    }

    /// An OpenID Connect or social provider's ID token, when `name` is one of the pool's: a social provider
    /// of `SupportedLoginProviders` (the token's `aud` or `azp` one of its app ids, `;`-separated), or the URL
    /// of an IAM OpenID Connect provider in `OpenIdConnectProviderARNs` (the audience one of its client ids).
    /// Nil when `name` is neither.
    func externalLogin(name: String, token: String, pool: IdentityPoolConfiguration, now: Date) async throws -> ExternalIDToken? {
        func invalid(_ reason: String) -> DomainError { .notAuthorized("Invalid login token. \(reason)") }
        let issuer: ExternalIssuer
        let clientIds: [String]
        if let appIds = pool.supportedLoginProviders[name], let social = SocialProvider.named(name) {
            issuer = .social(social.configured(openIDProviders))
            clientIds = appIds.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        } else if let arn = pool.openIdConnectProviderARNs.first(where: {
            IAMOpenIDConnectActions.url(ofArn: $0, account: configuration.accountId) == name
        }) {
            guard let record = try await directory.iamOpenIDConnectProvider(name), record.provider.arn(account: configuration.accountId) == arn else {
                throw invalid("No OpenIDConnect provider found in your account for \(name)")
            }
            issuer = .iam(record.provider)
            clientIds = record.provider.clientIds
        } else {
            return nil
        }
        guard CompactJWT(token) != nil else {
            throw invalid("Only OpenID Connect ID tokens of \(name) are accepted here; its OAuth access tokens are not.")
        }
        let verified: ExternalIDToken
        do {
            verified = try await verifyExternalIDToken(token, issuer: issuer, now: now)
        } catch ExternalTokenRefusal.expired(let exp, let now) {
            throw invalid("Token expired: \(exp) >= \(now)")
        } catch ExternalTokenRefusal.unreachable {
            throw invalid("Couldn't retrieve verification key from your identity provider.")
        } catch ExternalTokenRefusal.invalid(let reason) {
            throw invalid(reason)
        }
        let azp = verified.claims.string("azp")
        guard verified.audiences.contains(where: clientIds.contains) || azp.map(clientIds.contains) == true else {
            throw invalid("Incorrect token audience.")
        }
        return verified
    }

    /// A user pool's ID token presented under `providerName`; returns its claims.
    func verifyUserPoolIdToken(_ token: String, providerName: String, candidates: [IdentityPoolConfiguration.UserPoolProvider], now: Date)
        async throws -> TokenClaims
    {
        func invalid(_ reason: String) -> DomainError { .notAuthorized("Invalid login token. \(reason)") }
        guard let jwt = CompactJWT(token), let iss = jwt.claims["iss"]?.stringValue, let poolId = jwt.issuerPoolId else {
            throw invalid("Not a valid OpenId Connect identity token.")
        }
        let issuerName = iss.hasPrefix("https://") ? String(iss.dropFirst(8)) : iss.hasPrefix("http://") ? String(iss.dropFirst(7)) : iss
        guard sameProvider(issuerName, providerName) else { throw invalid("Issuer doesn't match providerName") }
        // Only this server's user pools are verified here: their keys are the ones it holds.
        guard iss == issuer(UserPoolID(poolId)), let userPool = try await directory.poolIfExists(poolId) else {
            throw invalid("Couldn't verify signed token.")
        }
        let claims: TokenClaims
        do {
            claims = try await signingKeys.keys(for: userPool).verifySignature(jwt)
        } catch {
            throw invalid("Couldn't verify signed token.")
        }
        guard let aud = claims.string("aud") else { throw invalid("Missing a required claim: aud") }
        guard claims.string("token_use") == "id", let sub = claims.string("sub"), let exp = claims.int("exp"), let iat = claims.int("iat")
        else { throw invalid("Not a valid OpenId Connect identity token.") }
        if Double(exp) <= now.timeIntervalSince1970 { throw invalid("Token expired: \(exp) >= \(Int(now.timeIntervalSince1970))") }
        guard let provider = candidates.first(where: { $0.clientId == aud }) else {
            throw DomainError.notAuthorized(IdentityAPI.notASupportedProvider)
        }
        if provider.serverSideTokenCheck {
            // "the identity pool will check with the integrated user pools to make sure that the user has not
            // been globally signed out or deleted" (CognitoIdentityProvider).
            guard let user = try await directory.user(sub: sub), user.poolId == userPool.id, user.enabled else {
                throw invalid("The user of this token does not exist or is disabled.")
            }
            if let validAfter = user.tokensValidAfter, Double(iat) <= validAfter.timeIntervalSince1970 {
                throw invalid("The token has been revoked.")
            }
            if let origin = claims.string("origin_jti"), try await directory.isOriginRevoked(origin) {
                throw invalid("The token has been revoked.")
            }
        }
        return claims
    }

    /// An identity-pool token of this issuer for `pool`; returns the identity it names and its `amr`
    /// (without "authenticated").
    func verifyIdentityPoolToken(_ token: String, pool: IdentityPoolConfiguration, now: Date, call: Call) async throws -> (IdentityID, [String]) {
        func invalid(_ reason: String) -> DomainError { .notAuthorized("Invalid login token. \(reason)") }
        guard let jwt = CompactJWT(token) else { throw invalid("Not a valid OpenId Connect identity token.") }
        let claims: TokenClaims
        do {
            claims = try await identityTokenSigner(call: call).verifySignature(jwt)
        } catch {
            throw invalid("Couldn't verify signed token.")
        }
        guard claims.string("iss") == identityTokenIssuer else { throw invalid("Issuer doesn't match providerName") }
        guard claims.string("aud") == pool.id.rawValue else { throw invalid("Incorrect audience.") }
        guard let sub = claims.string("sub"), let exp = claims.int("exp") else { throw invalid("Not a valid OpenId Connect identity token.") }
        if Double(exp) <= now.timeIntervalSince1970 { throw invalid("Token expired: \(exp) >= \(Int(now.timeIntervalSince1970))") }
        let amr = (claims["amr"]?.arrayValue ?? []).compactMap(\.stringValue)
        guard amr.first == "authenticated" else { throw invalid("The token is not of an authenticated identity.") }
        return (IdentityID(sub), Array(amr.dropFirst()))
    }
}
