import Foundation
import PosternCore
import PosternCrypto
import PosternStore

/// The operator's `--openid-providers` file: per issuer URL (`https://login.example.com`) or social
/// provider name (`accounts.google.com`), where its keys are (`jwks` inline, or `jwks_uri`) and, for a
/// social provider, which `issuer` stands in for it (a local IdP in tests, a proxy in a closed network).
///
/// ```json
/// {"accounts.google.com": {"issuer": "http://127.0.0.1:9000"},
///  "https://login.example.com": {"jwks": {"keys": [...]}}}
/// ```
public struct OpenIDProviderSettings: Sendable, Equatable {
    /// One entry of the file.
    public struct Entry: Sendable, Equatable {
        public var issuer: String?
        public var jwks: JSONValue?
        public var jwksURI: String?
    }

    public var entries: [String: Entry] = [:]

    public init() {}

    /// Parses the file's JSON; refuses what it cannot use, so a typo fails at start, not at the first sign-in.
    public init(json data: Data) throws {
        guard let object = (try? JSONValue.parse(data))?.objectValue else {
            throw ConfigurationError("openid_providers_file must hold a JSON object")
        }
        for (name, value) in object {
            guard value.objectValue != nil else { throw ConfigurationError("openid_providers_file: \(name) must be an object") }
            let entry = Entry(issuer: value["issuer"]?.stringValue, jwks: value["jwks"], jwksURI: value["jwks_uri"]?.stringValue)
            if let jwks = entry.jwks, jwks["keys"]?.arrayValue == nil {
                throw ConfigurationError("openid_providers_file: \(name).jwks must be a JWKS document ({\"keys\": [...]})")
            }
            if entry.issuer != nil, SocialProvider.named(name) == nil {
                throw ConfigurationError("openid_providers_file: only a social provider's entry can name an issuer (\(name))")
            }
            for url in [entry.issuer, entry.jwksURI].compactMap({ $0 }) {
                guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme ?? ""), parsed.host != nil else {
                    throw ConfigurationError("openid_providers_file: \(url) is not an http(s) URL")
                }
            }
            entries[name] = entry
        }
    }
}

/// A social identity provider that identity pools (`SupportedLoginProviders`) and STS know by name, as an
/// OpenID Connect issuer of ID tokens. Facebook's and Amazon's classic OAuth access tokens are not JWTs and
/// would need a call to their APIs per login: only their OpenID tokens (Facebook Limited Login, or an
/// issuer the operator names) are accepted.
struct SocialProvider: Sendable, Equatable {
    var name: String
    /// The `iss` values the provider's tokens carry; the first is where its discovery document is.
    var issuers: [String]

    static let all = [
        SocialProvider(name: "accounts.google.com", issuers: ["https://accounts.google.com", "accounts.google.com"]),
        SocialProvider(name: "appleid.apple.com", issuers: ["https://appleid.apple.com"]),
        SocialProvider(name: "graph.facebook.com", issuers: ["https://www.facebook.com"]),
        SocialProvider(name: "www.amazon.com", issuers: []),
    ]

    static func named(_ name: String) -> SocialProvider? { all.first { $0.name == name } }

    /// The provider with the operator's issuer in place of its own.
    func configured(_ settings: OpenIDProviderSettings) -> SocialProvider {
        guard let issuer = settings.entries[name]?.issuer else { return self }
        return SocialProvider(name: name, issuers: [issuer])
    }
}

/// Who issued an external web identity token: an IAM OpenID Connect provider of the account, or a social
/// provider. `name` is how trust policies and Logins maps know it.
enum ExternalIssuer: Sendable {
    case iam(IAMOpenIDConnectProvider)
    case social(SocialProvider)

    var name: String {
        switch self {
        case .iam(let provider): provider.url
        case .social(let social): social.name
        }
    }

    /// The `Federated` principal trust policies name: the provider's ARN, or the social provider's name.
    func principal(account: String) -> String {
        switch self {
        case .iam(let provider): provider.arn(account: account)
        case .social(let social): social.name
        }
    }

    func accepts(iss: String) -> Bool {
        switch self {
        case .iam(let provider): iss == provider.issuer
        case .social(let social): social.issuers.contains(iss)
        }
    }

    func keyLocation(_ settings: OpenIDProviderSettings) -> OpenIDKeyLocation? {
        switch self {
        case .iam(let provider):
            let entry = settings.entries[provider.issuer]
            return OpenIDKeyLocation(issuer: provider.issuer, jwks: entry?.jwks, jwksURI: entry?.jwksURI)
        case .social(let social):
            guard let issuer = social.issuers.first else { return nil }
            let entry = settings.entries[social.name]
            let base = issuer.hasPrefix("http") ? issuer : "https://\(issuer)"
            return OpenIDKeyLocation(issuer: base, jwks: entry?.jwks, jwksURI: entry?.jwksURI)
        }
    }
}

/// An external ID token that passed every check: signature, issuer, expiry and not-before.
struct ExternalIDToken: Sendable {
    var issuer: ExternalIssuer
    var claims: TokenClaims
    var subject: String
    /// Every `aud` value.
    var audiences: [String]
    /// What IAM evaluates as `{provider}:aud`: `azp` when present, else the first audience; for an IAM
    /// provider, the one of them that is among its client ids.
    var audience: String

    init(issuer: ExternalIssuer, claims: TokenClaims, subject: String, audiences: [String]) {
        self.issuer = issuer
        self.claims = claims
        self.subject = subject
        self.audiences = audiences
        let azp = claims.string("azp")
        if case .iam(let provider) = issuer {
            audience =
                azp.flatMap { provider.clientIds.contains($0) ? $0 : nil } ?? audiences.first(where: provider.clientIds.contains) ?? azp
                ?? audiences[0]
        } else {
            audience = azp ?? audiences[0]
        }
    }
}

/// Why an external token was refused; STS and cognito-identity each word it their own way.
enum ExternalTokenRefusal: Error, Equatable {
    case invalid(String)
    case expired(exp: Int, now: Int)
    case unreachable
}

extension IdentityService {
    /// The issuer a token's `iss` names: an IAM OpenID Connect provider registered for it, else a social
    /// provider whose issuer it is.
    func externalIssuer(for iss: String) async throws -> ExternalIssuer? {
        let url = iss.hasPrefix("https://") ? String(iss.dropFirst(8)) : iss.hasPrefix("http://") ? String(iss.dropFirst(7)) : iss
        if let record = try await directory.iamOpenIDConnectProvider(url), record.provider.issuer == iss {
            return .iam(record.provider)
        }
        return SocialProvider.all.map { $0.configured(openIDProviders) }.first { $0.issuers.contains(iss) }.map { .social($0) }
    }

    /// Verifies an external ID token issued by `issuer`: `alg` asymmetric, signed by a key the issuer
    /// publishes (this server's own keys for its user pools), `iss` the issuer's, `exp` in the future, `nbf`
    /// and `iat` not in it (a minute's leeway for clocks). Audiences are the caller's to check.
    func verifyExternalIDToken(_ token: String, issuer: ExternalIssuer, now: Date) async throws -> ExternalIDToken {
        guard let jwt = CompactJWT(token), let iss = jwt.claims["iss"]?.stringValue else {
            throw ExternalTokenRefusal.invalid("Not a valid OpenId Connect identity token.")
        }
        guard issuer.accepts(iss: iss) else { throw ExternalTokenRefusal.invalid("Issuer doesn't match providerName") }
        let claims: TokenClaims
        if let poolId = jwt.issuerPoolId, iss == self.issuer(UserPoolID(poolId)), let pool = try await directory.poolIfExists(poolId) {
            // A user pool of this server registered as an OIDC provider: its keys are here, not fetched from itself.
            do { claims = try await signingKeys.keys(for: pool).verifySignature(jwt) } catch {
                throw ExternalTokenRefusal.invalid("Couldn't verify signed token.")
            }
        } else {
            guard let location = issuer.keyLocation(openIDProviders) else {
                throw ExternalTokenRefusal.invalid("Tokens of \(issuer.name) are verified only against an issuer the operator configures.")
            }
            var keys: ExternalKeySet
            do { keys = try await openIDKeys.keys(for: location) } catch { throw ExternalTokenRefusal.unreachable }
            if !keys.hasKey(jwt.header["kid"]?.stringValue) {
                // The issuer may have rotated its keys since they were fetched.
                do { keys = try await openIDKeys.keys(for: location, refresh: true) } catch { throw ExternalTokenRefusal.unreachable }
            }
            do { claims = try await keys.verifySignature(jwt, token: token) } catch {
                throw ExternalTokenRefusal.invalid("Couldn't verify signed token.")
            }
        }
        let nowSeconds = Int(now.timeIntervalSince1970)
        guard let exp = claims.int("exp") else { throw ExternalTokenRefusal.invalid("Missing a required claim: exp") }
        guard exp > nowSeconds else { throw ExternalTokenRefusal.expired(exp: exp, now: nowSeconds) }
        if let nbf = claims.int("nbf"), nbf > nowSeconds + 60 { throw ExternalTokenRefusal.invalid("The token is not valid yet.") }
        if let iat = claims.int("iat"), iat > nowSeconds + 60 { throw ExternalTokenRefusal.invalid("The token was issued in the future.") }
        guard let sub = claims.string("sub"), !sub.isEmpty else { throw ExternalTokenRefusal.invalid("Missing a required claim: sub") }
        let audiences = claims["aud"]?.arrayValue?.compactMap(\.stringValue) ?? claims.string("aud").map { [$0] } ?? []
        guard !audiences.isEmpty else { throw ExternalTokenRefusal.invalid("Missing a required claim: aud") }
        return ExternalIDToken(issuer: issuer, claims: claims, subject: sub, audiences: audiences)
    }
}
