import Foundation
import PosternCore
import PosternCrypto
import PosternStore

/// The identity-pool token issuer's key, loaded from its stream once and kept in memory; the first server
/// that needs it makes it (two that race both read the winner's).
actor IdentityTokenKeyring {
    private var signer: IdentityTokenSigner?

    /// The key, made and recorded on first use.
    func signer(store: EventStore, sealer: Sealer, region: String, metadata: EventMetadata) async throws -> IdentityTokenSigner {
        if let signer { return signer }
        for _ in 0..<3 {
            if let recorded = try await store.readStream(Stream.identityTokenKeys).first {
                let opened = try IdentityTokenSigner(try recorded.payload(as: IdentityTokenSigningKeyCreated.self), sealer: sealer)
                signer = opened
                return opened
            }
            // AWS names its keys `{region}{n}`.
            let created = try IdentityTokenSigner.generate(kid: "\(region)-1", sealer: sealer)
            do {
                try await store.append(
                    AppendBatch(
                        stream: Stream.identityTokenKeys, expected: .noStream,
                        events: [NewEvent(streamID: Stream.identityTokenKeys, created)]), metadata: metadata)
            } catch StoreError.wrongExpectedVersion {
                continue
            }
        }
        throw DomainError.concurrentModification("The identity token key could not be loaded; try again.")
    }
}

/// What the identity operations read and write besides identity pools: identities, the user pools whose
/// ID tokens are logins, and the identity-pool token issuer.
protocol IdentityService: IdentityPoolService, KeyService {
    var signingKeys: SigningKeyCache { get }
    var identityTokenKeys: IdentityTokenKeyring { get }
    var upstreamSTS: UpstreamSTS? { get }
    var openIDKeys: OpenIDKeySource { get }
    var openIDProviders: OpenIDProviderSettings { get }
    var throttle: Throttle { get }
}

extension Postern: IdentityService {}

extension IdentityAPI {
    /// The Logins key of an identity-pool token (GetOpenIdTokenForDeveloperIdentity's, passed back).
    static let identityPoolTokenProvider = "cognito-identity.amazonaws.com"
    /// "The OpenID token is valid for 10 minutes." (GetOpenIdToken)
    static let openIdTokenLifetime = 600

    /// `{IdentityId}`: 1–55 characters of `[\w-]+:[0-9a-f-]+`.
    static func validateIdentityId(_ id: String?, _ member: String, in validation: inout ModelValidation) {
        validation.required(id.map { .string($0) }, member)
        validation.string(id, member, length: 1...55, pattern: #"[\w-]+:[0-9a-f-]+"#)
    }

    static func identityNotFound(_ id: String) -> DomainError { .resourceNotFound("Identity '\(id)' not found.") }
}

extension IdentityService {
    /// The issuer of identity-pool tokens: this server's public URL and `/cognito-identity`, where its
    /// discovery document and keys are published.
    var identityTokenIssuer: String { "\(configuration.issuerBase)/cognito-identity" }

    func identityTokenSigner(call: Call) async throws -> IdentityTokenSigner {
        try await identityTokenKeys.signer(store: store, sealer: master.secrets, region: region, metadata: call.metadata(actor: "system"))
    }

    /// An identity that exists (ResourceNotFoundException otherwise), optionally in a given pool.
    func existingIdentity(_ id: String, in pool: IdentityPoolID? = nil) async throws -> IdentityRecord {
        guard let identity = try await directory.identity(id), pool == nil || identity.poolId == pool else {
            throw IdentityAPI.identityNotFound(id)
        }
        return identity
    }

    /// The identity pool's OpenID token for `identity`: `aud` the pool, `sub` the identity, `amr` how it was
    /// authenticated, signed RS512; and the event that records the exchange.
    func openIdToken(
        for identity: IdentityID, pool: IdentityPoolConfiguration, amr: [String], lifetime: Int, extraClaims: [String: JSONValue] = [:],
        operation: String, providers: [String], call: Call
    ) async throws -> (token: String, issued: IdentityTokenIssued) {
        let signer = try await identityTokenSigner(call: call)
        let now = Int(call.now.timeIntervalSince1970)
        let jti = UUID().uuidString.lowercased()
        var claims: [String: JSONValue] = [
            "iss": .string(identityTokenIssuer), "aud": .string(pool.id.rawValue), "sub": .string(identity.rawValue),
            "amr": .array(amr.map { .string($0) }), "iat": .int(now), "exp": .int(now + lifetime), "jti": .string(jti),
            "https://cognito-identity.amazonaws.com/identity-pool-arn": .string(pool.arn(account: accountId)),
        ]
        claims.merge(extraClaims) { _, new in new }
        let token = try signer.sign(TokenClaims(claims))
        let issued = IdentityTokenIssued(
            identityId: identity, identityPoolId: pool.id, operation: operation, providers: providers, tokenId: jti, issuedAt: now,
            expiresAt: now + lifetime)
        return (token, issued)
    }

    /// Appends what a resolution decided and `extra` events (the token issue) on the identity's stream:
    /// a new identity gets its data key, which seals its logins' subjects.
    func commit(_ resolution: IdentityResolution, extra: [any EventPayload] = [], call: Call) async throws {
        let stream = Stream.identity(resolution.identity)
        let events = (resolution.events + extra).map { NewEvent(streamID: stream, $0) }
        guard !events.isEmpty else { return }
        let isNew = resolution.created != nil
        try await commit(
            AppendBatch(stream: stream, expected: isNew ? .noStream : .exact(resolution.version), events: events, sealingKey: isNew ? .new : nil),
            metadata: call.metadata())
    }

    /// Runs `body` again (up to three times) when another call linked one of its logins first: the
    /// identity_logins key refused the second link, and the next run finds the first one's identity.
    func resolvingRaces<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        for _ in 0..<2 {
            do {
                return try await body()
            } catch StoreError.uniqueValueTaken(let constraint) where constraint == "identity_logins_pkey" {
                continue
            }
        }
        return try await body()
    }

    /// The provider names DescribeIdentity and ListIdentities show: the name the pool configures for a user
    /// pool (native or AWS-style), others as linked.
    func displayedProviders(_ identity: IdentityRecord, pool: IdentityPoolConfiguration?) -> [String] {
        let configured = pool?.cognitoIdentityProviders.map(\.providerName) ?? []
        let names = identity.logins.map { login in configured.first { sameProvider($0, login.provider) } ?? login.provider }
        return Array(Set(names)).sorted()
    }

    /// The developer user identifiers of an identity, opened with its data key, sorted.
    func developerUsers(of identity: IdentityRecord, provider: String) throws -> [String] {
        guard let wrapped = identity.wrappedDataKey else { return [] }
        let key = try master.unwrap(wrapped)
        return try identity.logins.filter { $0.provider == provider }.map { login in
            try JSONValue.parse(Data(try key.open(login.sealedSubject))).decode(String.self)
        }.sorted()
    }
}
